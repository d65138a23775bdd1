// SQLite's WAL checkpoints, in a thread of their own. A checkpoint copies the WAL's pages into the
// database file and fsyncs both; run by the commit that crossed SQLite's threshold (its default),
// it stopped that connection's thread for milliseconds: the event loop (every request waited) or
// the writer thread (every message being accepted waited for the next batch). So every connection
// of the process has wal_autocheckpoint = 0 and this thread runs a PASSIVE checkpoint, which never
// waits for a reader or a writer, every CHECKPOINT_EVERY_MS; one with nothing to copy costs a lock
// and a read.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const CHECKPOINT_EVERY_MS = 500;
const RESTART_DELAY_MS = 1_000;

// Runs in the worker (eval'd, CommonJS). synchronous = FULL: a checkpoint then fsyncs the WAL before
// copying it and the database file after (with OFF it would not, and a power loss could corrupt it).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('synchronous = FULL');
db.pragma('wal_autocheckpoint = 0');
setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or failing: the next turn tries again, and the WAL only grows meanwhile.
  }
}, workerData.everyMs);
`;

/** Checkpoints `file`'s WAL until closed; started again should the thread stop. */
export function startCheckpointThread(file: string): { close(): Promise<void> } {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  let closed = false;
  let worker: Worker | undefined;
  let restart: NodeJS.Timeout | undefined;
  const start = () => {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, everyMs: CHECKPOINT_EVERY_MS } });
    // An error ends the thread: 'exit' follows and starts another.
    w.on('error', () => {});
    w.on('exit', () => {
      if (!closed) restart = setTimeout(start, RESTART_DELAY_MS).unref();
    });
    w.unref();
    worker = w;
  };
  start();
  return {
    close: async () => {
      closed = true;
      clearTimeout(restart);
      await worker?.terminate();
    },
  };
}
