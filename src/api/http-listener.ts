// The HTTP listener: one fastify server for the AWS APIs (every path not claimed by the inspection
// routes) with bodies kept raw, because SigV4 signs the exact bytes. It bounds its connections (in
// total and per client address) and how long each may take, so that idle sockets cannot hold the
// process's file descriptors: the SMTP listeners, the database and delivery need theirs too.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { ConnectionLimit } from '../net/connection-limit.js';
import { serviceUnavailableResponse, type AwsRouter } from './router.js';

// SES v2 accepts 40 MB messages; base64 in JSON makes that ~54 MB on the wire.
const MAX_BODY_BYTES = 60 * 1024 * 1024;

export interface HttpLimits {
  /** Open connections; past it the kernel's accept is closed at once. */
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** From connecting (or the start of a request) to the end of its headers. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection between requests. */
  keepAliveTimeoutMs: number;
  /** A whole request, body included. */
  requestTimeoutMs: number;
  /** Proxies whose X-Forwarded-For gives `request.ip` (comma-separated addresses or CIDRs); empty: none. */
  trustProxy?: string;
}

// Closing idle keep-alive connections to make room costs a walk over every connection: at most
// this often, however fast connections are refused.
const SHED_INTERVAL_MS = 1000;

export function createHttpServer(router: AwsRouter, limits: HttpLimits): FastifyInstance {
  // return503OnClosing off: fastify's own 503 body is not an AWS error; the onRequest hook below answers instead.
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    return503OnClosing: false,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    ...(limits.trustProxy ? { trustProxy: limits.trustProxy } : {}),
    http: {
      headersTimeout: limits.headersTimeoutMs,
      // How often Node looks for connections past their headers or request timeout; its default
      // (30 s) would let an idle socket outlive a short headers timeout by that much.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.headersTimeoutMs / 2)),
    },
  });
  limitConnections(app, limits);
  // Once closing, a request that still arrives (on a kept-alive connection) gets ServiceUnavailable
  // in its protocol's shape, and its connection is closed, so the client retries elsewhere or later.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', (request, reply, done) => {
    if (!closing) return done();
    const url = request.raw.url ?? '/';
    const q = url.indexOf('?');
    const response = serviceUnavailableResponse(request.method, q < 0 ? url : url.slice(0, q));
    void reply.code(response.status).headers(response.headers).header('connection', 'close').send(response.body);
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const serveAws = async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : await unparsedBody(request.raw);
    if (body === undefined) return reply.code(413).send({ message: `Request body exceeds ${MAX_BODY_BYTES} bytes.` });
    const url = request.raw.url ?? '/';
    const q = url.indexOf('?');
    const response = await router(
      {
        method: request.method,
        path: q < 0 ? url : url.slice(0, q),
        query: q < 0 ? '' : url.slice(q + 1),
        headers: request.headers,
        rawHeaders: request.raw.rawHeaders,
        body,
      },
      request.ip,
    );
    return reply.code(response.status).headers(response.headers).send(response.body);
  };
  app.all('/', serveAws);
  app.all('/*', serveAws);
  return app;
}

/**
 * The body of a request fastify did not read (it reads none for GET and HEAD). Older SDKs send one
 * there (botocore 1.29's ListContacts: GET with a JSON body) and sign it, so it is read for the
 * signature and the operation alike. Undefined when it is over the limit.
 */
async function unparsedBody(raw: IncomingMessage): Promise<Buffer | undefined> {
  if (raw.readableEnded || (raw.headers['content-length'] === undefined && raw.headers['transfer-encoding'] === undefined)) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      raw.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Past the total, Node closes new connections as the kernel hands them over (nothing is read or
 * parsed) and sesd closes idle keep-alive connections to make room for the next ones; past the
 * per-address limit, sesd closes the new connection at once.
 */
function limitConnections(app: FastifyInstance, limits: HttpLimits): void {
  const server = app.server;
  server.maxConnections = limits.maxConnections;
  const perAddress = new ConnectionLimit({ maxConnections: limits.maxConnections, maxPerAddress: limits.maxConnectionsPerIp });
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if (!perAddress.tryAcquire(address)) {
      socket.destroy();
      return;
    }
    socket.once('close', () => perAddress.release(address));
  });
  let lastShed = 0;
  server.on('drop', () => {
    const now = Date.now();
    if (now - lastShed < SHED_INTERVAL_MS) return;
    lastShed = now;
    server.closeIdleConnections();
  });
}
