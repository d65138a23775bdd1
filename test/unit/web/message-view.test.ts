import { describe, expect, it } from 'vitest';
import { parseMessage, recipientTimeline, selfContainedHtml } from '../../../src/web/api/message-view.js';
import type { EventRow, RecipientRow } from '../../../src/store/console-queries.js';

const recipient = (address: string, overrides: Partial<RecipientRow> = {}): RecipientRow => ({
  id: 1,
  recipient: address,
  status: 'delivered',
  attempts: 1,
  nextAttemptAt: 0,
  lastResponse: null,
  updatedAt: 0,
  locked: false,
  ...overrides,
});

const event = (id: number, type: string, body: Record<string, unknown>, key = type.charAt(0).toLowerCase() + type.slice(1)): EventRow => ({
  id,
  type,
  createdAt: id * 1000,
  payload: { eventType: type, mail: { destination: ['a@x.example', 'b@x.example'] }, [key]: body },
});

describe('a recipient’s timeline', () => {
  const events = [
    event(1, 'Send', {}),
    event(2, 'DeliveryDelay', { delayType: 'TransientCommunicationFailure', delayedRecipients: [{ emailAddress: 'a@x.example', diagnosticCode: 'smtp; 451 try later' }], timestamp: '2026-01-01T00:00:05.000Z' }),
    event(3, 'Delivery', { recipients: ['b@x.example'], smtpResponse: '250 ok' }),
    event(4, 'Bounce', { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: 'A@x.example', diagnosticCode: 'smtp; 550 no such user' }] }),
  ];

  it('holds the events that list the recipient, and those that list nobody, with replies and kinds', () => {
    expect(recipientTimeline(recipient('a@x.example', { status: 'bounced' }), events)).toEqual([
      { type: 'Send', at: 1000 },
      { type: 'DeliveryDelay', at: Date.UTC(2026, 0, 1, 0, 0, 5), detail: 'smtp; 451 try later', kind: 'TransientCommunicationFailure' },
      { type: 'Bounce', at: 4000, detail: 'smtp; 550 no such user', kind: 'Permanent / General' },
    ]);
    expect(recipientTimeline(recipient('b@x.example'), events)).toEqual([
      { type: 'Send', at: 1000 },
      { type: 'Delivery', at: 3000, detail: '250 ok' },
    ]);
  });

  it('ends with the next attempt of a recipient still waiting', () => {
    const waiting = recipient('a@x.example', { status: 'deferred', nextAttemptAt: 9000, lastResponse: '451 try later' });
    expect(recipientTimeline(waiting, events.slice(0, 2)).at(-1)).toEqual({ type: 'Waiting', at: 9000, detail: 'next attempt; last reply: 451 try later' });
  });
});

describe('the HTML preview', () => {
  it('carries inline images as data: URIs and leaves other references alone', async () => {
    const raw = Buffer.from(
      [
        'Content-Type: multipart/related; boundary="b"',
        '',
        '--b',
        'Content-Type: text/html',
        '',
        '<img src="cid:logo@x"><img src="cid:unknown@x"><img src="https://remote.example/a.png">',
        '--b',
        'Content-Type: image/png',
        'Content-ID: <logo@x>',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('PNGDATA').toString('base64'),
        '--b--',
        '',
      ].join('\r\n'),
    );
    const parsed = await parseMessage(raw);
    expect(parsed.attachments).toMatchObject([{ index: 0, mimeType: 'image/png', size: 7 }]);
    expect(selfContainedHtml(parsed).trimEnd()).toBe(`<img src="data:image/png;base64,${Buffer.from('PNGDATA').toString('base64')}"><img src="cid:unknown@x"><img src="https://remote.example/a.png">`);
  });
});
