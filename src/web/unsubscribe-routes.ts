// The target of List-Unsubscribe links in list-managed mail. The signed token in the path is the
// authority, so recipients need no login. POST unsubscribes at once: that is RFC 8058's one-click
// request, which mail providers send on the user's behalf. GET only shows a confirmation page whose
// button POSTs, because link scanners and previews fetch every URL in a message (RFC 8058 §1), and
// a GET that unsubscribed would unsubscribe people who never asked to.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ContactsService, SubscriptionChange } from '../domain/contacts/contacts-service.js';
import { UNSUBSCRIBE_PATH, verifyUnsubscribeToken, type UnsubscribeTarget } from '../domain/contacts/unsubscribe-link.js';
import { escapeXml as escapeHtml } from '../protocol/xml.js';

export interface UnsubscribeRoutesDeps {
  contacts: ContactsService;
  /** The link-signing secret (ContactsRepository.unsubscribeSecret). */
  secret: () => Promise<string>;
  /** Records SES's Subscription event for the change (src/events/subscription-event.ts). */
  onUnsubscribe?: (target: UnsubscribeTarget, change: SubscriptionChange) => Promise<void>;
}

export function registerUnsubscribeRoutes(app: FastifyInstance, deps: UnsubscribeRoutesDeps): void {
  const target = async (token: string) => verifyUnsubscribeToken(token, await deps.secret());
  // A wildcard, not a `:token` parameter: fastify refuses parameters over 100 characters, and a
  // token carrying a long address and list name is longer.
  const path = `${UNSUBSCRIBE_PATH}*`;
  type Token = { Params: { '*': string } };

  app.get<Token>(path, async (request, reply) => {
    const t = await target(request.params['*']);
    if (!t) return invalidLink(reply);
    return page(
      reply,
      200,
      'Unsubscribe',
      `<p>Unsubscribe <strong>${escapeHtml(t.emailAddress)}</strong> from ${what(t)}?</p>` +
        `<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
    );
  });

  app.post<Token>(path, async (request, reply) => {
    const t = await target(request.params['*']);
    if (!t) return invalidLink(reply);
    const change = await deps.contacts.unsubscribe(t);
    if (!change) return page(reply, 404, 'List not found', '<p>This mailing list no longer exists.</p>');
    await deps.onUnsubscribe?.(t, change);
    return page(reply, 200, 'Unsubscribed', `<p><strong>${escapeHtml(t.emailAddress)}</strong> is unsubscribed from ${what(t)}.</p>`);
  });
}

function what(t: UnsubscribeTarget): string {
  const list = `the list <strong>${escapeHtml(t.contactListName)}</strong>`;
  return t.topicName === undefined ? list : `the topic <strong>${escapeHtml(t.topicName)}</strong> of ${list}`;
}

function invalidLink(reply: FastifyReply): FastifyReply {
  return page(reply, 404, 'Link not valid', '<p>This unsubscribe link is not valid.</p>');
}

function page(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`);
}
