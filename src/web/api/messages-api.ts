// The console's message endpoints: the newest-first list with search, one message (parts, headers,
// recipients with their timelines), its raw source, .eml, HTML preview, attachments, and deletion.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ConsoleQueries, MessageWithRaw } from '../../store/console-queries.js';
import type { EventDispatchRepository, Publication } from '../../store/event-dispatch-repository.js';
import type { MessagesRepository } from '../../store/messages-repository.js';
import type { SnsRepository } from '../../store/sns-repository.js';
import type { ConsoleAuth } from '../console-auth.js';
import type { ChangeFeed } from './change-feed.js';
import { API_PREFIX, ApiError, guarded, limitOf } from './http.js';
import { bytes, messageTimeline, parseMessage, recipientTimeline, selfContainedHtml } from './message-view.js';
import { parseSearch } from './search-syntax.js';

export interface MessagesApiDeps {
  auth: ConsoleAuth;
  queries: ConsoleQueries;
  messages: MessagesRepository;
  feed: ChangeFeed;
  /** Where the message's events were published (SNS topics, EventBridge, ...), attempt by attempt. */
  publications: Pick<EventDispatchRepository, 'publicationsOf' | 'pendingFor'>;
  /** sesd's own SNS topics: what became of an event published to one, subscription by subscription. */
  sns: Pick<SnsRepository, 'attempts'>;
  /** Deleting is for captured mail: in a delivering mode it would drop mail still queued. */
  deleteAllowed: boolean;
}

/**
 * The HTML preview's policy: nothing may load or run but inline styles and images carried in the
 * message (data:); `sandbox` makes the document an opaque origin with no scripts even when it is
 * opened on its own, not only inside the console's sandboxed frame.
 */
export function previewPolicy(remoteImages: boolean): string {
  const img = remoteImages ? "img-src data: cid: http: https:" : 'img-src data: cid:';
  return `default-src 'none'; ${img}; style-src 'unsafe-inline'; font-src data:; frame-ancestors 'self'; form-action 'none'; base-uri 'none'; sandbox`;
}

type IdParams = { Params: { id: string } };

