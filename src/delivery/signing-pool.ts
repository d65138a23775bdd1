// Signs messages in worker threads so DKIM's RSA work stays off the event loop. Keys travel as
// KeyObjects (cloneable across threads), so no thread ever parses a PEM per message.
import type { Worker } from 'node:worker_threads';
import { moduleWorker } from '../module-worker.js';
import { dkimSign, type DkimKey } from './dkim-sign.js';
import type { SignRequest, SignResponse } from './dkim-sign-worker.js';
import type { Signer } from './outgoing-message.js';

export interface SigningPool {
  sign: Signer;
  close(): Promise<void>;
}

interface Pending {
  worker: Worker;
  resolve(b: Buffer): void;
  reject(e: Error): void;
}

/** Threads start on the first signature, so a node that never signs (capture mode) has none. */
export function signingPool(size: number): SigningPool {
  const pending = new Map<number, Pending>();
  const load = new Map<Worker, number>();
  let nextId = 0;

  const lose = (w: Worker, err: Error) => {
    load.delete(w);
    for (const [id, p] of pending) {
      if (p.worker !== w) continue;
      pending.delete(id);
      p.reject(err);
    }
  };

  let started = false;
  const start = () => {
    started = true;
    for (let i = 0; i < size; i++) spawn();
  };
  const spawn = () => {
    const w = moduleWorker(import.meta.url, 'dkim-sign-worker');
    w.unref();
    load.set(w, 0);
    w.on('message', (res: SignResponse) => {
      if (load.has(w)) load.set(w, load.get(w)! - 1);
      const p = pending.get(res.id);
      pending.delete(res.id);
      if (!p) return;
      if ('error' in res) p.reject(new Error(res.error));
      else p.resolve(Buffer.from(res.signed.buffer, res.signed.byteOffset, res.signed.byteLength));
    });
    w.on('error', (err) => lose(w, err));
    w.on('exit', () => lose(w, new Error('DKIM signing thread exited')));
  };

  return {
    sign: (raw: Buffer, key: DkimKey) => {
      if (!started) start();
      const workers = [...load.keys()];
      // Should every thread be gone, signing goes on here rather than not at all.
      if (workers.length === 0) return Promise.resolve(dkimSign(raw, key));
      return new Promise<Buffer>((resolve, reject) => {
        const id = nextId++;
        const worker = workers.reduce((a, b) => (load.get(b)! < load.get(a)! ? b : a));
        pending.set(id, { worker, resolve, reject });
        load.set(worker, load.get(worker)! + 1);
        worker.postMessage({ id, raw, key, now: Date.now() } satisfies SignRequest);
      });
    },
    close: async () => {
      const workers = [...load.keys()];
      load.clear();
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
