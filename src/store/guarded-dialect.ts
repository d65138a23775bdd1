// A Kysely dialect around another one that passes every database error through DatabaseHealth:
// an unavailable database (lost connection, server down, full disk) surfaces as ServiceUnavailable
// and is counted, and the first success after an outage reports the recovery. Every query, every
// transaction statement and every connection checkout of the store goes through here.
import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryResult, TransactionSettings } from 'kysely';
import type { DatabaseHealth } from './availability.js';

export function guardedDialect(inner: Dialect, health: DatabaseHealth): Dialect {
  return {
    createDriver: () => new GuardedDriver(inner.createDriver(), health),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
  };
}

type CompileQuery = Parameters<NonNullable<Driver['savepoint']>>[2];

class GuardedDriver implements Driver {
  // The inner driver's connections are reused (one per pg client, one for SQLite): so are their wrappers.
  private readonly wrappers = new WeakMap<DatabaseConnection, GuardedConnection>();

  constructor(
    private readonly driver: Driver,
    private readonly health: DatabaseHealth,
  ) {}

  init(): Promise<void> {
    return guard(this.health, () => this.driver.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await guard(this.health, () => this.driver.acquireConnection());
    let wrapper = this.wrappers.get(connection);
    if (!wrapper) this.wrappers.set(connection, (wrapper = new GuardedConnection(connection, this.health)));
    return wrapper;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return guard(this.health, () => this.driver.beginTransaction(unwrap(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return guard(this.health, () => this.driver.commitTransaction(unwrap(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return guard(this.health, () => this.driver.rollbackTransaction(unwrap(connection)));
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: CompileQuery): Promise<void> {
    await guard(this.health, async () => this.driver.savepoint?.(unwrap(connection), name, compile));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: CompileQuery): Promise<void> {
    await guard(this.health, async () => this.driver.rollbackToSavepoint?.(unwrap(connection), name, compile));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: CompileQuery): Promise<void> {
    await guard(this.health, async () => this.driver.releaseSavepoint?.(unwrap(connection), name, compile));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.driver.releaseConnection(unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.driver.destroy();
  }
}

class GuardedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly health: DatabaseHealth,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return guard(this.health, () => this.inner.executeQuery<R>(query));
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(query, chunkSize);
      this.health.succeeded();
    } catch (err) {
      throw this.health.translate(err);
    }
  }
}

function unwrap(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof GuardedConnection ? connection.inner : connection;
}

/** Runs a database call: a success ends an outage; a failure is translated (see DatabaseHealth). */
export async function guard<T>(health: DatabaseHealth, call: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await call();
  } catch (err) {
    throw health.translate(err);
  }
  health.succeeded();
  return result;
}
