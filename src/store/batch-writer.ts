// Where group-committed writes run: a worker thread with its own connection, for either database.
// On SQLite better-sqlite3 is synchronous, so a commit with synchronous=FULL would otherwise stop
// the event loop for the whole fsync, and no other request could be read meanwhile to join the
// next batch. On PostgreSQL the thread takes the batch's encoding for the wire (its raw messages are
// most of the bytes), the socket writes and the compression of small messages off the event loop:
// with them on it, the API's thread was the limit of one node (sending a batch's statement was 12%
// of its time, compressing 5%) while the machine was a third idle. The batch is one statement when
// it is only INSERTs (raw-sql.ts's combinedInserts), else one transaction.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { CompiledQuery } from 'kysely';
import type { DatabaseHealth } from './availability.js';
import { combinedInserts, packedBytes } from './raw-sql.js';

export interface BatchWriter {
  /** Runs the queries in one transaction; resolves once it is committed. */
  run(queries: readonly CompiledQuery[]): Promise<void>;
  close(): Promise<void>;
}

// What both workers share: a parameter's binding (bytes as a Buffer: a posted one arrives as a
// Uint8Array, which pg would bind as JSON; a DeferredDeflate compressed; each element of an array,
// a PostgreSQL bulk insert's column), and an error described for
// the main thread's translation (availability.ts, quota-guard.ts): its code (or its first cause's,
// for a connection's AggregateError), message and constraint.
const WORKER_COMMON = `
const { deflateRawSync } = require('node:zlib');
const toBinding = (p) => {
  if (Array.isArray(p)) return p.map(toBinding);
  if (p instanceof Uint8Array) return Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength);
  if (p && p.deflateRaw instanceof Uint8Array) return deflateRawSync(p.deflateRaw, p.options);
  return p;
};
const described = (err) => ({
  message: String(err && err.message),
  code: (err && err.code) || (err && Array.isArray(err.errors) && err.errors.map((e) => e && e.code).find(Boolean)) || undefined,
  constraint: err && err.constraint,
});`;

// Runs in the worker (eval'd, CommonJS). It opens the same file with the same durability settings,
// keeps prepared statements, and runs each batch as one transaction. A raw message left to it
// (stored-raw.ts's DeferredDeflate) is compressed before the transaction, not while it holds the
// write lock. The lock is waited for in steps of 0.1 ms growing to 2 ms rather than by SQLite's busy
// handler, whose sleeps grow 1, 2, 5, 10 ms...: the delivery thread's commits hold the lock for a
// millisecond or two, and each sleep past their end was added to every message of the batch
// (SMTP p99 ~27 ms with delivery running, ~19 ms without it).
const SQLITE_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 0');
const LOCK_WAIT_MS = 5000;
const pause = new Int32Array(new SharedArrayBuffer(4));
const statements = new Map();
const prepared = (sql) => {
  let s = statements.get(sql);
  if (!s) {
    if (statements.size > 200) statements.clear();
    statements.set(sql, (s = db.prepare(sql)));
  }
  return s;
};
${WORKER_COMMON}
const runBatch = db.transaction((batch) => {
  for (const { statement, parameters } of batch) statement.run(parameters);
});
const runWhenUnlocked = (batch) => {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let waitMs = 0.1; ; waitMs = Math.min(waitMs * 2, 2)) {
    try {
      return runBatch.immediate(batch);
    } catch (err) {
      if (!err || !String(err.code).startsWith('SQLITE_BUSY') || Date.now() > deadline) throw err;
      Atomics.wait(pause, 0, 0, waitMs);
    }
  }
};
parentPort.on('message', ({ id, queries, close }) => {
  if (close) {
    db.close();
    parentPort.postMessage({ id, closed: true });
    return;
  }
  try {
    runWhenUnlocked(queries.map((q) => ({ statement: prepared(q.sql), parameters: q.parameters.map(toBinding) })));
    parentPort.postMessage({ id });
  } catch (err) {
    parentPort.postMessage({ id, error: described(err) });
  }
});
`;

// Runs in the worker (eval'd, CommonJS): a pool of POSTGRES_WRITER_CONNECTIONS, each batch as one
// statement or one transaction on one of them. A raw message left to it (stored-raw.ts's
// DeferredDeflate) is compressed here.
const POSTGRES_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const pg = require(workerData.driver);
const pool = new pg.Pool({ connectionString: workerData.url, max: workerData.connections, connectionTimeoutMillis: workerData.connectTimeoutMs, keepAlive: true });
// A lost connection is replaced by the pool on the next batch; the batch it held fails (and is answered).
pool.on('error', () => {});
pool.on('connect', (client) => client.on('error', () => {}));
${WORKER_COMMON}
${packedBytes.toString()}
// A statement's parameters bound: a bytea column left packed for this thread (raw-sql.ts
// toPackInWriter) becomes packedBytes's three parameters once its messages are compressed.
const bindParameters = (parameters) => {
  let packed;
  return parameters.map((p) => {
    if (p && p.packBytes) return (packed = packedBytes(p.packBytes.map(toBinding)))[0];
    if (p && p.packOffsets) return packed[1];
    if (p && p.packLengths) return packed[2];
    return toBinding(p);
  });
};
// INSERTs run as named (prepared) statements: their text is the same from batch to batch (raw-sql.ts
// BulkInsert), so each connection parses and plans it once. Other statements' texts vary with their
// IN lists; a bound keeps the names a connection holds few whatever comes.
const names = new Map();
const NAMED_LIMIT = 100;
const statement = (q) => {
  let name = names.get(q.sql);
  if (name === undefined && names.size < NAMED_LIMIT && (q.sql.startsWith('insert into ') || q.sql.startsWith('with q0 as (insert into '))) names.set(q.sql, (name = 'sesd_' + names.size));
  return { name, text: q.sql, values: q.parameters };
};
const runBatch = async (queries) => {
  if (queries.length === 1) return pool.query(statement(queries[0]));
  const client = await pool.connect();
  try {
    await client.query('begin');
    for (const q of queries) await client.query(statement(q));
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
};
parentPort.on('message', async ({ id, queries, close }) => {
  if (close) {
    await pool.end().catch(() => {});
    parentPort.postMessage({ id, closed: true });
    return;
  }
  try {
    await runBatch(queries.map((q) => ({ sql: q.sql, parameters: bindParameters(q.parameters) })));
    parentPort.postMessage({ id });
  } catch (err) {
    parentPort.postMessage({ id, error: described(err) });
  }
});
`;

