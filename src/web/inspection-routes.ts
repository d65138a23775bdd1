// Inspection endpoints: LocalStack's `/_aws/ses` (so tools written for LocalStack work against
// sesd), `/_sesd/health`, and a message's events. They show mail content, so when sesd listens
// beyond loopback they require the console password.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import PostalMime from 'postal-mime';
import type { MessagesRepository, StoredMessage } from '../store/messages-repository.js';

export interface InspectionDeps {
  messages: MessagesRepository;
  /** Basic-auth password for the inspection endpoints; required when not on loopback. */
  password: string;
  listensOnLoopback: boolean;
  health: () => Record<string, unknown>;
}

export function registerInspectionRoutes(app: FastifyInstance, deps: InspectionDeps): void {
  const guard = inspectionGuard(deps);

  app.get('/_sesd/health', async () => ({ status: 'ok', ...deps.health() }));

  app.get<{ Querystring: { id?: string; email?: string } }>('/_aws/ses', { onRequest: guard }, async (request) => {
    const list = await deps.messages.list({ id: request.query.id, source: request.query.email });
    return { messages: await Promise.all(list.map(localStackView)) };
  });

  app.delete<{ Querystring: { id?: string } }>('/_aws/ses', { onRequest: guard }, async (request, reply) => {
    await deps.messages.delete({ id: request.query.id });
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string } }>('/_sesd/messages/:id/events', { onRequest: guard }, async (request, reply) => {
    const [message] = await deps.messages.list({ id: request.params.id });
    if (!message) return reply.code(404).send({ message: `Message ${request.params.id} does not exist.` });
    return { events: await deps.messages.events(message.id), recipients: await deps.messages.recipients(message.id) };
  });
}

/** The access rule of the inspection endpoints (an onRequest hook), shared by every `/_sesd` route file. */
export function inspectionGuard(deps: Pick<InspectionDeps, 'password' | 'listensOnLoopback'>) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (deps.listensOnLoopback && !deps.password) return;
    if (!deps.password) {
      return reply.code(403).send({ message: 'Inspection endpoints are off: sesd listens beyond loopback and SESD_CONSOLE_PASSWORD is not set.' });
    }
    if (!basicAuthMatches(request.headers.authorization, deps.password)) {
      return reply.code(401).header('www-authenticate', 'Basic realm="sesd"').send({ message: 'Authentication required.' });
    }
  };
}

/** LocalStack's message shape; Subject and Body are read from the stored MIME for every kind. */
async function localStackView(m: StoredMessage): Promise<Record<string, unknown>> {
  const parsed = await PostalMime.parse(m.raw);
  return {
    Id: m.id,
    Region: m.region,
    Timestamp: new Date(m.createdAt).toISOString(),
    Destination: m.destination,
    Source: m.envelopeFrom,
    Subject: parsed.subject ?? m.subject ?? '',
    Body: { text_part: withoutFinalLineBreak(parsed.text), html_part: withoutFinalLineBreak(parsed.html) },
    RawData: m.raw.toString('utf8'),
    Attachments: parsed.attachments.map((a) => ({ FileName: a.filename, ContentType: a.mimeType, Size: byteLength(a.content) })),
    Tags: m.tags,
    ConfigurationSetName: m.configurationSet ?? undefined,
  };
}

/** The line break that ends a MIME body part terminates its last line; it is not part of the text. */
function withoutFinalLineBreak(part: string | undefined): string | null {
  return part === undefined ? null : part.replace(/\r?\n$/, '');
}

function byteLength(content: ArrayBuffer | Uint8Array | string): number {
  return typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
}

function basicAuthMatches(header: string | undefined, password: string): boolean {
  if (!header?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const given = decoded.slice(decoded.indexOf(':') + 1);
  const a = Buffer.from(given);
  const b = Buffer.from(password);
  return a.length === b.length && timingSafeEqual(a, b);
}

