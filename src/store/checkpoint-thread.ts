// SQLite's WAL checkpoints, in a thread of their own. A checkpoint copies the WAL's pages into the
// database file and fsyncs both; run by the commit that crossed SQLite's threshold (its default),
// it stopped that connection's thread for milliseconds: the event loop (every request waited) or
// the writer thread (every message being accepted waited for the next batch). So every connection
// of the process has wal_autocheckpoint = 0 and this thread runs a PASSIVE checkpoint, which never
// waits for a reader or a writer, every CHECKPOINT_EVERY_MS; one with nothing to copy costs a lock
// and a read.
//
// The WAL starts again from its beginning only after a checkpoint has caught up with its end, and
// under a steady stream of commits a PASSIVE one never does: the WAL grew by 4.5 GB in a minute of
// SendEmail at 3,000/s. So once it holds more than RESTART_FRAMES, a TRUNCATE checkpoint follows the
// PASSIVE one: it holds new writers back while it copies the few frames left and waits (at most
// RESTART_WAIT_MS, else it tries again next time) for readers to leave the WAL, then empties it.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const CHECKPOINT_EVERY_MS = 500;
/** 4,096 pages of 4 kB: 16 MB. */
const RESTART_FRAMES = 4_096;
const RESTART_WAIT_MS = 100;
const RESTART_DELAY_MS = 1_000;

// Runs in the worker (eval'd, CommonJS). synchronous = FULL: a checkpoint then fsyncs the WAL before
// copying it and the database file after (with OFF it would not, and a power loss could corrupt it).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('synchronous = FULL');
db.pragma('wal_autocheckpoint = 0');
// Only the TRUNCATE checkpoint waits (PASSIVE never calls the busy handler).
db.pragma('busy_timeout = ' + workerData.restartWaitMs);
setInterval(() => {
  try {
    const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)');
    if (log > workerData.restartFrames) db.pragma('wal_checkpoint(TRUNCATE)');
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
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, everyMs: CHECKPOINT_EVERY_MS, restartFrames: RESTART_FRAMES, restartWaitMs: RESTART_WAIT_MS } });
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
