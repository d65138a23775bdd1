// The JSON documents SNS POSTs to HTTP/S endpoints (and sends as email-json), signed as AWS's
// "Verifying the signatures of Amazon SNS messages" page says: `Key\nValue\n` for each present
// key in a fixed order, SHA1withRSA (SignatureVersion 1) or SHA256withRSA (2), base64.
// Signing runs on libuv's thread pool (crypto.sign with a callback): an RSA-2048 signature costs
// about a millisecond, and on the event loop it was a third of the main thread's time while
// publishing, serialising every notification behind the one before.
import { sign, type KeyObject } from 'node:crypto';
import type { DeliveryPayload } from './sns-model.js';

/** Where sesd's SNS links point (see web/sns-routes.ts). */
export interface MessageUrls {
  signingCertUrl: () => string;
  subscribeUrl: (topicArn: string, token: string) => string;
  unsubscribeUrl: (subscriptionArn: string, token: string) => string;
}

/** The links of one message. */
export interface MessageLinks {
  signingCertUrl: string;
  subscribeUrl: string;
  unsubscribeUrl: string;
}

const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_KEYS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

/** Signs a message's string to sign (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA); base64. */
export type Signer = (text: string, version: '1' | '2') => Promise<string>;

/** The message document, in the key order SNS writes. */
export async function snsDocument(p: DeliveryPayload, signatureVersion: '1' | '2', sign: Signer, urls: MessageLinks): Promise<Record<string, unknown>> {
  const doc: Record<string, string> = { Type: p.type, MessageId: p.messageId };
  if (p.type === 'Notification') {
    doc.TopicArn = p.topicArn;
    if (p.subject !== undefined) doc.Subject = p.subject;
    doc.Message = p.message;
    doc.Timestamp = p.timestamp;
  } else {
    doc.Token = p.token!;
    doc.TopicArn = p.topicArn;
    doc.Message = p.message;
    doc.SubscribeURL = urls.subscribeUrl;
    doc.Timestamp = p.timestamp;
  }
  doc.SignatureVersion = signatureVersion;
  doc.Signature = await sign(stringToSign(doc), signatureVersion);
  doc.SigningCertURL = urls.signingCertUrl;
  const out: Record<string, unknown> = { ...doc };
  if (p.type === 'Notification') {
    out.UnsubscribeURL = urls.unsubscribeUrl;
    if (p.messageAttributes && Object.keys(p.messageAttributes).length > 0) out.MessageAttributes = p.messageAttributes;
  }
  return out;
}

export function stringToSign(doc: Record<string, string>): string {
  const keys = doc.Type === 'Notification' ? NOTIFICATION_KEYS : CONFIRMATION_KEYS;
  let out = '';
  for (const k of keys) if (doc[k] !== undefined) out += `${k}\n${doc[k]}\n`;
  return out;
}

/** Signs with `key`. */
export function keySigner(key: KeyObject): Signer {
  return (text, version) =>
    new Promise((resolve, reject) =>
      sign(version === '2' ? 'sha256' : 'sha1', Buffer.from(text, 'utf8'), key, (err, signature) => (err ? reject(err) : resolve(signature.toString('base64')))),
    );
}

/** SNS's message text for an UnsubscribeConfirmation. */
export function unsubscribeText(subscriptionArn: string): string {
  return `You have chosen to deactivate subscription ${subscriptionArn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`;
}

/** SNS's message text for a SubscriptionConfirmation. */
export function confirmationText(topicArn: string): string {
  return `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`;
}
