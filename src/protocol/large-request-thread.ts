// The thread of large-request-decoder.ts: decodes a large request body from its service model, with
// decodeRequest, the code the event loop runs for small bodies.
import { parentPort } from 'node:worker_threads';
import { AwsError } from '../domain/errors.js';
import { decodeRequest } from './decode-request.js';
import type { LargeRequestJob, LargeRequestResult } from './large-request-decoder.js';

parentPort!.on('message', ({ id, req, route }: LargeRequestJob) => {
  const body = Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength);
  let result: LargeRequestResult;
  try {
    const decoded = decodeRequest({ ...req, body }, route);
    result = { id, decoded };
  } catch (err) {
    result = {
      id,
      error: err instanceof AwsError
        ? { code: err.code, message: err.message, httpStatus: err.httpStatus, senderFault: err.senderFault, queryCode: err.queryCode, queryMessage: err.queryMessage }
        : { message: String(err instanceof Error ? err.message : err) },
    };
  }
  // The decoded blobs (a raw message of megabytes) are handed over, not copied.
  parentPort!.postMessage(result, 'decoded' in result ? ownedBuffers(result.decoded) : []);
});

/** The ArrayBuffers of the large byte arrays in a decoded input, which only it uses. */
function ownedBuffers(value: unknown, out: ArrayBuffer[] = []): ArrayBuffer[] {
  if (value instanceof Uint8Array) {
    // Small Buffers share Node's pool with others: those are copied.
    if (value.byteOffset === 0 && value.byteLength === value.buffer.byteLength && value.buffer instanceof ArrayBuffer && !out.includes(value.buffer)) out.push(value.buffer);
  } else if (Array.isArray(value)) {
    for (const v of value) ownedBuffers(v, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) ownedBuffers(v, out);
  }
  return out;
}
