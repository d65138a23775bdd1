// The targets of tracking links: the open image and the click redirect. The signed token in the path
// is the authority (it names the message, the recipient and, for clicks, the original link), so an
// answer needs no database read, and the event is queued (EngagementRecorder), not written, before
// answering. A token sesd did not sign gets 404 and counts nothing. HEAD (fastify answers it for
// every GET route; link checkers use it) gets the same answer and counts nothing either.
import type { FastifyInstance } from 'fastify';
import type { EngagementRecorder } from '../tracking/engagement-recorder.js';
import { CLICK_PATH, OPEN_PATH } from '../tracking/tracking-plan.js';
import { verifyTrackingToken } from '../tracking/tracking-token.js';

export interface TrackingRoutesDeps {
  recorder: Pick<EngagementRecorder, 'record'>;
  /** The link-signing secret (TrackingRepository.secret). */
  secret: () => Promise<string>;
}

/** A transparent 1×1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export function registerTrackingRoutes(app: FastifyInstance, deps: TrackingRoutesDeps): void {
  // Wildcards, not `:token` parameters: fastify refuses parameters over 100 characters.
  type Token = { Params: { '*': string } };

  app.get<Token>(`${OPEN_PATH}*`, async (request, reply) => {
    const target = verifyTrackingToken('open', request.params['*'], await deps.secret());
    if (!target) return reply.code(404).type('text/plain').send('Not found');
    if (request.method === 'GET') deps.recorder.record({ target, ipAddress: request.ip, userAgent: request.headers['user-agent'] ?? '', at: Date.now() });
    return reply.header('cache-control', 'no-store, max-age=0').type('image/gif').send(PIXEL);
  });

  app.get<Token>(`${CLICK_PATH}*`, async (request, reply) => {
    const target = verifyTrackingToken('click', request.params['*'], await deps.secret());
    if (target?.kind !== 'click') return reply.code(404).type('text/plain').send('Not found');
    if (request.method === 'GET') deps.recorder.record({ target, ipAddress: request.ip, userAgent: request.headers['user-agent'] ?? '', at: Date.now() });
    return reply.header('cache-control', 'no-store, max-age=0').redirect(target.link, 302);
  });
}
