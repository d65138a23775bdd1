// Delivery in its own thread, beside the listeners of the same process. Delivery's work (claims,
// events, MIME and TLS per recipient) and, on SQLite, its waits for the database's write lock
// would otherwise share the event loop that answers API and SMTP clients: measured, running
// delivery on that loop cost intake almost half its throughput (bench/send-email.ts). The thread
// is a worker node (app.ts startWorkerNode) with its own connection; like any other node it takes
// its recipients from the shared queue, so nothing is handed over between threads.
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Config } from '../config/load-config.js';
import { moduleWorker } from '../module-worker.js';
import { resolveLogFormat } from '../logger.js';

export interface DeliveryThreadData {
  config: Config;
  logLevel: string;
}

export type DeliveryThreadMessage = { type: 'ready'; workerId: string } | { type: 'stopped' };

const RESTART_DELAY_MS = 1_000;

/** Starts the delivery thread, restarting it should it fail, until stop() is called. */
export function startDeliveryThread(config: Config, log: Logger): { stop(): Promise<void>; running(): boolean } {
  let worker: Worker | undefined;
  let ready = false;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = (): void => {
    const w = moduleWorker(import.meta.url, 'delivery-thread-main', { workerData: { config: { ...config, logFormat: resolveLogFormat(config.logFormat) }, logLevel: log.level } satisfies DeliveryThreadData });
    worker = w;
    exited = new Promise((resolve) => w.once('exit', () => resolve()));
    w.on('message', (m: DeliveryThreadMessage) => {
      if (m.type === 'ready') {
        ready = worker === w;
        log.debug({ workerId: m.workerId }, 'delivery thread running');
      }
      // Closed: whatever the thread still holds (an idle pool's timer) must not keep it alive.
      if (m.type === 'stopped') void w.terminate();
    });
    w.on('error', (err) => log.error({ err }, 'the delivery thread failed'));
    w.once('exit', (code) => {
      if (worker === w) {
        worker = undefined;
        ready = false;
      }
      if (stopping) return;
      log.error({ code }, `the delivery thread stopped; restarting it in ${RESTART_DELAY_MS} ms`);
      restartTimer = setTimeout(start, RESTART_DELAY_MS);
    });
  };
  start();

  return {
    /** The thread started its worker node and has not exited (readiness). */
    running: () => ready,
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      // The thread finishes the recipients in flight and closes its store, then says so.
      worker?.postMessage('stop');
      await exited;
    },
  };
}
