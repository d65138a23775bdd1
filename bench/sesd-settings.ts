// `SESD_NAME=value` options (--sesd-env, --compare-env) as the settings of a sesd a bench starts.
export function sesdSettings(option: string, values: readonly string[] = []): Record<string, string> {
  return Object.fromEntries(
    values.map((v) => {
      const m = /^(SESD_[A-Z0-9_]+)=(.*)$/s.exec(v);
      if (!m) throw new Error(`--${option} must be SESD_NAME=value: ${v}`);
      return [m[1]!, m[2]!];
    }),
  );
}
