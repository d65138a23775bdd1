// The thread of large-request-decoder.ts: decodes a large request body from its service model, with
// decodeRequest, the code the event loop runs for small bodies.
import { AwsError } from '../domain/errors.js';
import { ownedBuffers, serveJobs } from '../job-thread.js';
import { decodeRequest } from './decode-request.js';
import type { LargeRequestJob, WireError } from './large-request-decoder.js';

serveJobs(
  ({ req, route }: LargeRequestJob) => {
    const body = Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength);
    const decoded = decodeRequest({ ...req, body }, route);
    // The decoded blobs (a raw message of megabytes) are handed over, not copied.
    return { result: decoded, transfer: ownedBuffers(decoded) };
  },
  (err): WireError =>
    err instanceof AwsError
      ? { code: err.code, message: err.message, httpStatus: err.httpStatus, senderFault: err.senderFault, queryCode: err.queryCode, queryMessage: err.queryMessage }
      : { message: String(err instanceof Error ? err.message : err) },
);
