// The `mail` object of a message's events is stored once, in its Send event's row; the rows of the
// events made from it refer to it (src/store/event-payload.ts). Every reader answers the whole event
// documents, and rows stored with their own copy (as all were before) read as they were written.
// On every database.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConsoleQueries } from '../../src/store/console-queries.js';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { DeliveriesRepository } from '../../src/store/deliveries-repository.js';
import { EventDispatchRepository } from '../../src/store/event-dispatch-repository.js';
import { FeedbackRepository } from '../../src/store/feedback-repository.js';
import { MessagesRepository } from '../../src/store/messages-repository.js';
import { TrackingRepository } from '../../src/store/tracking-repository.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { newMessage } from '../support/new-message.js';

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
  let db: TestDatabase;
  let opened: OpenedDatabase;
  let messages: MessagesRepository;
  let deliveries: DeliveriesRepository;

  const eventRows = async (messageId: string) => opened.db.selectFrom('events').select(['type', 'payload']).where('message_id', '=', messageId).orderBy('id').execute();

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    opened = await openDatabase(db);
    messages = new MessagesRepository(opened.db, opened.dialect, opened.batchWriter);
    deliveries = new DeliveriesRepository(opened.db, opened.dialect);
  });
  beforeEach(async () => {
    await messages.delete();
  });
  afterAll(async () => {
    await opened?.close();
    await db?.drop();
  });

  it('keeps the headers out of the rows of the events after Send and answers the whole documents', async () => {
    const mail = mailOf('m1');
    const bounce = { eventType: 'Bounce', mail, bounce: { bounceType: 'Permanent' } };
    await messages.insert(newMessage('m1', { createdAt: T0, events: [{ type: 'Send', payload: { eventType: 'Send', mail, send: {} } }, { type: 'Bounce', payload: bounce }] }));
    const [claimed] = await deliveries.claim('w1', 1, 30_000, T0);
    const queued = (await deliveries.messages(['m1'])).get('m1')!;
    expect(queued.mail).toEqual(mail);
    const delivery = { eventType: 'Delivery', mail: queued.mail, delivery: { recipients: ['a@example.net'] } };
    await deliveries.complete('w1', [{ deliveryId: claimed!.id, messageId: 'm1', accountId: '000000000000', status: 'delivered', lastResponse: '250', events: [{ type: 'Delivery', payload: delivery }], generated: [] }], T0 + 1);

    const rows = await eventRows('m1');
    expect(rows.map((r) => r.type)).toEqual(['Send', 'Bounce', 'Delivery']);
    expect(rows.map((r) => r.payload.includes(HEADER_VALUE))).toEqual([true, false, false]);

    const expected = [
      { eventType: 'Send', mail, send: {} },
      { eventType: 'Bounce', mail, bounce: { bounceType: 'Permanent' } },
      { eventType: 'Delivery', mail, delivery: { recipients: ['a@example.net'] } },
    ];
    expect((await messages.events('m1')).map((e) => e.payload)).toEqual(expected);
    // Key order too: the documents are published as SES writes them (eventType, mail, ...).
    expect((await messages.events('m1')).map((e) => Object.keys(e.payload as object))).toEqual([
      ['eventType', 'mail', 'send'],
      ['eventType', 'mail', 'bounce'],
      ['eventType', 'mail', 'delivery'],
    ]);
    expect((await new ConsoleQueries(opened.db, opened.dialect).events('m1')).map((e) => e.payload)).toEqual(expected);
    // The dispatcher with the Send event in the claimed batch, then without it.
    const dispatch = new EventDispatchRepository(opened.db, opened.dialect);
    expect((await dispatch.claim('d1', 2, 30_000, T0 + 2)).map((e) => e.payload)).toEqual(expected.slice(0, 2));
    expect((await dispatch.claim('d2', 10, 30_000, T0 + 2)).map((e) => e.payload)).toEqual(expected.slice(2));
    expect((await new TrackingRepository(opened.db).mailObjects(['m1'])).get('m1')).toEqual({ accountId: '000000000000', mail });
    expect((await new FeedbackRepository(opened.db, opened.dialect).findMessage('m1'))?.mail).toEqual(mail);
  });

  it('reads event rows that hold their own copy of the mail object as they were written', async () => {
    const mail = mailOf('old');
    await messages.insert(newMessage('old', { createdAt: T0 }));
    const inline = [
      { eventType: 'Send', mail, send: {} },
      { eventType: 'Delivery', mail, delivery: { recipients: ['a@example.net'] } },
    ];
    await opened.db
      .insertInto('events')
      .values(inline.map((payload) => ({ message_id: 'old', account_id: '000000000000', type: payload.eventType, payload: JSON.stringify(payload), created_at: T0 })))
      .execute();
    expect((await messages.events('old')).map((e) => e.payload)).toEqual(inline);
    expect((await new EventDispatchRepository(opened.db, opened.dialect).claim('d1', 10, 30_000, T0 + 2)).map((e) => e.payload)).toEqual(inline);
    expect((await deliveries.messages(['old'])).get('old')!.mail).toEqual(mail);
  });
});
