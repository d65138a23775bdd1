// Worker thread of the signing pool: RSA signatures cost about half a millisecond each, which at a
// thousand messages a second is half of the event loop; here they use the other cores.
import { parentPort } from 'node:worker_threads';
import { dkimSign, type DkimKey } from './dkim-sign.js';

export interface SignRequest {
  id: number;
  raw: Uint8Array;
  key: DkimKey;
  now: number;
}

export type SignResponse = { id: number; signed: Uint8Array } | { id: number; error: string };

parentPort!.on('message', (req: SignRequest) => {
  try {
    const signed = dkimSign(Buffer.from(req.raw.buffer, req.raw.byteOffset, req.raw.byteLength), req.key, req.now);
    const out = new Uint8Array(signed.byteLength);
    out.set(signed);
    parentPort!.postMessage({ id: req.id, signed: out } satisfies SignResponse, [out.buffer]);
  } catch (err) {
    parentPort!.postMessage({ id: req.id, error: (err as Error).message } satisfies SignResponse);
  }
});
