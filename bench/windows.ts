// A target's figures over the windows it was measured in, and the ratio of two targets measured in
// alternating rounds (bench/send-email.ts, bench/smtp.ts): rates and CPU over the windows' summed
// time, percentiles over all their answers, a ratio as the median of the rounds' ratios.
import { median } from './sample-stats.js';

/** A row of a bench's table. CPU figures are % of one core. */
export interface BenchRow {
  name: string;
  rate: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  firstError: string | undefined;
  rssStartKb: number | undefined;
  rssEndKb: number | undefined;
  rssMaxKb: number | undefined;
  serverCpu: number | undefined;
  genCpu: number;
  totalAccepted: number;
  perSecond: number[];
  failed?: string;
}

/** Uncounted seconds before each window after a target's first: its code is compiled by then, and its load only opens its connections again. */
export const REWARM_S = 1;

/** The row of a target that did not start or failed during its windows. */
export function failedRow(name: string, reason: string | undefined): BenchRow {
  return {
    name,
    rate: NaN,
    p50: NaN,
    p99: NaN,
    max: NaN,
    errors: 0,
    firstError: undefined,
    rssStartKb: undefined,
    rssEndKb: undefined,
    rssMaxKb: undefined,
    serverCpu: undefined,
    genCpu: NaN,
    totalAccepted: 0,
    perSecond: [],
    failed: reason ?? 'not measured',
  };
}

/** One measured window: its length, its answers' latencies (ascending) and what was sampled over it. */
export interface MeasuredWindow extends Pick<BenchRow, 'rate' | 'errors' | 'firstError' | 'rssStartKb' | 'rssEndKb' | 'rssMaxKb' | 'serverCpu' | 'genCpu' | 'perSecond'> {
  elapsedS: number;
  latencies: Float64Array;
}

/** The `q` quantile of ascending `sorted` (NaN when empty). */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** A figure of each window averaged over their time; undefined when a window lacks it. */
export function overTime<W extends MeasuredWindow>(windows: readonly W[], pick: (w: W) => number | undefined): number | undefined {
  const totalS = windows.reduce((s, w) => s + w.elapsedS, 0);
  if (windows.some((w) => pick(w) === undefined)) return undefined;
  return windows.reduce((s, w) => s + pick(w)! * w.elapsedS, 0) / totalS;
}

/** The row of a target's windows (at least one), but for `totalAccepted`. */
export function combineWindows(name: string, windows: readonly MeasuredWindow[]): Omit<BenchRow, 'totalAccepted'> {
  const totalS = windows.reduce((s, w) => s + w.elapsedS, 0);
  const sorted = new Float64Array(windows.reduce((n, w) => n + w.latencies.length, 0));
  let at = 0;
  for (const w of windows) {
    sorted.set(w.latencies, at);
    at += w.latencies.length;
  }
  sorted.sort();
  return {
    name,
    rate: sorted.length / totalS,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : NaN,
    errors: windows.reduce((n, w) => n + w.errors, 0),
    firstError: windows.find((w) => w.firstError)?.firstError,
    rssStartKb: windows[0]!.rssStartKb,
    rssEndKb: windows[windows.length - 1]!.rssEndKb,
    rssMaxKb: Math.max(...windows.map((w) => w.rssMaxKb ?? 0)) || undefined,
    serverCpu: overTime(windows, (w) => w.serverCpu),
    genCpu: overTime(windows, (w) => w.genCpu) ?? NaN,
    perSecond: windows.flatMap((w) => w.perSecond),
  };
}

/** `a`'s rate over `b`'s in each round both were measured in, and their median (NaN when none). */
export function roundRatios(a: readonly MeasuredWindow[] | undefined, b: readonly MeasuredWindow[] | undefined): { each: number[]; median: number } {
  const rounds = a && b ? Math.min(a.length, b.length) : 0;
  const each = Array.from({ length: rounds }, (_, r) => a![r]!.rate / b![r]!.rate);
  return { each, median: each.length > 0 ? median(each) : NaN };
}
