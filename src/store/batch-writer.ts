// Where group-committed writes run. On PostgreSQL, one statement on the pool when the batch is
// INSERTs (raw-sql.ts's combinedInserts), else a transaction (the commit waits off the event
// loop). On SQLite, a worker thread with its own connection: better-sqlite3 is synchronous, so a
// commit with synchronous=FULL would otherwise stop the event loop for the whole fsync, and no
// other request could be read meanwhile to join the next batch.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { CompiledQuery, Kysely } from 'kysely';
import type { DatabaseHealth } from './availability.js';
import type { Database } from './schema.js';
import { combinedInserts } from './raw-sql.js';
import { resolveDeferred } from './stored-raw.js';

export interface BatchWriter {
  /** Runs the queries in one transaction; resolves once it is committed. */
  run(queries: readonly CompiledQuery[]): Promise<void>;
  close(): Promise<void>;
}

export function transactionWriter(db: Kysely<Database>): BatchWriter {
  return {
    run: async (queries) => {
      const resolved = queries.map((q) => ({ ...q, parameters: q.parameters.map(resolveDeferred) }));
      const single = resolved.length === 1 ? resolved[0] : combinedInserts(resolved);
      if (single) {
        await db.executeQuery(single);
        return;
      }
      await db.transaction().execute(async (trx) => {
        for (const q of resolved) await trx.executeQuery(q);
      });
    },
    close: async () => {},
  };
}

// Runs in the worker (eval'd, CommonJS). It opens the same file with the same durability settings,
// keeps prepared statements, and runs each batch as one transaction. A raw message left to it
// (stored-raw.ts's DeferredDeflate) is compressed before the transaction, not while it holds the
// write lock. The lock is waited for in steps of 0.1 ms growing to 2 ms rather than by SQLite's busy
// handler, whose sleeps grow 1, 2, 5, 10 ms...: the delivery thread's commits hold the lock for a
// millisecond or two, and each sleep past their end was added to every message of the batch
// (SMTP p99 ~27 ms with delivery running, ~19 ms without it).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { deflateRawSync } = require('node:zlib');
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
const toBinding = (p) => {
  if (p instanceof Uint8Array) return Buffer.isBuffer(p) ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength);
  if (p && p.deflateRaw instanceof Uint8Array) return deflateRawSync(p.deflateRaw, p.options);
  return p;
};
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
parentPort.on('message', ({ id, queries }) => {
  try {
    runWhenUnlocked(queries.map((q) => ({ statement: prepared(q.sql), parameters: q.parameters.map(toBinding) })));
    parentPort.postMessage({ id });
  } catch (err) {
    parentPort.postMessage({ id, error: { message: String(err && err.message), code: err && err.code } });
  }
});
`;

export function sqliteWriterThread(file: string, health: DatabaseHealth): BatchWriter {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
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
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver } });
    w.on('message', ({ id, error }: { id: number; error?: { message: string; code?: string } }) => {
      const p = pending.get(id);
      pending.delete(id);
      if (!p) return;
      if (!error) {
        health.succeeded();
        p.resolve();
      } else {
        p.reject(health.translate(Object.assign(new Error(error.message), { code: error.code })));
      }
    });
    w.on('error', failAll);
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      failAll(new Error('the SQLite writer thread stopped'));
    });
    w.unref();
    return w;
  };

  return {
    run: (queries) =>
      new Promise<void>((resolve, reject) => {
        if (closed) return reject(new Error('the store is closed'));
        const id = nextId++;
        pending.set(id, { resolve, reject });
        (worker ??= start()).postMessage({ id, queries: queries.map((q) => ({ sql: q.sql, parameters: q.parameters })) });
      }),
    close: async () => {
      closed = true;
      await worker?.terminate();
    },
  };
}
