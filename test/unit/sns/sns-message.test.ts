import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keySigner, snsDocument, stringToSign } from '../../../src/sns/sns-message.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const links = { signingCertUrl: 'https://sesd.test/cert.pem', subscribeUrl: 'https://sesd.test/confirm', unsubscribeUrl: 'https://sesd.test/unsub' };
const base = { messageId: 'm-1', topicArn: 'arn:aws:sns:us-east-1:000000000000:t', subscriptionArn: 'arn:aws:sns:us-east-1:000000000000:t:s', message: 'hello', timestamp: '2026-01-01T00:00:00.000Z' };

describe('SNS message documents', () => {
  it('signs a notification over Message, MessageId, Subject, Timestamp, TopicArn and Type (SHA1withRSA for version 1)', async () => {
    const doc = (await snsDocument({ ...base, type: 'Notification', subject: 'Hi' }, '1', keySigner(privateKey), links)) as Record<string, string>;
    const expected = 'Message\nhello\nMessageId\nm-1\nSubject\nHi\nTimestamp\n2026-01-01T00:00:00.000Z\nTopicArn\narn:aws:sns:us-east-1:000000000000:t\nType\nNotification\n';
    expect(stringToSign(doc)).toBe(expected);
    expect(verify('sha1', Buffer.from(expected), publicKey, Buffer.from(doc.Signature!, 'base64'))).toBe(true);
    expect(Object.keys(doc)).toEqual(['Type', 'MessageId', 'TopicArn', 'Subject', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL', 'UnsubscribeURL']);
  });

  it('signs a confirmation over its own keys, with SHA256withRSA for version 2, and leaves out an absent Subject', async () => {
    const doc = (await snsDocument({ ...base, type: 'SubscriptionConfirmation', token: 'tok' }, '2', keySigner(privateKey), links)) as Record<string, string>;
    expect(stringToSign(doc)).toBe(
      'Message\nhello\nMessageId\nm-1\nSubscribeURL\nhttps://sesd.test/confirm\nTimestamp\n2026-01-01T00:00:00.000Z\nToken\ntok\nTopicArn\narn:aws:sns:us-east-1:000000000000:t\nType\nSubscriptionConfirmation\n',
    );
    expect(verify('sha256', Buffer.from(stringToSign(doc)), publicKey, Buffer.from(doc.Signature!, 'base64'))).toBe(true);
    expect(doc).not.toHaveProperty('Subject');
    expect(doc).not.toHaveProperty('UnsubscribeURL');
  });
});
