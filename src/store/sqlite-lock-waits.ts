// Waiting for SQLite's write lock without stopping the event loop. better-sqlite3 is synchronous:
// with a long busy_timeout, a statement that meets another connection's write lock (the writer
// thread's or the delivery thread's commit, a backup, a sqlite3 shell) holds the whole process
// until the lock is free, so one held lock froze every request, health checks included, for
// the full timeout. Here the connection has no busy_timeout of its own: every wait is slept
// asynchronously between retries, up to LOCK_WAIT_MS, after which the statement fails with
// SQLITE_BUSY (answered ServiceUnavailable). Even a short synchronous wait cost much: SQLite's busy
// handler sleeps 1, 2, 5 ms... and the writer thread holds the lock through its fsync, so while
// events were published the main thread slept ~0.5 s in BEGIN of every 4 s (bench/delivery.ts
// capture+sns), time in which it could have sent notifications.
//
// A statement can only be retried when the failure left no transaction open: an autocommit
// statement, or a BEGIN. Transactions therefore begin IMMEDIATE on SQLite, taking the write lock
// at BEGIN, where waiting is safe, rather than at their first write, where SQLite's advice is to
// roll back.
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Dialect, type Driver, type QueryResult, type TransactionSettings } from 'kysely';

/** The synchronous part of a wait: none (see above). */
export const SYNC_BUSY_TIMEOUT_MS = 0;
/** The whole wait for the write lock before a statement fails (what busy_timeout was). */
export const LOCK_WAIT_MS = 5_000;

const BEGIN_IMMEDIATE = CompiledQuery.raw('begin immediate');

export function asyncLockWaits(inner: Dialect, sqlite: SqliteDatabase): Dialect {
  return {
    createDriver: () => new LockWaitingDriver(inner.createDriver(), sqlite),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
  };
}

class LockWaitingDriver implements Driver {
  // SQLite has one connection: so has this driver, and one wrapper for it.
  private readonly wrappers = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(
    private readonly driver: Driver,
    private readonly sqlite: SqliteDatabase,
  ) {}

  init = () => this.driver.init();
  destroy = () => this.driver.destroy();
  commitTransaction = (c: DatabaseConnection) => this.driver.commitTransaction(c);
  // SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR...): a
  // ROLLBACK then fails with "no transaction is active" and hides the error that mattered.
  rollbackTransaction = async (c: DatabaseConnection) => {
    if (this.sqlite.inTransaction) await this.driver.rollbackTransaction(c);
  };
  releaseConnection = (c: DatabaseConnection) => this.driver.releaseConnection(c);

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.driver.acquireConnection();
    let wrapper = this.wrappers.get(connection);
    if (!wrapper) this.wrappers.set(connection, (wrapper = lockWaitingConnection(connection, this.sqlite)));
    return wrapper;
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(BEGIN_IMMEDIATE);
  }
}

function lockWaitingConnection(inner: DatabaseConnection, sqlite: SqliteDatabase): DatabaseConnection {
  return {
    executeQuery: <R>(query: CompiledQuery): Promise<QueryResult<R>> => retryWhileLocked(sqlite, () => inner.executeQuery<R>(query)),
    streamQuery: <R>(query: CompiledQuery, chunkSize?: number) => inner.streamQuery<R>(query, chunkSize),
  };
}

export async function retryWhileLocked<T>(sqlite: { inTransaction: boolean }, run: () => Promise<T>, waitMs = LOCK_WAIT_MS): Promise<T> {
  const deadline = Date.now() + waitMs;
  // Short pauses: a waiter polls while the writer thread commits again and again, and a long pause
  // lets it lose the lock for longer (SQLite's own handler polls the same way).
  for (let pause = 1; ; pause = Math.min(pause * 2, 20)) {
    try {
      return await run();
    } catch (err) {
      const retryable = (err as { code?: string }).code === 'SQLITE_BUSY' && !sqlite.inTransaction;
      if (!retryable || Date.now() + pause > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
