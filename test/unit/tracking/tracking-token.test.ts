import { describe, expect, it } from 'vitest';
import { signTrackingToken, verifyTrackingToken, type ClickTarget } from '../../../src/tracking/tracking-token.js';

const click: ClickTarget = { kind: 'click', messageId: 'm-1', recipient: 'a@example.net', index: 2, link: 'https://a.example/x', linkTags: { k: ['v'] } };

describe('tracking tokens', () => {
  it('round-trip what they name', () => {
    expect(verifyTrackingToken('click', signTrackingToken(click, 's'), 's')).toEqual(click);
    const open = { kind: 'open' as const, messageId: 'm-1', recipient: 'a@example.net' };
    expect(verifyTrackingToken('open', signTrackingToken(open, 's'), 's')).toEqual(open);
  });

  it('refuse an edited payload, another secret, and an open token used as a click', () => {
    const token = signTrackingToken(click, 's');
    const [payload, sig] = token.split('.') as [string, string];
    const edited = Buffer.from(JSON.stringify(['m-1', 'a@example.net', 2, 'https://evil.example', {}])).toString('base64url');
    expect(verifyTrackingToken('click', `${edited}.${sig}`, 's')).toBeUndefined();
    expect(verifyTrackingToken('click', token, 'other')).toBeUndefined();
    expect(verifyTrackingToken('open', `${payload}.${sig}`, 's')).toBeUndefined();
    expect(verifyTrackingToken('click', 'garbage', 's')).toBeUndefined();
  });
});
