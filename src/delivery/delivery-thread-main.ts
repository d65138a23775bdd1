// The delivery thread's side of delivery-thread.ts: a worker node until the parent says stop.
import { parentPort, workerData } from 'node:worker_threads';
import { pino, type Level } from 'pino';
import { startWorkerNode } from '../app.js';
import type { DeliveryThreadData, DeliveryThreadMessage } from './delivery-thread.js';

const { config, logLevel } = workerData as DeliveryThreadData;
const port = parentPort!;
const node = await startWorkerNode(config, pino({ level: logLevel as Level }, pino.destination(2)));
port.postMessage({ type: 'ready', workerId: node.workerId } satisfies DeliveryThreadMessage);
port.once('message', () => {
  void node.close().finally(() => port.postMessage({ type: 'stopped' } satisfies DeliveryThreadMessage));
});
