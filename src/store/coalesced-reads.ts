// Reads that every send makes (its account's settings, its sender's identities, its recipients'
// suppression entries; a configuration set it names and the set's event destinations), coalesced:
// the calls made within one turn of the event loop become one statement per account and region,
// with the union of their keys in one IN list, and each caller gets the rows of its own keys.
// Concurrent sends mostly share an account, so the three reads a send made were three statements
// each; now they are three for all the sends that reached them together. On PostgreSQL a statement
// is a round trip and a parse, plan and execute in a backend; on SQLite it is Kysely's turn on the
// one connection (an acquisition queued behind the others), the guards around it and the call.
// Measured with SendEmail at c=50 (bench/send-email.ts): PostgreSQL one node 1,069–1,123 → 2,190
// per second, SQLite 2,086–2,149 → 2,877–2,911. Each read still goes to the database when it is
// asked for (one turn later), so no caller sees an older row than before.
import type { Scope } from '../domain/identities/identity.js';
import { IDS_PER_STATEMENT } from './raw-sql.js';

/** Rows of `scope` whose keys are among `keys` (at most IDS_PER_STATEMENT of them). */
export type KeyedRead<Row> = (scope: Scope, keys: string[]) => Promise<Row[]>;

/** Reads rows by key, coalesced: `read(scope, keys)` answers the rows of those keys, `keyOf` names a row's key. */
export function keyedReader<Row>(read: KeyedRead<Row>, keyOf: (row: Row) => string): KeyedRead<Row> {
  const coalesced = new CoalescedReads(read, keyOf);
  return (scope, keys) => coalesced.read(scope, keys);
}

interface Waiter<Row> {
  keys: string[];
  resolve: (rows: Row[]) => void;
  reject: (err: unknown) => void;
}

interface ScopeBatch<Row> {
  scope: Scope;
  keys: Set<string>;
  waiters: Waiter<Row>[];
}

class CoalescedReads<Row> {
  private batches = new Map<string, ScopeBatch<Row>>();

  constructor(
    private readonly readKeys: KeyedRead<Row>,
    private readonly keyOf: (row: Row) => string,
  ) {}

  read(scope: Scope, keys: string[]): Promise<Row[]> {
    // setImmediate runs after the I/O callbacks of this turn: every request whose data arrived with
    // this one has reached its read by then (their earlier awaits are promise jobs, not I/O).
    if (this.batches.size === 0) setImmediate(() => this.flush());
    const scopeKey = `${scope.accountId}\u0000${scope.region}`;
    let batch = this.batches.get(scopeKey);
    if (!batch) this.batches.set(scopeKey, (batch = { scope, keys: new Set(), waiters: [] }));
    for (const k of keys) batch.keys.add(k);
    return new Promise((resolve, reject) => batch.waiters.push({ keys, resolve, reject }));
  }

  private flush(): void {
    const batches = this.batches;
    this.batches = new Map();
    for (const batch of batches.values()) void this.run(batch);
  }

  private async run({ scope, keys, waiters }: ScopeBatch<Row>): Promise<void> {
    try {
      const all = [...keys];
      const chunks: Promise<Row[]>[] = [];
      for (let i = 0; i < all.length; i += IDS_PER_STATEMENT) chunks.push(this.readKeys(scope, all.slice(i, i + IDS_PER_STATEMENT)));
      const byKey = new Map<string, Row[]>();
      for (const row of (await Promise.all(chunks)).flat()) {
        const k = this.keyOf(row);
        const rows = byKey.get(k);
        if (rows) rows.push(row);
        else byKey.set(k, [row]);
      }
      for (const w of waiters) w.resolve([...new Set(w.keys)].flatMap((k) => byKey.get(k) ?? []));
    } catch (err) {
      for (const w of waiters) w.reject(err);
    }
  }
}
