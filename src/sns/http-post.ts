// One HTTP/S POST of an SNS message: to the address the guard checked, redirects not followed (a
// 3xx is the endpoint's answer), a 15 s limit as SNS has, and the answer's status and latency
// reported as values, never thrown. Connections are kept alive between messages (a connection per
// message cost both sides more than the message itself); a kept connection always leads to an
// address the guard checked, since each was opened through its request's checked lookup.
import http from 'node:http';
import https from 'node:https';
import { resolveEndpoint } from '../net/endpoint-guard.js';

export interface PostResult {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

export interface PostOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  /** Extra CA certificates to trust for https endpoints (tests; operators use NODE_EXTRA_CA_CERTS). */
  ca?: string[];
}

/**
 * Idle connections close after 4 s, before the 5 s a Node.js server keeps them (its default), so
 * that a message is rarely sent on a connection the endpoint is closing; when one is, it is sent
 * again once on a new connection (what Node.js's documentation advises for `reusedSocket`).
 */
const IDLE_MS = 4_000;
const agents = {
  http: new http.Agent({ keepAlive: true, timeout: IDLE_MS }),
  https: new https.Agent({ keepAlive: true, timeout: IDLE_MS }),
};

export async function postMessage(url: string, headers: Record<string, string>, body: string, opts: PostOptions): Promise<PostResult> {
  const started = performance.now();
  const done = (statusCode: number | null, error: string | null): PostResult => ({ statusCode, latencyMs: performance.now() - started, error });
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return done(null, `invalid endpoint URL ${url}`);
  }
  let resolved: { address: string; family: number };
  try {
    resolved = await resolveEndpoint(target.hostname, opts.allowPrivate);
  } catch (err) {
    return done(null, (err as Error).message);
  }
  const bytes = Buffer.from(body, 'utf8');
  const send = (retryOnReset: boolean) => new Promise<PostResult>((resolve) => {
    const secure = target.protocol === 'https:';
    const req = (secure ? https : http).request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(bytes.length) },
        // Connect to the address that was checked, not to a second DNS answer.
        lookup: (_host, options, cb) => {
          if ((options as { all?: boolean }).all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [resolved]);
          else cb(null, resolved.address, resolved.family);
        },
        timeout: opts.timeoutMs,
        ...(opts.ca ? { ca: opts.ca } : {}),
        agent: secure ? agents.https : agents.http,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(done(res.statusCode ?? null, null)));
        res.on('error', (err) => resolve(done(res.statusCode ?? null, err.message)));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (retryOnReset && req.reusedSocket && err.code === 'ECONNRESET') resolve(send(false));
      else resolve(done(null, err.message));
    });
    req.end(bytes);
  });
  return send(true);
}
