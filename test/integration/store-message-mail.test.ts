// The `mail` object of a message's events is stored once, in its Send event's row; the rows of the
// events made from it refer to it (src/store/event-payload.ts). The Send row keeps of it only what
// its message does not hold (and the address lists) when the rest rebuilds to the same JSON
// (src/store/mail-from-message.ts).
// Every reader answers the whole event documents, and rows stored with their own copy (as all were
// before) read as they were written. On every database.
import { describe, expect, it } from 'vitest';
import { ConsoleQueries } from '../../src/store/console-queries.js';
import { EventDispatchRepository } from '../../src/store/event-dispatch-repository.js';
import { FeedbackRepository } from '../../src/store/feedback-repository.js';
import { mailObject } from '../../src/events/mail-object.js';
import { splitMessage } from '../../src/mime/headers.js';
import { TrackingRepository } from '../../src/store/tracking-repository.js';
import { DIALECTS } from '../support/databases.js';
import { useOpenedStore } from '../support/opened-store.js';
import { newMessage } from '../support/new-message.js';
import { keysOf } from '../../src/store/message-keys.js';

const T0 = 1_700_000_000_000;
const HEADER_VALUE = 'a header value long enough to find in a row';

const mailOf = (id: string) => ({
  timestamp: new Date(T0).toISOString(),
  source: 'from@example.com',
  messageId: id,
  destination: ['a@example.net'],
  headersTruncated: false,
  headers: [{ name: 'X-Long', value: HEADER_VALUE }],
  commonHeaders: { from: ['from@example.com'], subject: 's' },
  tags: { 'ses:configuration-set': ['set-1'] },
});

