// What SNS sends to `email` and `email-json` subscriptions, as sesd's own mail (through intake, so
// it shows in capture like any message): the confirmation with its link, and notifications as
// text (`email`) or as the signed JSON document (`email-json`).
import type { SendRequest } from '../intake/send-request.js';
import type { DeliveryPayload, Subscription, Topic } from './sns-model.js';

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export interface SnsMailInput {
  subscription: Subscription;
  topic: Topic | undefined;
  payload: DeliveryPayload;
  /** email-json: the signed document. */
  document: Record<string, unknown>;
  subscribeUrl: string;
  unsubscribeUrl: string;
  hostname: string;
}

export function snsEmail(m: SnsMailInput): SendRequest {
  const displayName = m.topic?.attributes.DisplayName || 'AWS Notifications';
  let subject: string;
  let text: string;
  if (m.subscription.protocol === 'email-json') {
    subject = m.payload.type === 'Notification' ? m.payload.subject ?? 'AWS Notification Message' : 'AWS Notification - Subscription Confirmation';
    text = JSON.stringify(m.document);
  } else if (m.payload.type === 'Notification') {
    subject = m.payload.subject ?? 'AWS Notification Message';
    text = [
      m.payload.message,
      '',
      '--',
      'If you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:',
      m.unsubscribeUrl,
    ].join('\n');
  } else {
    subject = 'AWS Notification - Subscription Confirmation';
    text = [
      'You have chosen to subscribe to the topic:',
      m.payload.topicArn,
      '',
      'To confirm this subscription, click or visit the link below (If this was in error no action is necessary):',
      m.subscribeUrl,
    ].join('\n');
  }
  return {
    accountId: m.subscription.accountId,
    region: m.subscription.region,
    sourceApi: 'system',
    callerIdentity: 'sesd-sns',
    sourceIp: '127.0.0.1',
    from: `${quoteName(displayName)} <no-reply@${m.hostname}>`,
    destination: { ToAddresses: [m.subscription.endpoint] },
    content: { kind: 'simple', subject, text, headers: [], attachments: [] },
    maxMessageBytes: MAX_MESSAGE_BYTES,
    system: true,
  };
}

function quoteName(name: string): string {
  return /^[A-Za-z0-9 !#$%&'*+\-/=?^_`{|}~]*$/.test(name) ? name : `"${name.replace(/["\\]/g, '\\$&')}"`;
}
