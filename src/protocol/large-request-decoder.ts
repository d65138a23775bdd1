// A request body of megabytes (a raw message with attachments: SES v2 takes 40 MB, 54 MB as base64
// in JSON) costs hundreds of milliseconds to parse and base64-decode: measured with a 25 MB message,
// every other request waited up to 390 ms. From LARGE_BODY_BYTES on, decoding runs in a thread of
// its own (large-request-thread.ts), one request at a time, while the event loop goes on (and
// sigv4.ts hashes such a body in the thread pool).
import type { Worker } from 'node:worker_threads';
import { AwsError } from '../domain/errors.js';
import { moduleWorker } from '../module-worker.js';
import type { DecodedRequest } from './decode-request.js';
import type { WireRequest } from './rest-json.js';
import type { ServiceRoute } from './route-service.js';

/** Smaller bodies are decoded on the event loop: the thread's round trip would cost more. */
export const LARGE_BODY_BYTES = 1024 * 1024;

type WireError = { code?: string; message: string; httpStatus?: number; senderFault?: boolean; queryCode?: string; queryMessage?: string };

export interface LargeRequestJob {
  id: number;
  req: Omit<WireRequest, 'rawHeaders'>;
  route: ServiceRoute;
}

export type LargeRequestResult = { id: number } & ({ decoded: DecodedRequest } | { error: WireError });

const pending = new Map<number, { resolve(r: LargeRequestResult): void; reject(err: unknown): void }>();
let nextId = 0;
let thread: Worker | undefined;

/** decodeRequest's answer (or error) for a large request, from the thread. */
export async function decodeLargeRequest(req: WireRequest, route: ServiceRoute): Promise<DecodedRequest> {
  const result = await new Promise<LargeRequestResult>((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    const job: LargeRequestJob = { id, req: { method: req.method, path: req.path, query: req.query, headers: req.headers, body: req.body }, route };
    (thread ??= start()).postMessage(job);
  });
  if ('error' in result) throw fromWire(result.error);
  return { operation: result.decoded.operation, input: withBuffers(result.decoded.input) as Record<string, unknown> };
}

// One thread for the process, started on first use: it holds nothing between requests, so every
// sesd in the process (tests start several) can share it, and it never keeps the process alive.
function start(): Worker {
  const worker = moduleWorker(import.meta.url, 'large-request-thread');
  worker.on('message', (result: LargeRequestResult) => {
    pending.get(result.id)?.resolve(result);
    pending.delete(result.id);
  });
  const fail = (err: unknown) => {
    if (thread === worker) thread = undefined;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', () => fail(new Error('the large-request thread stopped')));
  worker.unref();
  return worker;
}

function fromWire(e: WireError): Error {
  return e.code === undefined ? new Error(e.message) : new AwsError(e.code, e.message, e.httpStatus, e.senderFault, e.queryCode, e.queryMessage);
}

/** Blobs come back from the thread as Uint8Arrays: Buffers again (same memory), as decodeRequest gives them. */
function withBuffers(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(withBuffers);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withBuffers(v)]));
  }
  return value;
}
