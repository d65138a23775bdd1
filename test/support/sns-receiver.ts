// A real HTTP endpoint for SNS subscriptions in tests: records every request, and answers each
// path with the statuses it was told to (then 200).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** When it arrived (Date.now()). */
  at: number;
  /** The status answered; undefined while the request is held. */
  status?: number;
}

export interface SnsReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Answers the next requests to `path` with these statuses, in order. */
  answer(path: string, statuses: number[]): void;
  /** While on, requests to `path` get no answer at all (the sender waits, or dies waiting). */
  hold(path: string, on: boolean): void;
  /** Waits until `count` requests to `path` (optionally of one message type) have arrived. */
  waitFor(path: string, count: number, type?: string, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startSnsReceiver(): Promise<SnsReceiver> {
  const requests: ReceivedRequest[] = [];
  const scripted = new Map<string, number[]>();
  const held = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const received: ReceivedRequest = { path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      requests.push(received);
      if (held.has(path)) return;
      received.status = scripted.get(path)?.shift() ?? 200;
      res.writeHead(received.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const matching = (path: string, type?: string) =>
    requests.filter((r) => r.path === path && (type === undefined || r.headers['x-amz-sns-message-type'] === type));
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer: (path, statuses) => scripted.set(path, [...statuses]),
    hold: (path, on) => (on ? held.add(path) : held.delete(path)),
    async waitFor(path, count, type, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (matching(path, type).length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} ${type ?? ''} requests to ${path}, got ${matching(path, type).length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return matching(path, type);
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
