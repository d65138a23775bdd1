// The SNS links sesd hands out and the SNS delivery log: GET SubscribeURL (confirms a subscription
// by its token) and UnsubscribeURL, answered in SNS's XML as AWS does; the signing certificate
// (SigningCertURL); and, behind the inspection guard, a subscription's deliveries and attempts.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AwsError } from '../domain/errors.js';
import { encodeQueryError, encodeQueryOutput } from '../protocol/query.js';
import { loadModel } from '../protocol/service-model.js';
import type { SnsStore } from '../sns/sns-model.js';
import type { SnsService } from '../sns/sns-service.js';
import { signingCertFileName, type SigningKey } from '../sns/signing-key.js';
import type { ListenerAccess } from './console-auth.js';
import { inspectionGuard } from './inspection-routes.js';

export const SNS_LINK_PATH = '/_sesd/sns';
export const SNS_CERT_PATH = '/_sesd/sns/certificates';

export interface SnsRoutesDeps {
  sns: SnsService;
  store: SnsStore;
  signingKey: SigningKey;
  access: ListenerAccess;
}

/** SubscribeURL / UnsubscribeURL: `BASE/_sesd/sns?Action=...`, as AWS's are `https://sns.REGION.amazonaws.com/?Action=...`. */
export function snsLinks(baseUrl: () => string) {
  return {
    subscribeUrl: (topicArn: string, token: string) =>
      `${baseUrl()}${SNS_LINK_PATH}?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${encodeURIComponent(token)}`,
    // The token (a secret the endpoint received at confirmation) keeps others from unsubscribing an endpoint by its ARN alone.
    unsubscribeUrl: (subscriptionArn: string, token: string) =>
      `${baseUrl()}${SNS_LINK_PATH}?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscriptionArn)}&Token=${encodeURIComponent(token)}`,
  };
}

/** Only the signing certificate: what the HTTPS listener serves (see sns-https-listener.ts). */
export function registerSnsCertificateRoute(app: FastifyInstance, signingKey: SigningKey): void {
  app.get(`${SNS_CERT_PATH}/${signingCertFileName(signingKey)}`, async (_request, reply) =>
    reply.header('content-type', 'application/x-pem-file').send(signingKey.certPem),
  );
}

export function registerSnsRoutes(app: FastifyInstance, deps: SnsRoutesDeps): void {
  const model = loadModel('sns');
  const xml = (reply: FastifyReply, response: { status: number; headers: Record<string, string>; body: string }) =>
    reply.code(response.status).headers(response.headers).send(response.body);
  const fail = (reply: FastifyReply, err: AwsError) => xml(reply, encodeQueryError(err, randomUUID(), model.metadata.xmlNamespace));

  app.get<{ Querystring: Record<string, string | undefined> }>(SNS_LINK_PATH, async (request, reply) => {
    const q = request.query;
    try {
      if (q.Action === 'ConfirmSubscription') {
        if (!q.TopicArn || !q.Token) throw new AwsError('InvalidParameter', 'Invalid parameter: Token');
        const arn = await deps.sns.confirmSubscription(q.TopicArn, q.Token);
        return xml(reply, encodeQueryOutput(model, 'ConfirmSubscription', { SubscriptionArn: arn }, randomUUID()));
      }
      if (q.Action === 'Unsubscribe') {
        const subscription = q.SubscriptionArn ? await deps.store.subscription(q.SubscriptionArn) : undefined;
        if (subscription && subscription.token !== q.Token) throw new AwsError('InvalidParameter', 'Invalid parameter: Token');
        if (q.SubscriptionArn) await deps.sns.unsubscribe(undefined, q.SubscriptionArn);
        return xml(reply, encodeQueryOutput(model, 'Unsubscribe', {}, randomUUID()));
      }
      throw new AwsError('InvalidAction', `The action ${q.Action ?? ''} is not valid for this web service.`);
    } catch (err) {
      if (err instanceof AwsError) return fail(reply, err);
      throw err;
    }
  });

  registerSnsCertificateRoute(app, deps.signingKey);

  app.get<{ Params: { arn: string }; Querystring: { limit?: string } }>(
    '/_sesd/sns/subscriptions/:arn/deliveries',
    { onRequest: inspectionGuard(deps.access) },
    async (request, reply) => {
      const subscription = await deps.store.subscription(request.params.arn);
      if (!subscription) return reply.code(404).send({ message: `Subscription ${request.params.arn} does not exist.` });
      const { token: _secret, ...shown } = subscription;
      return { subscription: shown, ...(await log({ subscriptionArn: subscription.arn }, request.query.limit)) };
    },
  );

  app.get<{ Params: { messageId: string }; Querystring: { limit?: string } }>(
    '/_sesd/sns/messages/:messageId/deliveries',
    { onRequest: inspectionGuard(deps.access) },
    async (request) => log({ messageId: request.params.messageId }, request.query.limit),
  );

  async function log(of: { subscriptionArn: string } | { messageId: string }, limitText: string | undefined) {
    const limit = Math.min(Math.max(Number(limitText) || 100, 1), 1000);
    return {
      deliveries: (await deps.store.deliveries(of, limit)).map((d) => ({ ...d, nextAttemptAt: new Date(d.nextAttemptAt).toISOString(), createdAt: new Date(d.createdAt).toISOString() })),
      attempts: (await deps.store.attempts(of, limit)).map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
    };
  }
}
