// Opens the database (SQLite by default, PostgreSQL when a postgres:// URL is configured) and brings
// its schema up to date. Only src/store knows SQL and dialects.
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, sql, PostgresDialect, SqliteDialect, type Migration, type MigrationProvider, type SqliteDatabase as SqliteDatabaseLike } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { DatabaseHealth } from './availability.js';
import { guardedDialect } from './guarded-dialect.js';
import { asyncLockWaits, SYNC_BUSY_TIMEOUT_MS } from './sqlite-lock-waits.js';
import type { Database } from './schema.js';
import { databaseTarget, maskDatabaseUrl } from './database-url.js';
import { postgresWriterThread, sqliteWriterThread, type BatchWriter } from './batch-writer.js';
import * as initial from './migrations/001-initial.js';
import * as sesResources from './migrations/002-ses-resources.js';
import * as identityNotifications from './migrations/005-identity-notifications.js';
import * as delivery from './migrations/003-delivery.js';
import * as sesConfig from './migrations/004-ses-config.js';
import * as pinpoint from './migrations/006-pinpoint.js';
import * as sns from './migrations/007-sns.js';
import * as messagePaging from './migrations/009-message-paging.js';
import * as recipientCopiesAndQuotaGuard from './migrations/011-recipient-copies-and-quota-guard.js';
import * as consoleIndexes from './migrations/013-console-indexes.js';
import * as accessKeySource from './migrations/012-access-key-source.js';
import * as eventDispatch from './migrations/008-event-dispatch.js';
import * as eventRecipient from './migrations/015-event-recipient.js';
import * as easyDkimTokens from './migrations/014-easy-dkim-tokens.js';
import * as accountReview from './migrations/016-account-review.js';
import * as redundantDeliveryIndex from './migrations/017-redundant-delivery-index.js';
import * as compressedRaw from './migrations/018-compressed-raw.js';
import * as snsUnsubscribed from './migrations/019-sns-unsubscribed.js';
import * as eventsByMessageAndType from './migrations/020-events-by-message-and-type.js';
import * as messageKeys from './migrations/021-message-keys.js';
import * as consoleSessions from './migrations/022-console-sessions.js';
import * as dkimKeyGeneratedAt from './migrations/023-dkim-key-generated-at.js';
import * as metricCounterShards from './migrations/024-metric-counter-shards.js';
import * as partialDeliveryIndexes from './migrations/025-partial-delivery-indexes.js';
import { PreparingClient } from './prepared-statements.js';

export type Dialect = 'sqlite' | 'postgres';

export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Human-readable location for the start banner (never includes a password). */
  location: string;
  /** Runs group-committed batches (see batch-writer.ts). */
  batchWriter: BatchWriter;
  /** Whether the database answers; outages are logged once each (see availability.ts). */
  health: DatabaseHealth;
  close(): Promise<void>;
}

const MIGRATIONS: Record<string, { up(db: Kysely<unknown>, dialect: Dialect): Promise<void> }> = {
  '001-initial': initial,
  '002-ses-resources': sesResources,
  '005-identity-notifications': identityNotifications,
  '003-delivery': delivery,
  '004-ses-config': sesConfig,
  '006-pinpoint': pinpoint,
  '007-sns': sns,
  '009-message-paging': messagePaging,
  '011-recipient-copies-and-quota-guard': recipientCopiesAndQuotaGuard,
  '013-console-indexes': consoleIndexes,
  '012-access-key-source': accessKeySource,
  '008-event-dispatch': eventDispatch,
  '015-event-recipient': eventRecipient,
  '014-easy-dkim-tokens': easyDkimTokens,
  '016-account-review': accountReview,
  '017-redundant-delivery-index': redundantDeliveryIndex,
  '018-compressed-raw': compressedRaw,
  '019-sns-unsubscribed': snsUnsubscribed,
  '020-events-by-message-and-type': eventsByMessageAndType,
  '021-message-keys': messageKeys,
  '022-console-sessions': consoleSessions,
  '023-dkim-key-generated-at': dkimKeyGeneratedAt,
  '024-metric-counter-shards': metricCounterShards,
  '025-partial-delivery-indexes': partialDeliveryIndexes,
};

// BIGINT columns hold epoch milliseconds, well inside Number's exact range.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface OpenDatabaseOptions {
  databaseUrl: string;
  dataDir: string;
  /** Where outages and lost connections are reported. */
  log?: Logger;
  /** Migrate only up to this migration (tests of a later one's upgrade of existing rows); default: all. */
  migrateTo?: string;
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<OpenedDatabase> {
  const health = new DatabaseHealth(opts.log);
  const target = databaseTarget(opts.databaseUrl, opts.dataDir);
  const opened = target.dialect === 'postgres' ? openPostgres(target.url, health, opts.log) : openSqlite(target.file, health);
  try {
    await migrate(opened.db, opened.dialect, opts.migrateTo);
  } catch (err) {
    await opened.close();
    throw err;
  }
  return opened;
}

