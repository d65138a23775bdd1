// GET /metrics: Prometheus figures. Counters come from the database (the dispatcher adds them with
// the events that cause them, on whichever node or thread published them); the gauges are read at
// scrape time. Same access rule as the inspection endpoints: open on loopback, else the password.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OWN_FAMILIES } from '../events/metrics.js';
import type { EventDispatchRepository } from '../store/event-dispatch-repository.js';
import { renderMetrics, type Sample } from './metrics-text.js';

export interface MetricsRoutesDeps {
  eventDispatch: Pick<EventDispatchRepository, 'counters' | 'pending' | 'queueDepth'>;
  guard: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  now?: () => number;
}

export function registerMetricsRoutes(app: FastifyInstance, deps: MetricsRoutesDeps): void {
  const now = deps.now ?? Date.now;
  app.get('/metrics', { onRequest: deps.guard }, async (_request, reply) => {
    const [counters, pending, depth] = await Promise.all([deps.eventDispatch.counters(), deps.eventDispatch.pending(now()), deps.eventDispatch.queueDepth()]);
    const samples: Sample[] = [
      ...counters,
      ...['queued', 'deferred'].map((status) => ({ name: 'sesd_queue_depth', labels: { status }, value: depth[status] ?? 0 })),
      { name: 'sesd_events_pending', labels: {}, value: pending.count },
      { name: 'sesd_events_oldest_pending_seconds', labels: {}, value: pending.oldestAgeMs / 1000 },
    ];
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(renderMetrics([...OWN_FAMILIES], samples));
  });
}
