// The delivery thread's side of delivery-thread.ts: a worker node until the parent says stop.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Config } from '../config/load-config.js';
import { createLogger } from '../logger.js';
import { startWorkerNode } from '../app.js';
import type { DeliveryThreadData, DeliveryThreadMessage } from './delivery-thread.js';

const { config, logLevel } = workerData as DeliveryThreadData;
const port = parentPort!;
const log = createLogger({ logLevel: logLevel as Config['logLevel'], logFormat: config.logFormat });
lowerPriority(config.delivery.threadNice, log);
const node = await startWorkerNode(config, log);
port.postMessage({ type: 'ready', workerId: node.workerId } satisfies DeliveryThreadMessage);
port.once('message', () => {
  void node.close().finally(() => port.postMessage({ type: 'stopped' } satisfies DeliveryThreadMessage));
});

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
