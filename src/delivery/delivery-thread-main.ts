// The delivery thread's side of delivery-thread.ts: a worker node until the parent says stop.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Config } from '../config/load-config.js';
import { createLogger } from '../logger.js';
import { startWorkerNode } from '../app.js';
import { isServiceUnavailable } from '../store/availability.js';
import { openStore } from '../store/store.js';
import type { DeliveryThreadData, DeliveryThreadMessage } from './delivery-thread.js';

const { config, logLevel } = workerData as DeliveryThreadData;
const START_RETRY_MS = 1_000;
const port = parentPort!;
const log = createLogger({ logLevel: logLevel as Config['logLevel'], logFormat: config.logFormat });
lowerPriority(config.delivery.threadNice, log);
const node = await startWhenTheDatabaseAnswers();
port.postMessage({ type: 'ready', workerId: node.workerId } satisfies DeliveryThreadMessage);
port.once('message', () => {
  void node.close().finally(() => port.postMessage({ type: 'stopped' } satisfies DeliveryThreadMessage));
});

/**
 * Starts the worker node, waiting while the database is unavailable. Exiting instead made the
 * parent start the thread again every second or two, each start logging the outage anew with its
 * stack; here the first attempt logs it, and the thread then waits quietly until the database answers.
 */
async function startWhenTheDatabaseAnswers(): Promise<Awaited<ReturnType<typeof startWorkerNode>>> {
  for (;;) {
    try {
      return await startWorkerNode(config, log);
    } catch (err) {
      if (!isServiceUnavailable(err)) throw err;
      await databaseAnswers();
    }
  }
}

async function databaseAnswers(): Promise<void> {
  const quiet = log.child({}, { level: 'silent' });
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, START_RETRY_MS));
    try {
      await (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log: quiet })).close();
      return;
    } catch (err) {
      if (!isServiceUnavailable(err)) throw err;
    }
  }
}

/**
 * Gives this thread (and the threads it starts) a nice value of its own. Linux keeps one per
 * thread and takes a thread id where setpriority(2) names a process; /proc/thread-self names it.
 */
function lowerPriority(nice: number, log: Logger): void {
  if (nice === 0) return;
  try {
    setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), nice);
  } catch (err) {
    log.debug({ err }, 'the delivery thread keeps the priority of the process');
  }
}
