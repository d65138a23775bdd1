// Inspection endpoints: LocalStack's `/_aws/ses` (so tools written for LocalStack work against
// sesd), `/_sesd/health`, and a message's events. They show mail content, so when sesd listens
// beyond loopback they require the console password.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Email } from 'postal-mime';
import { parseMime } from '../mime/parse-mime.js';
import { basicAuthPassword, checkPassword, FOREIGN_HOST_MESSAGE, hostAllowed, isOpen, replyLocked, type ListenerAccess } from './console-auth.js';
import { decodeMessageCursor, encodeMessageCursor, type MessagesRepository, type StoredMessage } from '../store/messages-repository.js';

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
    const messages = [];
    for (const m of page.messages) messages.push(await localStackView(m));
    // LocalStack's clients read `messages` and ignore members they do not know.
    return page.next ? { messages, nextToken: encodeMessageCursor(page.next) } : { messages };
  });

  app.delete<{ Querystring: { id?: string } }>('/_aws/ses', { onRequest: guard }, async (request, reply) => {
    if (!deps.deleteAllowed) return reply.code(409).send({ message: 'Messages can be deleted in capture mode only: elsewhere they are queued for delivery.' });
    await deps.messages.delete({ id: request.query.id });
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

// postal-mime's own limits are 256 nested parts and 2 MB of headers; a message past them cannot be
// shown as text, and is marked instead (see localStackView). Mail that sesd composes nests 3 deep.
const PARSE_LIMITS = { maxNestingDepth: 64, maxHeadersSize: 1024 * 1024 };

/**
 * LocalStack's message shape; Subject and Body are read from the stored MIME for every kind. A
 * message that cannot be parsed is still listed, with empty parts and why in `ParseError`.
 */
async function localStackView(m: StoredMessage): Promise<Record<string, unknown>> {
  const view = {
    Id: m.id,
    Region: m.region,
    Timestamp: new Date(m.createdAt).toISOString(),
    Destination: m.destination,
    Source: m.envelopeFrom,
    Subject: m.subject ?? '',
    Body: { text_part: null as string | null, html_part: null as string | null },
    RawData: m.raw.toString('utf8'),
    Attachments: [] as { FileName: string | null; ContentType: string; Size: number }[],
    Tags: m.tags,
    ConfigurationSetName: m.configurationSet ?? undefined,
  };
  let parsed: Email;
  try {
    parsed = await parseMime(m.raw, PARSE_LIMITS);
  } catch (err) {
    return { ...view, ParseError: err instanceof Error ? err.message : String(err) };
  }
  return {
    ...view,
    Subject: parsed.subject ?? view.Subject,
    Body: { text_part: withoutFinalLineBreak(parsed.text), html_part: withoutFinalLineBreak(parsed.html) },
    Attachments: parsed.attachments.map((a) => ({ FileName: a.filename, ContentType: a.mimeType, Size: byteLength(a.content) })),
  };
}

/** The line break that ends a MIME body part terminates its last line; it is not part of the text. */
function withoutFinalLineBreak(part: string | undefined): string | null {
  return part === undefined ? null : part.replace(/\r?\n$/, '');
}

function byteLength(content: ArrayBuffer | Uint8Array | string): number {
  return typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
}
