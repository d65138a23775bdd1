// Durations as people write them in configuration (`100ms`, `30s`, `5m`, `2h`, `1d`), so retry
// schedules and leases read the same in env vars, flags and docs.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export const DURATION_PATTERN = /^\d+(ms|s|m|h|d)$/;
export const DURATION_LIST_PATTERN = /^\d+(ms|s|m|h|d)(\s*,\s*\d+(ms|s|m|h|d))*$/;

export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: "${text}" (expected a number with ms, s, m, h or d)`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

export function parseDurationList(text: string): number[] {
  const list = text.split(',').map(parseDuration);
  if (list.length === 0) throw new Error('empty duration list');
  return list;
}
