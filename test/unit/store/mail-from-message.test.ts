// The Send `mail` object stored as what its message does not hold (src/store/mail-from-message.ts):
// kept only when it rebuilds to the same JSON, rebuilt with the same keys in the same order, and its
// headers read from the message only when a header field is read. The address lists are kept as
// they are, so a mail object whose lists were not read from its headers still rebuilds exactly.
import { describe, expect, it } from 'vitest';
import { mailObject } from '../../../src/events/mail-object.js';
import { splitMessage } from '../../../src/mime/headers.js';
import { factsOfNew, mailOf, storedMail, type MessageFacts } from '../../../src/store/mail-from-message.js';

const raw = Buffer.from('Message-ID: <m1@sesd.test>\r\nFrom: "A, B" <a@Example.com>\r\nTo: x@example.net, y@example.net\r\nCc: z@example.net\r\nSubject: hello\r\n\r\nbody\r\n');
const message = {
  id: 'm1',
  accountId: '000000000000',
  region: 'eu-west-1',
  envelopeFrom: 'a@Example.com',
  createdAt: 1_700_000_000_123,
  sourceApi: 'sesv2',
  configurationSet: null as string | null,
  destination: { ToAddresses: ['x@example.net', 'y@example.net'], CcAddresses: ['z@example.net'] },
  tags: [] as { Name: string; Value: string }[],
  raw,
};
const mailInput = {
  messageId: 'm1',
  timestamp: new Date(message.createdAt),
  source: 'a@Example.com',
  sourceDomain: 'example.com',
  accountId: '000000000000',
  region: 'eu-west-1',
  destination: ['x@example.net', 'y@example.net', 'z@example.net'],
  headers: splitMessage(raw).headers,
  tags: { 'ses:operation': ['SendEmail'] },
};
const mail = mailObject(mailInput);

/** The message's facts, counting how often its headers are read. */
function counted(): { facts: MessageFacts; reads: () => number } {
  const facts = factsOfNew(message);
  let reads = 0;
  return { facts: { ...facts, headers: () => (reads++, facts.headers()) }, reads: () => reads };
}