function openSqlite(file: string, health: DatabaseHealth): OpenedDatabase {
  // Access-key secrets and DKIM private keys live in the database: only its owner may read it.
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  // SQLite creates the -wal and -shm files with the database file's mode.
  restrictToOwner(file);
  // FULL: a commit is on disk before the MessageId is answered (RFC 5321 6.1: never lose an accepted message).
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  // Longer waits for the write lock are asynchronous (sqlite-lock-waits.ts): a held lock must not stop the event loop.
  sqlite.pragma(`busy_timeout = ${SYNC_BUSY_TIMEOUT_MS}`);
  const dialect = asyncLockWaits(new SqliteDialect({ database: withStatementCache(sqlite) }), sqlite);
  const db = new Kysely<Database>({ dialect: guardedDialect(dialect, health) });
  // The writer thread opens the file once migrations have run on this connection (see openDatabase).
  let writer: BatchWriter | undefined;
  return {
    db,
    dialect: 'sqlite',
    location: file,
    health,
    get batchWriter() {
      return (writer ??= sqliteWriterThread(file, health));
    },
    close: async () => {
      await writer?.close();
      await db.destroy();
      health.close();
    },
  };
}

/** The database and its WAL files (created with the umask's mode) readable by their owner only. */
function restrictToOwner(file: string): void {
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      chmodSync(path, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

// Kysely's SQLite driver prepares every statement anew; on the hot path that costs more than running
// it. better-sqlite3 statements are reusable (and the driver is synchronous, so one never runs while
// another is mid-iteration), so keep the most recently used ones.
const STATEMENT_CACHE_SIZE = 500;

function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDatabaseLike {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (text: string) => {
      let statement = cache.get(text);
      if (statement) {
        cache.delete(text); // re-insert: Map order is recency order
      } else {
        statement = sqlite.prepare(text);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, statement);
      return statement;
    },
  };
}

// How long a request waits for a new connection when PostgreSQL does not answer (a black-holed
// host, not a refused one) before it is answered ServiceUnavailable.
const PG_CONNECT_TIMEOUT_MS = 5_000;

function openPostgres(url: string, health: DatabaseHealth, log: Logger | undefined): OpenedDatabase {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS, keepAlive: true, Client: PreparingClient });
  // A connection can die at any time: a PostgreSQL restart, a failover, pg_terminate_backend,
  // idle_session_timeout, a proxy. pg then emits 'error' on the client (and, for an idle one, on the
  // pool); an EventEmitter with no listener for 'error' throws, which ended the process. The pool
  // drops a dead client by itself (at once when idle, on release when checked out) and opens new
  // ones on demand, so nothing more is needed than to listen; the query that was running on it
  // fails and is answered ServiceUnavailable (guarded-dialect.ts).
  const lost = (err: Error) => log?.warn({ error: err.message, code: (err as { code?: string }).code }, 'a database connection was lost; the pool replaces it when needed');
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', () => {})); // reported by the pool (idle) or by the failing query (in use)
  const db = new Kysely<Database>({ dialect: guardedDialect(new PostgresDialect({ pool }), health) });
  let writer: BatchWriter | undefined;
  return {
    db,
    dialect: 'postgres',
    location: maskDatabaseUrl(url),
    get batchWriter() {
      return (writer ??= postgresWriterThread(url, PG_CONNECT_TIMEOUT_MS, health));
    },
    health,
    close: async () => {
      await writer?.close();
      await db.destroy();
      health.close();
    },
  };
}

async function migrate(db: Kysely<Database>, dialect: Dialect, target?: string): Promise<void> {
  const provider: MigrationProvider = {
    getMigrations: async () =>
      Object.fromEntries(
        Object.entries(MIGRATIONS).map(([name, m]): [string, Migration] => [name, { up: (d) => m.up(d, dialect) }]),
      ),
  };
  // Kysely's migrator takes a lock (a row lock on PostgreSQL), so several nodes may start at once.
  // On PostgreSQL its bookkeeping tables must live in the schema sesd uses (search_path), or it
  // finds another schema's tables and skips creating its own.
  const migrationTableSchema =
    dialect === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
  const migrator = new Migrator({ db, provider, migrationTableSchema });
  const { error, results } = target ? await migrator.migrateTo(target) : await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`database migration ${failed ?? ''} failed: ${(error as Error).message ?? String(error)}`);
  }
}
