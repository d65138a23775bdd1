// The metric_counters table behind GET /metrics: counters only ever added to, by whichever
// transaction commits what moved them (event dispatch, and intake for events born settled), so that
// every node's and thread's figures add up in the database.
import type { Dialect } from './database.js';
import { BulkInsert } from './raw-sql.js';

export interface MetricIncrement {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export type MetricCounterUpserts = BulkInsert<{ name: string; labels: string; value: number }>;

/** The upsert that adds merged increments (mergeIncrements) to their counters. */
export function metricCounterUpserts(dialect: Dialect): MetricCounterUpserts {
  return new BulkInsert(dialect, 'metric_counters', ['name', 'labels', 'value'], 'on conflict (name, labels) do update set value = metric_counters.value + excluded.value');
}

/** One row per counter: the same counter moved by many events in a batch is added up first (an upsert's rows must be distinct). */
export function mergeIncrements(metrics: MetricIncrement[]): { name: string; labels: string; value: number }[] {
  // Keyed first by the labels as given (cheap), then by their stored form (JSON, keys in order)
  // once per distinct key: sorting and serialising each increment's labels was a tenth of the
  // delivery thread's time.
  const addUp = <T extends { value: number }>(into: Map<string, T>, key: string, entry: T) => {
    const existing = into.get(key);
    if (existing) existing.value += entry.value;
    else into.set(key, entry);
  };
  const merged = new Map<string, MetricIncrement>();
  for (const m of metrics) {
    let key = m.name;
    for (const k in m.labels) key += `\u0000${k}\u0000${m.labels[k]}`;
    addUp(merged, key, { ...m });
  }
  const stored = new Map<string, { name: string; labels: string; value: number }>();
  for (const m of merged.values()) {
    const labels = JSON.stringify(Object.fromEntries(Object.entries(m.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
    addUp(stored, `${m.name}\u0000${labels}`, { name: m.name, labels, value: m.value });
  }
  // A fixed order, so two nodes adding to the same counters take their row locks in the same order.
  return [...stored.values()].sort((a, b) => (a.name + a.labels < b.name + b.labels ? -1 : 1));
}