export function sqliteWriterThread(file: string, health: DatabaseHealth): BatchWriter {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  return writerThread('SQLite', SQLITE_WORKER_SOURCE, { file, driver }, health, (queries) => queries);
}

/**
 * The PostgreSQL writer's connections, and so the batches of accepted mail it commits at once: the
 * next batch's statement runs while the last one's commit waits for the disk, rather than after its
 * answer. SendEmail at c=50, two runs against one connection: p99 82 -> 50 and 134 -> 75 ms, the
 * same rate (two connections / one: 1.04x, 0.99x). Batches of one writer add to the same metric
 * counter rows (metric-counters.ts), so the second waits there for the first's commit; both take
 * the rows in one order. A shard of its own for each batch, so that they never wait, read rounds of
 * 0.90, 0.98, 1.05 and 1.03 against this: that wait does not limit the rate.
 */
export const POSTGRES_WRITER_CONNECTIONS = 2;

export function postgresWriterThread(url: string, connectTimeoutMs: number, health: DatabaseHealth): BatchWriter {
  const driver = createRequire(import.meta.url).resolve('pg');
  // One statement when the batch is only INSERTs (its text is made here, its values bound there).
  return writerThread('PostgreSQL', POSTGRES_WORKER_SOURCE, { url, driver, connectTimeoutMs, connections: POSTGRES_WRITER_CONNECTIONS }, health, (queries) => {
    const single = queries.length === 1 ? queries[0] : combinedInserts(queries);
    return single ? [single] : queries;
  });
}

interface WorkerAnswer {
  id: number;
  error?: { message: string; code?: string; constraint?: string };
  closed?: boolean;
}

// How long close() waits for the thread to end its connections before it stops it.
const CLOSE_WAIT_MS = 2_000;

function writerThread(
  database: string,
  source: string,
  workerData: Record<string, unknown>,
  health: DatabaseHealth,
  statements: (queries: readonly CompiledQuery[]) => readonly CompiledQuery[],
): BatchWriter {
  const pending = new Map<number, { resolve(): void; reject(err: unknown): void }>();
  let nextId = 0;
  let worker: Worker | undefined;
  let closed = false;

  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(health.translate(err));
    pending.clear();
  };
  // Started on first use, and again after it stopped (it should not, but a batch posted to a dead
  // thread would wait forever): the batches it held fail, later ones get a new thread.
  const start = (): Worker => {
    const w = new Worker(source, { eval: true, workerData });
    w.on('message', ({ id, error }: WorkerAnswer) => {
      const p = pending.get(id);
      pending.delete(id);
      if (!p) return;
      if (!error) {
        health.succeeded();
        p.resolve();
      } else {
        p.reject(health.translate(Object.assign(new Error(error.message), { code: error.code, constraint: error.constraint })));
      }
    });
    w.on('error', failAll);
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      failAll(new Error(`the ${database} writer thread stopped`));
    });
    w.unref();
    return w;
  };
  const post = (message: Record<string, unknown>) =>
    new Promise<void>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      (worker ??= start()).postMessage({ id, ...message });
    });

  return {
    run: (queries) => {
      if (closed) return Promise.reject(new Error('the store is closed'));
      return post({ queries: statements(queries).map((q) => ({ sql: q.sql, parameters: q.parameters })) });
    },
    close: async () => {
      closed = true;
      if (!worker) return;
      // Its connections ended in order (PostgreSQL), then the thread; the process waits for it (the
      // thread is unref'd so as not to keep an idle process alive, and may be all there is left).
      worker.ref();
      await Promise.race([post({ close: true }).catch(() => {}), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]);
      await worker?.terminate();
    },
  };
}