describe.each(DIALECTS)('the mail object stored once per message, in its Send event (%s)', (dialect) => {
  const store = useOpenedStore(dialect);

  const eventRows = async (messageId: string) => store.opened.db.selectFrom('events').select(['type', 'payload']).where('message_seq', '=', keysOf(store.opened.db, messageId)).orderBy('id').execute();


  it('keeps the headers out of the rows of the events after Send and answers the whole documents', async () => {
    const mail = mailOf('m1');
    const bounce = { eventType: 'Bounce', mail, bounce: { bounceType: 'Permanent' } };
    // With a configuration set, so that the dispatcher claims the Send event too.
    await store.messages.insert(newMessage('m1', { createdAt: T0, configurationSet: 'app', events: [{ type: 'Send', payload: { eventType: 'Send', mail, send: {} } }, { type: 'Bounce', payload: bounce }] }));
    const [claimed] = await store.deliveries.claim('w1', 1, 30_000, T0);
    const queued = (await store.deliveries.messages(['m1'])).get('m1')!;
    expect(queued.mail).toEqual(mail);
    const delivery = { eventType: 'Delivery', mail: queued.mail, delivery: { recipients: ['a@example.net'] } };
    await store.deliveries.complete('w1', [{ deliveryId: claimed!.id, messageId: 'm1', accountId: '000000000000', status: 'delivered', lastResponse: '250', events: [{ type: 'Delivery', payload: delivery }], generated: [] }], T0 + 1);

    const rows = await eventRows('m1');
    expect(rows.map((r) => r.type)).toEqual(['Send', 'Bounce', 'Delivery']);
    expect(rows.map((r) => r.payload.includes(HEADER_VALUE))).toEqual([true, false, false]);

    const expected = [
      { eventType: 'Send', mail, send: {} },
      { eventType: 'Bounce', mail, bounce: { bounceType: 'Permanent' } },
      { eventType: 'Delivery', mail, delivery: { recipients: ['a@example.net'] } },
    ];
    expect((await store.messages.events('m1')).map((e) => e.payload)).toEqual(expected);
    // Key order too: the documents are published as SES writes them (eventType, mail, ...).
    expect((await store.messages.events('m1')).map((e) => Object.keys(e.payload as object))).toEqual([
      ['eventType', 'mail', 'send'],
      ['eventType', 'mail', 'bounce'],
      ['eventType', 'mail', 'delivery'],
    ]);
    expect((await new ConsoleQueries(store.opened.db, store.opened.dialect).events('m1')).map((e) => e.payload)).toEqual(expected);
    // The dispatcher with the Send event in the claimed batch, then without it.
    const dispatch = new EventDispatchRepository(store.opened.db, store.opened.dialect);
    expect((await dispatch.claim('d1', 2, 30_000, T0 + 2)).map((e) => e.payload)).toEqual(expected.slice(0, 2));
    expect((await dispatch.claim('d2', 10, 30_000, T0 + 2)).map((e) => e.payload)).toEqual(expected.slice(2));
    expect((await new TrackingRepository(store.opened.db, store.opened.dialect).mailObjects(['m1'])).get('m1')).toEqual({ accountId: '000000000000', mail });
    expect((await new FeedbackRepository(store.opened.db, store.opened.dialect).findMessage('m1'))?.mail).toEqual(mail);
  });

  it('reads event rows that hold their own copy of the mail object as they were written', async () => {
    const mail = mailOf('old');
    await store.messages.insert(newMessage('old', { createdAt: T0 }));
    const inline = [
      { eventType: 'Send', mail, send: {} },
      { eventType: 'Delivery', mail, delivery: { recipients: ['a@example.net'] } },
    ];
    await store.opened.db
      .insertInto('events')
      .values(inline.map((payload) => ({ message_seq: keysOf(store.opened.db, 'old'), account_id: '000000000000', type: payload.eventType, payload: JSON.stringify(payload), created_at: T0 })))
      .execute();
    expect((await store.messages.events('old')).map((e) => e.payload)).toEqual(inline);
    expect((await new EventDispatchRepository(store.opened.db, store.opened.dialect).claim('d1', 10, 30_000, T0 + 2)).map((e) => e.payload)).toEqual(inline);
    expect((await store.deliveries.messages(['old'])).get('old')!.mail).toEqual(mail);
  });
  describe('a Send mail made from its message', () => {
    const raw = Buffer.from(`Message-ID: <rebuilt@sesd.test>\r\nFrom: "Sender, Jr" <from@Example.com>\r\nTo: a@example.net\r\nSubject: ${HEADER_VALUE}\r\n\r\nbody\r\n`);
    const made = (id: string, raw_: Buffer) =>
      mailObject({
        messageId: id,
        timestamp: new Date(T0),
        source: 'from@Example.com',
        sourceDomain: 'example.com',
        accountId: '000000000000',
        region: 'us-east-1',
        destination: ['a@example.net'],
        headers: splitMessage(raw_).headers,
        tags: { 'ses:operation': ['SendEmail'], campaign: ['spring'] },
      });
    const insertWith = (id: string, mail: Record<string, unknown>, messageRaw: Buffer) =>
      store.messages.insert(newMessage(id, { raw: messageRaw, envelopeFrom: 'from@Example.com', createdAt: T0, configurationSet: 'app', events: [{ type: 'Send', payload: { eventType: 'Send', mail, send: {} } }] }));
    /** Each reader's Send mail for `id`, as JSON text (key order included). */
    const everyReader = async (id: string): Promise<string[]> => {
      const delivered = (await store.deliveries.messages([id])).get(id)!.mail;
      const claimed = (await new EventDispatchRepository(store.opened.db, store.opened.dialect).claim('d', 100, 30_000, T0 + 2)).find((e) => e.messageId === id)!.payload.mail;
      return [
        delivered,
        claimed,
        (await store.messages.events(id))[0]!.payload,
        (await new ConsoleQueries(store.opened.db, store.opened.dialect).events(id))[0]!.payload,
        (await new TrackingRepository(store.opened.db, store.opened.dialect).mailObjects([id])).get(id)!.mail,
        (await new FeedbackRepository(store.opened.db, store.opened.dialect).findMessage(id))!.mail,
      ].map((m, i) => JSON.stringify(i === 2 || i === 3 ? (m as { mail: unknown }).mail : m));
    };

    it('keeps only destination, tags and the address lists in the Send row; every reader answers the whole object', async () => {
      const mail = made('rebuilt', raw);
      await insertWith('rebuilt', mail, raw);
      const [send] = await eventRows('rebuilt');
      const { from, to } = mail.commonHeaders as Record<string, unknown>;
      expect(JSON.parse(send!.payload)).toEqual({ eventType: 'Send', mail: { '@message': 1, destination: mail.destination, tags: mail.tags, addresses: { from, to } }, send: {} });
      for (const read of await everyReader('rebuilt')) expect(read).toBe(JSON.stringify(mail));
      // The events made from it (here a Delivery) refer to it and read back whole too.
      const [claimed] = await store.deliveries.claim('w1', 1, 30_000, T0);
      const queued = (await store.deliveries.messages(['rebuilt'])).get('rebuilt')!;
      await store.deliveries.complete('w1', [{ deliveryId: claimed!.id, messageId: 'rebuilt', accountId: '000000000000', status: 'delivered', lastResponse: '250', events: [{ type: 'Delivery', payload: { eventType: 'Delivery', mail: queued.mail, delivery: {} } }], generated: [] }], T0 + 1);
      expect((await eventRows('rebuilt'))[1]!.payload).toBe('{"eventType":"Delivery","mail":"@send.mail","delivery":{}}');
      expect(JSON.stringify((await store.messages.events('rebuilt'))[1]!.payload)).toBe(JSON.stringify({ eventType: 'Delivery', mail, delivery: {} }));
    });

    it('stores whole a mail object its message does not rebuild, and a message without raw (a Rendering Failure)', async () => {
      // Headers of another message; a source other than the envelope sender.
      const other = made('other', Buffer.from('Subject: not this message\r\n\r\n'));
      const elsewhere = { ...made('elsewhere', raw), source: 'someone@example.org' };
      await insertWith('other', other, raw);
      await insertWith('elsewhere', elsewhere, raw);
      const failed = made('failed', Buffer.alloc(0));
      await store.messages.insert(newMessage('failed', { raw: Buffer.alloc(0), envelopeFrom: 'from@Example.com', createdAt: T0, recipients: [], events: [{ type: 'Rendering Failure', payload: { eventType: 'Rendering Failure', mail: failed, failure: {} } }] }));
      for (const [id, mail] of [['other', other], ['elsewhere', elsewhere]] as const) {
        expect(JSON.parse((await eventRows(id))[0]!.payload).mail).toEqual(mail);
        expect(JSON.stringify((await store.messages.events(id))[0]!.payload)).toBe(JSON.stringify({ eventType: 'Send', mail, send: {} }));
      }
      expect(JSON.parse((await eventRows('failed'))[0]!.payload).mail).toEqual(failed);
      expect(JSON.stringify((await store.messages.events('failed'))[0]!.payload)).toBe(JSON.stringify({ eventType: 'Rendering Failure', mail: failed, failure: {} }));
    });
  });
});
