// A transaction whose commit does not wait for the disk (synchronous=NORMAL on SQLite,
// synchronous_commit=off on PostgreSQL), on one connection held throughout. For at-least-once
// work (queue claims and outcomes): losing the last of them in a power failure costs a second
// attempt, never a lost message, while an fsync per commit would cap the rate at a few hundred a
// second. The database stays consistent either way, and the next durable commit makes them
// durable too. BEGIN and COMMIT are sent by hand rather than through Kysely's transaction(), whose
// Transaction wraps every statement in more executors.
import { CompiledQuery, type Kysely } from 'kysely';
import type { Dialect } from './database.js';
import type { Database } from './schema.js';

const BEGIN = CompiledQuery.raw('begin');
// SQLite takes the write lock at BEGIN, where its wait can be retried (see sqlite-lock-waits.ts).
const BEGIN_IMMEDIATE = CompiledQuery.raw('begin immediate');
const COMMIT = CompiledQuery.raw('commit');
const ROLLBACK = CompiledQuery.raw('rollback');
const SYNCHRONOUS_COMMIT_OFF = CompiledQuery.raw('set local synchronous_commit = off');
const SYNCHRONOUS_NORMAL = CompiledQuery.raw('pragma synchronous = NORMAL');
const SYNCHRONOUS_FULL = CompiledQuery.raw('pragma synchronous = FULL');

export function relaxedTransaction<T>(db: Kysely<Database>, dialect: Dialect, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    if (dialect === 'postgres') {
      return inTransaction(conn, async () => {
        await conn.executeQuery(SYNCHRONOUS_COMMIT_OFF);
        return fn(conn);
      });
    }
    // SQLite's setting is per connection; holding the one connection keeps intake's commits FULL.
    await conn.executeQuery(SYNCHRONOUS_NORMAL);
    try {
      return await inTransaction(conn, () => fn(conn), BEGIN_IMMEDIATE);
    } finally {
      await conn.executeQuery(SYNCHRONOUS_FULL);
    }
  });
}

/** `fn` between BEGIN and COMMIT on `conn`, rolled back if it or the commit fails: what Kysely's transaction() does. */
export async function inTransaction<T>(conn: Kysely<Database>, fn: () => Promise<T>, begin = BEGIN): Promise<T> {
  await conn.executeQuery(begin);
  try {
    const result = await fn();
    await conn.executeQuery(COMMIT);
    return result;
  } catch (err) {
    try {
      await conn.executeQuery(ROLLBACK);
    } catch {
      // SQLite rolls back by itself on some errors (SQLITE_FULL, SQLITE_IOERR...), and its "no
      // transaction is active" would hide the error that mattered; a PostgreSQL connection that
      // failed is dropped by the pool.
    }
    throw err;
  }
}
