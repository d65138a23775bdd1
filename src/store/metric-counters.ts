// The metric_counters table behind GET /metrics: counters only ever added to, by whichever
// transaction commits what moved them (event dispatch, and intake for events born settled), so that
// every node's and thread's figures add up in the database.
import type { CompiledQuery } from 'kysely';
import type { Dialect } from './database.js';
import { BulkInsert } from './raw-sql.js';

export interface MetricIncrement {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A merged increment (mergeIncrements): one counter's row. */
export interface CounterRow {
  name: string;
  labels: string;
  value: number;
}

export interface MetricCounterUpserts {
  /** The statements that add the rows to their counters. */
  queries(rows: CounterRow[]): CompiledQuery[];
}

// Rows per counter on PostgreSQL. A transaction that adds to a counter holds its row's lock until it
// commits; with one row each, every node's intake and dispatch transactions queued behind each
// other's fsync. Each writer (a store's statements, one per thread and process) adds to a shard of
// its own, drawn at random: two writers share one 1 time in 32. Always the same one, so that a
// transaction that adds twice (a delivery batch's generated mail and its events) takes one row's
// lock, as before. SQLite has a single writer, so one row each is enough there.
const POSTGRES_SHARDS = 32;

const drawShard = (dialect: Dialect): number => (dialect === 'postgres' ? Math.floor(Math.random() * POSTGRES_SHARDS) : 0);

/** The upsert that adds merged increments (mergeIncrements) to their counters, in `shard`. */
export function metricCounterUpserts(dialect: Dialect, shard = drawShard(dialect)): MetricCounterUpserts {
  const insert = new BulkInsert<CounterRow & { shard: number }>(
    dialect,
    'metric_counters',
    { name: 'text', labels: 'text', shard: 'integer', value: 'double precision' },
    'on conflict (name, labels, shard) do update set value = metric_counters.value + excluded.value',
  );
  // Fields named rather than spread: a spread of each row cost as much as the rest of the upsert.
  return { queries: (rows) => insert.queries(rows.map((r) => ({ name: r.name, labels: r.labels, shard, value: r.value }))) };
}

/** One row per counter: the same counter moved by many events in a batch is added up first (an upsert's rows must be distinct). */
export function mergeIncrements(metrics: MetricIncrement[]): CounterRow[] {
  const merged = new Map<string, CounterRow>();
  for (const m of metrics) {
    const counter = storedCounter(m);
    const row = merged.get(counter.key);
    if (row) row.value += m.value;
    else merged.set(counter.key, { name: m.name, labels: counter.labels, value: m.value });
  }
  // A fixed order, so two nodes adding to the same counters take their row locks in the same order.
  return [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row);
}

/**
 * A counter as its row names it: its labels' stored form (JSON, keys in order), and its name and
 * labels as one key (unique: a name has no '{'), which also orders the rows.
 */
interface StoredCounter {
  key: string;
  labels: string;
}

// The stored form of the counters seen lately, by their increments' key (incrementKey): sorting and
// serialising each increment's labels was a tenth of the delivery thread's time, and once per
// counter per batch still a few percent of intake's allocations at small batches (SMTP sessions).
// Counters are few (their labels come from a handful of values), but labels from message tags are
// bounded by the map's size.
const STORED_COUNTERS = 1000;
const storedCounters = new Map<string, StoredCounter>();

function storedCounter(m: MetricIncrement): StoredCounter {
  const given = incrementKey(m);
  let counter = storedCounters.get(given);
  if (counter === undefined) {
    const labels = JSON.stringify(Object.fromEntries(Object.entries(m.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
    counter = { key: m.name + labels, labels };
    if (storedCounters.size >= STORED_COUNTERS) storedCounters.clear();
    storedCounters.set(given, counter);
  }
  return counter;
}

// The key of a frozen increment (events/metrics.ts makes a histogram's once), kept with it.
const frozenKeys = new WeakMap<MetricIncrement, string>();

/** The counter an increment moves: its name and labels as given. */
function incrementKey(m: MetricIncrement): string {
  let key = frozenKeys.get(m);
  if (key !== undefined) return key;
  key = m.name;
  for (const k in m.labels) key += `\u0000${k}\u0000${m.labels[k]}`;
  if (Object.isFrozen(m)) frozenKeys.set(m, key);
  return key;
}
