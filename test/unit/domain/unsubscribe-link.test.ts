import { describe, expect, it } from 'vitest';
import { listUnsubscribeHeaders, signUnsubscribeToken, unsubscribeUrl, verifyUnsubscribeToken } from '../../../src/domain/contacts/unsubscribe-link.js';

const target = { accountId: '123456789012', region: 'us-east-1', contactListName: 'news', emailAddress: 'ana@example.com', topicName: 'weekly' };

describe('unsubscribe links', () => {
  it('round-trips a target through a signed token', () => {
    const token = signUnsubscribeToken(target, 'secret');
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyUnsubscribeToken(token, 'secret')).toEqual(target);
    const { topicName: _, ...wholeList } = target;
    expect(verifyUnsubscribeToken(signUnsubscribeToken(wholeList, 'secret'), 'secret')).toEqual(wholeList);
  });

  it('refuses tokens signed with another secret, altered, or malformed', () => {
    const token = signUnsubscribeToken(target, 'secret');
    expect(verifyUnsubscribeToken(token, 'other-secret')).toBeUndefined();
    const [payload, mac] = token.split('.') as [string, string];
    const altered = Buffer.from(JSON.stringify(['123456789012', 'us-east-1', 'news', 'bob@example.com', null])).toString('base64url');
    expect(verifyUnsubscribeToken(`${altered}.${mac}`, 'secret')).toBeUndefined();
    expect(verifyUnsubscribeToken(`${payload}.`, 'secret')).toBeUndefined();
    expect(verifyUnsubscribeToken('no-dot', 'secret')).toBeUndefined();
    expect(verifyUnsubscribeToken('', 'secret')).toBeUndefined();
  });

  it('gives the RFC 2369 header and its RFC 8058 one-click companion', () => {
    const opts = { ...target, baseUrl: 'https://mail.example.com/', secret: 's' };
    const url = unsubscribeUrl(opts);
    expect(url).toBe(`https://mail.example.com/_sesd/unsubscribe/${signUnsubscribeToken(target, 's')}`);
    expect(listUnsubscribeHeaders(opts)).toEqual([
      { name: 'List-Unsubscribe', value: `<${url}>` },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
  });
});
