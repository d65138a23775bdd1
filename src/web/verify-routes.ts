// The link in verification messages: following it verifies the email identity. The token in the
// link is the secret, so this route needs no other authentication.
import type { FastifyInstance } from 'fastify';
import type { IdentitiesService } from '../domain/identities/identities-service.js';

export const VERIFY_EMAIL_PATH = '/_sesd/verify-email';

export function registerVerifyRoutes(app: FastifyInstance, identities: IdentitiesService): void {
  app.get<{ Querystring: { token?: string } }>(VERIFY_EMAIL_PATH, async (request, reply) => {
    const identity = request.query.token ? await identities.verifyEmailToken(request.query.token) : undefined;
    if (!identity) return reply.code(404).type('text/html').send('<h1>Verification link not valid</h1><p>The link is unknown or the identity was deleted.</p>');
    return reply.type('text/html').send(`<h1>Congratulations!</h1><p>You have successfully verified ${escapeHtml(identity.identity)} for sending in region ${escapeHtml(identity.region)}.</p>`);
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
