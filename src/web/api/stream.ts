// GET /_sesd/api/stream: Server-Sent Events for the open consoles. Each client gets what the one
// shared ChangeFeed finds (new messages, status changes, deletions), filtered to the account and
// region it asked for; a comment every 15 s keeps proxies from closing an idle stream.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ConsoleAuth } from '../console-auth.js';
import type { ChangeFeed, FeedEvent } from './change-feed.js';
import { API_PREFIX, guarded } from './http.js';

const KEEPALIVE_MS = 15_000;

export function registerStream(app: FastifyInstance, deps: { auth: ConsoleAuth; feed: ChangeFeed }): void {
  const open = new Set<FastifyReply>();
  // Open streams would keep the server from closing.
  app.addHook('preClose', async () => {
    for (const reply of open) reply.raw.end();
  });

  app.get<{ Querystring: { account?: string; region?: string } }>(
    `${API_PREFIX}/stream`,
    guarded(deps.auth, async (request, reply) => {
      const { account, region } = request.query;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write('retry: 2000\n\n');
      const send = (e: FeedEvent) => {
        if (e.kind !== 'deleted' && ((account && e.message.accountId !== account) || (region && e.message.region !== region))) return;
        res.write(`event: ${e.kind}\ndata: ${JSON.stringify(e.kind === 'deleted' ? { id: e.id ?? null } : e.message)}\n\n`);
      };
      const unsubscribe = deps.feed.subscribe(send);
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      open.add(reply);
      res.on('close', () => {
        clearInterval(keepalive);
        unsubscribe();
        open.delete(reply);
      });
    }),
  );
}
