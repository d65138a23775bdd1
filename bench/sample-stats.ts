// Statistics over a run's periodic samples, shared by the benches that judge "flat" (bench/soak.ts,
// bench/send-email.ts's soak): the median of the first third of the samples against that of the
// last third, which a GC sawtooth or one slow second does not swing as a first and a last sample do.

/** The `q` quantile of ascending `sorted` (0 when empty). */
export const quantile = (sorted: readonly number[], q: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);

export const median = (xs: readonly number[]): number => quantile([...xs].sort((a, b) => a - b), 0.5);

/** The medians of the first and of the last third of `samples` (a third is at least one sample). */
export function mediansOfThirds(samples: readonly number[]): { first: number; last: number } {
  const third = Math.max(1, Math.floor(samples.length / 3));
  return { first: median(samples.slice(0, third)), last: median(samples.slice(-third)) };
}
