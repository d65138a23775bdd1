// Reads that every send makes (its account's settings, its sender's identities, its recipients'
// suppression entries; a configuration set it names and the set's event destinations), coalesced:
// the calls made within one turn of the event loop become one read per account and region, each
// table's part with the union of its callers' keys, and each caller gets the rows of its own keys.
// Concurrent sends mostly share an account, so the three reads a send made were three statements
// each; now they are one read for all the sends that reached them together. On PostgreSQL a
// statement is a round trip and a parse, plan and execute in a backend; on SQLite it is Kysely's
// turn on the one connection (an acquisition queued behind the others), the guards around it and
// the call. Measured with SendEmail at c=50 (bench/send-email.ts): PostgreSQL one node 1,069–1,123
// → 2,190 per second, SQLite 2,086–2,149 → 2,877–2,911. Each read still goes to the database when
// it is asked for (one turn later), so no caller sees an older row than before.
// How a scope's parts are read is the RunParts given (keyed-selects.ts: on PostgreSQL the parts of
// one turn are one statement, so one round trip and one backend woken instead of one per table).
import type { Scope } from '../domain/identities/identity.js';

/** Rows of `scope` whose keys are among `keys`. */
export type KeyedRead<Row> = (scope: Scope, keys: string[]) => Promise<Row[]>;

/** A table read by key: the rows of one account and region whose `keyColumn` is among the keys; without a keyColumn, the scope's rows (one key, ''). */
export interface KeyedTable {
  table: string;
  keyColumn?: string;
}

/** One table's part of a scope's coalesced read. */
export interface ReadPart {
  table: KeyedTable;
  keys: string[];
}

/** Reads the parts of one scope; answers each part's rows, in the parts' order. */
export type RunParts = (scope: Scope, parts: ReadPart[]) => Promise<unknown[][]>;

interface Reader {
  table: KeyedTable;
  keyOf: (row: unknown) => string;
}

interface Waiter {
  keys: string[];
  resolve: (rows: unknown[]) => void;
  reject: (err: unknown) => void;
}

interface PartBatch {
  keys: Set<string>;
  waiters: Waiter[];
}

interface ScopeBatch {
  scope: Scope;
  parts: Map<Reader, PartBatch>;
}

export class CoalescedReads {
  private batches = new Map<string, ScopeBatch>();

  constructor(private readonly runParts: RunParts) {}

  /** Reads `table` by key, coalesced with the other readers' reads of the same turn; `keyOf` names a row's key. */
  reader<Row>(table: KeyedTable, keyOf: (row: Row) => string): KeyedRead<Row> {
    const reader: Reader = { table, keyOf: keyOf as (row: unknown) => string };
    return (scope, keys) => this.read(reader, scope, keys) as Promise<Row[]>;
  }

  private read(reader: Reader, scope: Scope, keys: string[]): Promise<unknown[]> {
    // setImmediate runs after the I/O callbacks of this turn: every request whose data arrived with
    // this one has reached its read by then (their earlier awaits are promise jobs, not I/O).
    if (this.batches.size === 0) setImmediate(() => this.flush());
    const scopeKey = `${scope.accountId}\u0000${scope.region}`;
    let batch = this.batches.get(scopeKey);
    if (!batch) this.batches.set(scopeKey, (batch = { scope, parts: new Map() }));
    let part = batch.parts.get(reader);
    if (!part) batch.parts.set(reader, (part = { keys: new Set(), waiters: [] }));
    for (const k of keys) part.keys.add(k);
    const waiters = part.waiters;
    return new Promise((resolve, reject) => waiters.push({ keys, resolve, reject }));
  }

  private flush(): void {
    const batches = this.batches;
    this.batches = new Map();
    for (const batch of batches.values()) void this.run(batch);
  }

  private async run({ scope, parts }: ScopeBatch): Promise<void> {
    const entries = [...parts];
    try {
      const rowsOfParts = await this.runParts(
        scope,
        entries.map(([reader, part]) => ({ table: reader.table, keys: [...part.keys] })),
      );
      entries.forEach(([reader, { waiters }], i) => {
        const byKey = new Map<string, unknown[]>();
        for (const row of rowsOfParts[i]!) {
          const k = reader.keyOf(row);
          const rows = byKey.get(k);
          if (rows) rows.push(row);
          else byKey.set(k, [row]);
        }
        for (const w of waiters) w.resolve([...new Set(w.keys)].flatMap((k) => byKey.get(k) ?? []));
      });
    } catch (err) {
      for (const { waiters } of parts.values()) for (const w of waiters) w.reject(err);
    }
  }
}
