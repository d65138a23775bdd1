// `/_sesd/ready`: whether this node can do its work now — its database answers, its delivery thread
// runs (role all) and its listeners accept connections. 200 when all hold, 503 otherwise (and while
// shutting down), so a load balancer sends traffic only to ready nodes. `/_sesd/health` is liveness.
import type { FastifyInstance } from 'fastify';

export type ReadinessCheck = () => Promise<string | undefined> | string | undefined;

/** Each check returns undefined when fine, or what is wrong. */
export function registerReadinessRoute(app: FastifyInstance, checks: Record<string, ReadinessCheck>): void {
  app.get('/_sesd/ready', async (_request, reply) => {
    const results: Record<string, string> = {};
    let ready = true;
    for (const [name, check] of Object.entries(checks)) {
      let problem: string | undefined;
      try {
        problem = await check();
      } catch (err) {
        problem = err instanceof Error ? err.message : String(err);
      }
      results[name] = problem ?? 'ok';
      if (problem) ready = false;
    }
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: results });
  });
}
