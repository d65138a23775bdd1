// Whether a query finds a row, by a plain read. The dispatchers look before they claim: a claim is a
// write transaction, and on SQLite a write transaction takes the database's one write lock at BEGIN
// (relaxed-transaction.ts) whether or not it then finds anything. An idle dispatcher polling every
// 250 ms took the lock at each poll and made the writer thread's commits of intake's messages wait
// for it (24 idle polls cost 444 ms of the main thread in a 15 s bench). A read takes no lock (WAL
// on SQLite, MVCC on PostgreSQL). A row the read saw and another node then claimed costs an empty
// claim, as before.
import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** `sql` is written for the dialect and ends in `limit 1`. */
export async function anyRow(db: Kysely<Database>, sql: string, parameters: unknown[]): Promise<boolean> {
  const { rows } = await db.executeQuery(CompiledQuery.raw(sql, parameters));
  return rows.length > 0;
}
