// GET /_sesd/messages/:id/publications: every attempt to publish the message's events (which
// destination, result, HTTP status, latency, error), and how many of its events are still pending.
// The console shows it; it is what to look at when an application says it got no notification.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EventDispatchRepository } from '../store/event-dispatch-repository.js';
import type { MessagesRepository } from '../store/messages-repository.js';

export interface PublicationsRoutesDeps {
  messages: Pick<MessagesRepository, 'list'>;
  eventDispatch: Pick<EventDispatchRepository, 'publicationsOf' | 'pendingFor'>;
  guard: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

export function registerPublicationsRoutes(app: FastifyInstance, deps: PublicationsRoutesDeps): void {
  app.get<{ Params: { id: string } }>('/_sesd/messages/:id/publications', { onRequest: deps.guard }, async (request, reply) => {
    const [message] = await deps.messages.list({ id: request.params.id });
    if (!message) return reply.code(404).send({ message: `Message ${request.params.id} does not exist.` });
    // Pending first: an event settled between the two reads then shows its attempts (they commit
    // together), where the other order could answer "nothing pending" without them.
    const pendingEvents = await deps.eventDispatch.pendingFor(message.id);
    const publications = await deps.eventDispatch.publicationsOf(message.id);
    return {
      messageId: message.id,
      pendingEvents,
      publications: publications.map((p) => ({ ...p, at: new Date(p.at).toISOString() })),
    };
  });
}
