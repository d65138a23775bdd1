// The Prometheus text exposition format (version 0.0.4), written by hand: sesd's figures live in
// the database (every node and the delivery thread add to the same counters), so each scrape
// renders rows it has just read; prom-client's per-process registry of live metric objects has
// nothing to hold here, and the format is a few lines.
import type { MetricFamily } from '../events/metrics.js';

export interface Sample {
  /** Full sample name: a family name, or `<family>_bucket|_sum|_count` for a histogram. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function familyOf(sample: string, known: Map<string, MetricFamily>): string {
  if (known.has(sample)) return sample;
  const base = sample.replace(/_(bucket|sum|count)$/, '');
  return known.get(base)?.type === 'histogram' ? base : sample;
}

/** Samples grouped by family, each family with its HELP and TYPE lines, histogram buckets in order. */
export function renderMetrics(families: MetricFamily[], samples: Sample[]): string {
  const known = new Map(families.map((f) => [f.name, f]));
  const grouped = new Map<string, Sample[]>();
  for (const s of samples) {
    const family = familyOf(s.name, known);
    if (!grouped.has(family)) grouped.set(family, []);
    grouped.get(family)!.push(s);
  }
  let out = '';
  for (const [family, list] of [...grouped.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const f = known.get(family);
    out += `# HELP ${family} ${escapeHelp(f?.help ?? 'SES events published to a CloudWatch event destination, by its dimensions.')}\n`;
    out += `# TYPE ${family} ${f?.type ?? 'counter'}\n`;
    for (const s of list.sort(bucketOrder)) {
      const labels = Object.entries(s.labels);
      const text = labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
      out += `${s.name}${text} ${formatValue(s.value)}\n`;
    }
  }
  return out;
}

/** Buckets of one series by their bound (le), then _sum and _count, as Prometheus expects. */
function bucketOrder(a: Sample, b: Sample): number {
  const rank = (s: Sample) => (s.name.endsWith('_bucket') ? 0 : s.name.endsWith('_sum') ? 1 : s.name.endsWith('_count') ? 2 : 0);
  const series = (s: Sample) => JSON.stringify(Object.entries(s.labels).filter(([k]) => k !== 'le'));
  if (series(a) !== series(b)) return series(a) < series(b) ? -1 : 1;
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  const le = (s: Sample) => (s.labels.le === '+Inf' ? Infinity : Number(s.labels.le ?? 0));
  return le(a) - le(b);
}
