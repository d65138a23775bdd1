// A request body of megabytes (a raw message with attachments: SES v2 takes 40 MB, 54 MB as base64
// in JSON) costs hundreds of milliseconds to parse and base64-decode: measured with a 25 MB message,
// every other request waited up to 390 ms. From LARGE_BODY_BYTES on, decoding runs in a thread of
// its own (large-request-thread.ts), one request at a time, while the event loop goes on (and
// sigv4.ts hashes such a body in the thread pool).
import { AwsError } from '../domain/errors.js';
import { JobThread, OFF_THREAD_BYTES, withBuffers } from '../job-thread.js';
import type { DecodedRequest } from './decode-request.js';
import type { WireRequest } from './rest-json.js';
import type { ServiceRoute } from './route-service.js';

/** Smaller bodies are decoded on the event loop. */
export const LARGE_BODY_BYTES = OFF_THREAD_BYTES;

/** An AwsError as plain data, for the way back from the thread. */
export type WireError = { code?: string; message: string; httpStatus?: number; senderFault?: boolean; queryCode?: string; queryMessage?: string };

export interface LargeRequestJob {
  req: Omit<WireRequest, 'rawHeaders'>;
  route: ServiceRoute;
}

const thread = new JobThread<LargeRequestJob, DecodedRequest>(import.meta.url, 'large-request-thread');

/** decodeRequest's answer (or error) for a large request, from the thread. */
export async function decodeLargeRequest(req: WireRequest, route: ServiceRoute): Promise<DecodedRequest> {
  const decoded = await thread.run({ req: { method: req.method, path: req.path, query: req.query, headers: req.headers, body: req.body }, route }, (e) => fromWire(e as WireError));
  return { operation: decoded.operation, input: withBuffers(decoded.input) as Record<string, unknown> };
}

function fromWire(e: WireError): Error {
  return e.code === undefined ? new Error(e.message) : new AwsError(e.code, e.message, e.httpStatus, e.senderFault, e.queryCode, e.queryMessage);
}