describe('the Send mail object rebuilt from its message', () => {
  it('keeps destination, tags and the address lists only (tags other than intake writes: mark 1), and rebuilds the same JSON', () => {
    const kept = storedMail(mail, factsOfNew(message));
    const { from, to, cc } = mail.commonHeaders as Record<string, unknown>;
    expect(JSON.stringify(kept)).toBe(JSON.stringify({ '@message': 1, destination: mail.destination, tags: mail.tags, addresses: { from, to, cc } }));
    const back = mailOf(JSON.parse(JSON.stringify(kept)), factsOfNew(message));
    expect(JSON.stringify(back)).toBe(JSON.stringify(mail));
    expect(back).toStrictEqual(JSON.parse(JSON.stringify(mail)));
  });

  it('keeps of intake\'s tags and destination only what the message row does not give back (mark 2)', () => {
    const withSet = { ...message, configurationSet: 'set', tags: [{ Name: 'campaign', Value: 'c1' }] };
    const intakeTags = {
      'ses:operation': ['SendEmail'],
      'ses:source-ip': ['10.0.0.1'],
      'ses:from-domain': ['example.com'],
      'ses:caller-identity': ['AKIAKEY'],
      'ses:configuration-set': ['set'],
      campaign: ['c1'],
    };
    const full = { ...mail, tags: intakeTags };
    const kept = storedMail(full, factsOfNew(withSet));
    const { from, to, cc } = mail.commonHeaders as Record<string, unknown>;
    expect(kept).toEqual({ '@message': 2, ses: ['10.0.0.1', 'AKIAKEY'], addresses: { from, to, cc } });
    expect(JSON.stringify(mailOf(JSON.parse(JSON.stringify(kept)), factsOfNew(withSet)))).toBe(JSON.stringify(full));

    // commonHeaders' `to` equal to the destination is kept as a mark; a destination the row does not give is kept.
    const toAll = { ...full, destination: ['x@example.net'], commonHeaders: { ...(mail.commonHeaders as object), to: ['x@example.net'] } };
    const keptToAll = storedMail(toAll, factsOfNew(withSet));
    expect(keptToAll).toEqual({ '@message': 2, destination: ['x@example.net'], ses: ['10.0.0.1', 'AKIAKEY'], addresses: { from, to: 1, cc } });
    expect(JSON.stringify(mailOf(JSON.parse(JSON.stringify(keptToAll)), factsOfNew(withSet)))).toBe(JSON.stringify(toAll));

    // A tag the row does not hold (or holds otherwise): tags and destination kept whole.
    const otherTag = { ...full, tags: { ...intakeTags, campaign: ['c2'] } };
    expect(storedMail(otherTag, factsOfNew(withSet))).toMatchObject({ '@message': 1, tags: otherTag.tags });
    // Without its message, the kept fields it has.
    expect(mailOf(JSON.parse(JSON.stringify(keptToAll)), undefined)).toEqual({ destination: ['x@example.net'], tags: { 'ses:source-ip': ['10.0.0.1'], 'ses:caller-identity': ['AKIAKEY'] } });
  });

  it('keeps which of its own headers sesd left out (bits of `own`), and rebuilds rows written before without them', () => {
    const dated = { ...message, raw: Buffer.concat([raw.subarray(0, raw.indexOf('\r\n\r\n')), Buffer.from('\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\nbody\r\n')]) };
    const input = { ...mailInput, headers: splitMessage(dated.raw).headers };
    const withoutOwn = mailObject({ ...input, ownHeaders: ['Message-ID', 'Date'] });
    expect((withoutOwn.headers as { name: string }[]).map((h) => h.name)).toEqual(['From', 'To', 'Cc', 'Subject']);
    expect(withoutOwn.commonHeaders).not.toHaveProperty('date');
    const kept = storedMail(withoutOwn, factsOfNew(dated));
    expect(kept).toMatchObject({ '@message': 1, own: 3 });
    expect(JSON.stringify(mailOf(JSON.parse(JSON.stringify(kept)), factsOfNew(dated)))).toBe(JSON.stringify(withoutOwn));
    // Only the Message-ID: the sender gave the Date.
    const ownId = mailObject({ ...input, ownHeaders: ['Message-ID'] });
    expect(storedMail(ownId, factsOfNew(dated))).toMatchObject({ own: 1 });
    expect(JSON.stringify(mailOf(JSON.parse(JSON.stringify(storedMail(ownId, factsOfNew(dated)))), factsOfNew(dated)))).toBe(JSON.stringify(ownId));
    // A row written before: no `own`, its events list every header as they did.
    const before = mailObject(input);
    const keptBefore = storedMail(before, factsOfNew(dated)) as Record<string, unknown>;
    expect(keptBefore).not.toHaveProperty('own');
    expect((mailOf(JSON.parse(JSON.stringify(keptBefore)), factsOfNew(dated)) as { headers: { name: string }[] }).headers.map((h) => h.name)).toEqual(['Message-ID', 'From', 'To', 'Cc', 'Subject', 'Date']);
  });

  it('reads the headers only when a header field is read, once', () => {
    const { facts, reads } = counted();
    const back = mailOf(JSON.parse(JSON.stringify(storedMail(mail, factsOfNew(message)))), facts) as Record<string, unknown>;
    expect([back.source, back.sourceArn, back.messageId, back.tags]).toEqual([mail.source, mail.sourceArn, 'm1', mail.tags]);
    expect(reads()).toBe(0);
    expect(Object.keys(back)).toEqual(Object.keys(mail));
    expect(back.commonHeaders).toEqual(mail.commonHeaders);
    expect(JSON.stringify(back)).toBe(JSON.stringify(mail));
    expect(reads()).toBe(1);
  });

  it('stores whole what does not rebuild to the same JSON', () => {
    const facts = factsOfNew(message);
    const variants: Record<string, unknown>[] = [
      { ...mail, source: 'other@example.com' },
      { ...mail, headers: [] },
      { ...mail, extra: 1 },
      // Same values, another key order.
      Object.fromEntries(Object.entries(mail).reverse()),
      // What JSON would write differently from the value itself.
      { ...mail, timestamp: new Date(message.createdAt) },
      { ...mail, commonHeaders: { ...(mail.commonHeaders as object), cc: undefined } },
    ];
    for (const v of variants) expect(storedMail(v, facts)).toBe(v);
    // Address lists are kept, whatever they hold.
    const lists = { ...mail, commonHeaders: { ...(mail.commonHeaders as object), to: ['someone-else@example.org'] } };
    expect(JSON.stringify(mailOf(JSON.parse(JSON.stringify(storedMail(lists, facts))), facts))).toBe(JSON.stringify(lists));
    expect(storedMail(null, facts)).toBeNull();
    expect(storedMail({ messageId: 'm1' }, facts)).toEqual({ messageId: 'm1' });
  });

  it('answers the kept fields when the message is gone, and other stored objects as they are', () => {
    expect(mailOf({ '@message': 1, destination: ['x@example.net'], tags: {} }, undefined)).toEqual({ destination: ['x@example.net'], tags: {} });
    const whole = JSON.parse(JSON.stringify(mail)) as unknown;
    expect(mailOf(whole, factsOfNew(message))).toBe(whole);
    expect(mailOf('@send.mail', undefined)).toBe('@send.mail');
  });
});