export function registerMessagesApi(app: FastifyInstance, deps: MessagesApiDeps): void {
  const { auth, queries } = deps;
  const load = async (id: string): Promise<MessageWithRaw> => {
    const message = await queries.message(id);
    if (!message) throw new ApiError(404, `Message ${id} does not exist.`);
    return message;
  };

  app.get<{ Querystring: { q?: string; account?: string; region?: string; cursor?: string; limit?: string } }>(
    `${API_PREFIX}/messages`,
    guarded(auth, async (request) => {
      const { q = '', account, region, cursor, limit } = request.query;
      const search = parseSearch(q);
      return queries.listMessages({ ...search, accountId: account || undefined, region: region || undefined }, { cursor: cursor || undefined, limit: limitOf(limit, 50, 500) });
    }),
  );

  app.get<IdParams>(
    `${API_PREFIX}/messages/:id`,
    guarded(auth, async (request) => {
      const { raw, ...message } = await load(request.params.id);
      // Pending before publications, as /_sesd/messages/:id/publications does: an event settled
      // between the two reads then shows its attempts instead of "nothing pending" without them.
      const pendingEvents = await deps.publications.pendingFor(message.id);
      const [parsed, recipients, events, publications] = await Promise.all([
        parseMessage(raw),
        queries.recipients(message.id),
        queries.events(message.id),
        // A message opened and clicked for months gathers publications without end: the latest are shown.
        deps.publications.publicationsOf(message.id, PUBLICATIONS_SHOWN),
      ]);
      const timeline = messageTimeline(events);
      const statuses: Record<string, number> = {};
      for (const r of recipients) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      return {
        message: { ...message, statuses },
        subject: parsed.subject ?? message.subject,
        headers: parsed.headers,
        text: parsed.text ?? null,
        hasHtml: Boolean(parsed.html),
        attachments: parsed.attachments,
        recipients: recipients.map((r) => ({ ...r, timeline: recipientTimeline(r, events) })),
        events: events.map((e, i) => ({ ...timeline[i]!, id: e.id, createdAt: e.createdAt })),
        publications: await withSubscriberAttempts(deps.sns, publications),
        pendingEvents,
      };
    }),
  );

  app.get<IdParams>(
    `${API_PREFIX}/messages/:id/raw`,
    guarded(auth, async (request, reply) => {
      const message = await load(request.params.id);
      return download(reply, 'text/plain; charset=utf-8', message.raw);
    }),
  );

  app.get<IdParams>(
    `${API_PREFIX}/messages/:id/eml`,
    guarded(auth, async (request, reply) => {
      const message = await load(request.params.id);
      return download(reply, 'message/rfc822', message.raw, `${safeName(message.id)}.eml`);
    }),
  );

  app.get<IdParams & { Querystring: { remote?: string } }>(
    `${API_PREFIX}/messages/:id/html`,
    guarded(auth, async (request, reply) => {
      const parsed = await parseMessage((await load(request.params.id)).raw);
      if (!parsed.html) throw new ApiError(404, 'This message has no HTML part.');
      return reply
        .header('content-security-policy', previewPolicy(request.query.remote === '1'))
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .type('text/html; charset=utf-8')
        .send(selfContainedHtml(parsed));
    }),
  );

  app.get<{ Params: { id: string; index: string } }>(
    `${API_PREFIX}/messages/:id/attachments/:index`,
    guarded(auth, async (request, reply) => {
      const parsed = await parseMessage((await load(request.params.id)).raw);
      const attachment = parsed.email.attachments[Number(request.params.index)];
      if (!/^\d+$/.test(request.params.index) || !attachment) throw new ApiError(404, `Message ${request.params.id} has no attachment ${request.params.index}.`);
      return download(reply, attachment.mimeType, bytes(attachment.content), attachment.filename ?? `attachment-${request.params.index}`);
    }),
  );

  app.delete<IdParams>(
    `${API_PREFIX}/messages/:id`,
    guarded(auth, async (request, reply) => {
      if (!deps.deleteAllowed) throw cannotDelete();
      if ((await deps.messages.delete({ id: request.params.id })) === 0) throw new ApiError(404, `Message ${request.params.id} does not exist.`);
      deps.feed.publish({ kind: 'deleted', id: request.params.id });
      return reply.code(204).send();
    }),
  );

  app.delete(
    `${API_PREFIX}/messages`,
    guarded(auth, async () => {
      if (!deps.deleteAllowed) throw cannotDelete();
      const deleted = await deps.messages.delete();
      deps.feed.publish({ kind: 'deleted' });
      return { deleted };
    }),
  );
}

/** Publish attempts shown on a message's page, the latest (each may add a read of its subscriber attempts). */
const PUBLICATIONS_SHOWN = 200;
/** Subscriber attempts shown for one publication; a topic with more subscribers shows the latest. */
const SUBSCRIBER_ATTEMPTS = 50;

/**
 * Each publication to a topic of sesd's own SNS with the attempts to deliver it to the topic's
 * subscriptions (found by the SNS MessageId it answered): whether the application got it. A
 * publication to an upstream SNS has no such attempts here.
 */
async function withSubscriberAttempts(sns: MessagesApiDeps['sns'], publications: Publication[]) {
  return Promise.all(
    publications.map(async (p) => {
      if (p.kind !== 'sns' || p.status !== 'published' || !p.remoteId) return p;
      const attempts = await sns.attempts({ messageId: p.remoteId }, SUBSCRIBER_ATTEMPTS);
      return {
        ...p,
        subscriberAttempts: attempts.reverse().map((a) => ({
          subscriptionArn: a.subscriptionArn,
          attempt: a.attempt,
          at: a.at,
          outcome: a.outcome,
          statusCode: a.statusCode,
          latencyMs: a.latencyMs,
          // An endpoint may carry basic-auth credentials (https://user:pass@host/): never echo them.
          error: a.error?.replace(/\/\/[^/@\s]*@/g, '//…@') ?? null,
        })),
      };
    }),
  );
}

const cannotDelete = () => new ApiError(409, 'Messages can be deleted in capture mode only: in a delivering mode a deleted message could still be queued for delivery.');

/** Served as a download that never renders in the console's origin, whatever its type says. */
function download(reply: FastifyReply, type: string, body: Buffer, filename?: string): FastifyReply {
  reply
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .type(type);
  if (filename) reply.header('content-disposition', `attachment; filename="${safeName(filename)}"; filename*=UTF-8''${encodeURIComponent(filename)}`);
  return reply.send(body);
}

function safeName(name: string): string {
  return name.replace(/[^\w.@+-]+/g, '_');
}
