// Inspection endpoints: LocalStack's `/_aws/ses` (so tools written for LocalStack work against
// sesd), `/_sesd/health`, and a message's events. They show mail content, so when sesd listens
// beyond loopback they require the console password.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { localStackViewJson } from './localstack-view.js';
import { basicAuthPassword, checkPassword, FOREIGN_HOST_MESSAGE, hostAllowed, isOpen, replyLocked, type ListenerAccess } from './console-auth.js';
import { decodeMessageCursor, encodeMessageCursor, type MessagesRepository } from '../store/messages-repository.js';

export interface InspectionDeps extends ListenerAccess {
  messages: MessagesRepository;
  health: () => Record<string, unknown>;
  /** DELETE /_aws/ses removes mail only in capture mode (elsewhere a queued message would vanish undelivered). */
  deleteAllowed: boolean;
}

/** The onRequest hook of every inspection endpoint (other route files use it too). */
export function inspectionGuard(deps: ListenerAccess) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!hostAllowed(deps, request.headers.host)) return reply.code(403).send({ message: FOREIGN_HOST_MESSAGE });
    if (isOpen(deps)) return;
    if (!deps.password) {
      return reply.code(403).send({ message: 'Inspection endpoints are off: sesd listens beyond loopback and SESD_CONSOLE_PASSWORD is not set.' });
    }
    const given = basicAuthPassword(request.headers.authorization);
    const check = given === undefined ? undefined : checkPassword(deps, request.ip, given);
    if (check?.result === 'locked') {
      return replyLocked(reply, check.retryAfterS);
    }
    if (check?.result !== 'right') {
      return reply.code(401).header('www-authenticate', 'Basic realm="sesd"').send({ message: 'Authentication required.' });
    }
  };
}

export function registerInspectionRoutes(app: FastifyInstance, deps: InspectionDeps): void {
  const guard = inspectionGuard(deps);

  app.get('/_sesd/health', async () => ({ status: 'ok', ...deps.health() }));

  app.get<{ Querystring: { id?: string; email?: string; limit?: string; after?: string } }>('/_aws/ses', { onRequest: guard }, async (request, reply) => {
    const { id, email, limit, after } = request.query;
    const pageSize = limit === undefined ? DEFAULT_PAGE : Number(limit);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE) {
      return reply.code(400).send({ message: `limit must be an integer from 1 to ${MAX_PAGE}.` });
    }
    const cursor = after === undefined ? undefined : decodeMessageCursor(after);
    if (after !== undefined && !cursor) return reply.code(400).send({ message: 'after is not a nextToken this endpoint gave.' });
    const page = await deps.messages.page({ id, source: email }, { after: cursor, limit: pageSize, maxBytes: PAGE_BYTES });
    // One message at a time: parsing is CPU work, and other requests get their turn in between.
    // The answer is put together from each message's JSON (a large one's made in a thread).
    const parts: Buffer[] = [Buffer.from('{"messages":[')];
    for (const [i, m] of page.messages.entries()) parts.push(...(i > 0 ? [Buffer.from(',')] : []), await localStackViewJson(m));
    // LocalStack's clients read `messages` and ignore members they do not know.
    parts.push(Buffer.from(page.next ? `],"nextToken":${JSON.stringify(encodeMessageCursor(page.next))}}` : ']}'));
    return reply.type('application/json; charset=utf-8').send(Buffer.concat(parts));
  });

  app.delete<{ Querystring: { id?: string } }>('/_aws/ses', { onRequest: guard }, async (request, reply) => {
    if (!deps.deleteAllowed) return reply.code(409).send({ message: 'Messages can be deleted in capture mode only: elsewhere they are queued for delivery.' });
    const { id } = request.query;
    // Given at all, even empty (`?id=`, as a script with an unset variable sends), `id` names one
    // message: LocalStack deletes all only when there is no `id` (provider.py on_delete,
    // `if filter_id is not None`; localstack/localstack@8b9a79f0).
    if (id === undefined) await deps.messages.delete();
    else if (id !== '') await deps.messages.delete({ id });
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string } }>('/_sesd/messages/:id/events', { onRequest: guard }, async (request, reply) => {
    const { id } = request.params;
    if (!(await deps.messages.exists(id))) return reply.code(404).send({ message: `Message ${id} does not exist.` });
    return { events: await deps.messages.events(id), recipients: await deps.messages.recipients(id) };
  });
}

/** Messages per page of `GET /_aws/ses`, unless `limit` says otherwise, and the most it may say. */
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;
/** Raw MIME per page: a page of large messages ends early (its nextToken continues it). */
const PAGE_BYTES = 64 * 1024 * 1024;

