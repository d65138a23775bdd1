// The statements the delivery loop runs for every batch, whose SQL the store writes by hand
// (src/store/raw-sql.ts), on every database, checked against the rows they leave: the claim (order,
// limit, lease), the claimed messages, a completion of mixed outcomes with its events and generated
// mail and the lease check, batches larger than one statement, a failed completion rolled back, and
// the reaper. The commit settings the queue switches must be back to durable afterwards.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryUpdate, GeneratedMessage } from '../../src/store/deliveries-repository.js';
import type { NewMessage } from '../../src/store/messages-repository.js';
import { DIALECTS } from '../support/databases.js';
import { useOpenedStore } from '../support/opened-store.js';
import { newMessage, queuedTo } from '../support/new-message.js';
import { keysOf } from '../../src/store/message-keys.js';

const T0 = 1_700_000_000_000;
const ACCOUNT = '000000000000';

const message = (id: string, recipients: string[], createdAt: number, events: NewMessage['events'] = [sendEvent(id)]): NewMessage =>
  newMessage(id, {
    ...queuedTo(recipients),
    accountId: ACCOUNT,
    configurationSet: 'set-1',
    // Bytes that are not UTF-8 must come back as they went in.
    raw: Buffer.concat([Buffer.from(`Subject: ${id}\r\n\r\n`), Buffer.from([0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x0d, 0x0a])]),
    createdAt,
    events,
  });

const sendEvent = (id: string) => ({ type: 'Send', payload: { eventType: 'Send', mail: { messageId: id, tags: { k: ['v'] } } } });

const generatedMail = (id: string, to: string[], createdAt: number): GeneratedMessage => ({
  id,
  accountId: ACCOUNT,
  region: 'us-east-1',
  fromHeader: 'MAILER-DAEMON@sesd.test',
  subject: 'Delivery Status Notification',
  to,
  raw: Buffer.from([0x44, 0x53, 0x4e, 0x00, 0xff]),
  createdAt,
});

describe.each(DIALECTS)('the store on the delivery path (%s)', (dialect) => {
  const store = useOpenedStore(dialect);

  /** The delivery rows of a message, in id order, as stored. */
  const rowsOf = async (messageId: string) =>
    (
      await store.opened.db
        .selectFrom('deliveries')
        .selectAll()
        .where('message_seq', '=', keysOf(store.opened.db, messageId))
        .orderBy('id')
        .execute()
    ).map(({ message_seq: _key, ...r }) => ({
      ...r,
      id: Number(r.id),
      next_attempt_at: Number(r.next_attempt_at),
      locked_until: r.locked_until === null ? null : Number(r.locked_until),
      updated_at: Number(r.updated_at),
    }));

  /** The commit setting the queue switches for its own transactions, and must switch back. */
  const durability = async (): Promise<string> => {
    if (dialect === 'postgres') return (await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(store.opened.db)).rows[0]!.synchronous_commit;
    // SQLite's setting is per connection: this is the one the queue uses.
    return String((await sql<{ synchronous: number }>`pragma synchronous`.execute(store.opened.db)).rows[0]!.synchronous);
  };
  let durable: string;

  beforeAll(async () => {
    durable = await durability();
    if (dialect === 'sqlite') expect(durable).toBe('2'); // FULL
  });

  it('claims the due recipients oldest first up to the limit, leases them, and does not hand them out again', async () => {
    // Inserted newest first, so that id order is not due order.
    await store.messages.insert(message('c-last', ['z1@x.test'], T0 + 20));
    await store.messages.insert(message('c-later', ['l1@x.test', 'l2@x.test'], T0 + 10));
    await store.messages.insert(message('c-oldest', ['o1@x.test'], T0));
    await store.messages.insert(message('c-future', ['f1@x.test'], T0 + 60_000));
    const [last] = await rowsOf('c-last');
    const [later1, later2] = await rowsOf('c-later');
    const [oldest] = await rowsOf('c-oldest');

    // Due order is next attempt, then id (the limit falls between c-later's two recipients); the
    // answer comes in id order.
    const first = await store.deliveries.claim('w1', 2, 30_000, T0 + 100);
    expect(first).toEqual([
      { id: later1!.id, messageId: 'c-later', recipient: 'l1@x.test', attempts: 1 },
      { id: oldest!.id, messageId: 'c-oldest', recipient: 'o1@x.test', attempts: 1 },
    ]);
    expect(await rowsOf('c-later')).toEqual([
      { ...later1, attempts: 1, locked_by: 'w1', locked_until: T0 + 30_100, updated_at: T0 + 100 },
      later2,
    ]);

    const second = await store.deliveries.claim('w2', 10, 30_000, T0 + 100);
    expect(second).toEqual([
      { id: last!.id, messageId: 'c-last', recipient: 'z1@x.test', attempts: 1 },
      { id: later2!.id, messageId: 'c-later', recipient: 'l2@x.test', attempts: 1 },
    ]);
    expect(await store.deliveries.claim('w3', 10, 30_000, T0 + 100)).toEqual([]);
    expect(await store.deliveries.claim('w3', 0, 30_000, T0 + 60_000)).toEqual([]);
    expect(await store.deliveries.claim('w3', 10, 30_000, T0 + 60_000)).toMatchObject([{ messageId: 'c-future', attempts: 1 }]);
    expect(await durability()).toBe(durable);
  });

  it('reads the claimed messages with their raw bytes and the mail object of their Send event, over several statements', async () => {
    const batch = Array.from({ length: 401 }, (_, i) => message(`r-${i}`, [`r${i}@x.test`], T0 + i));
    batch.push(message('r-no-send', ['n@x.test'], T0, [{ type: 'Reject', payload: { eventType: 'Reject', mail: { messageId: 'not this one' } } }]));
    await Promise.all(batch.map((m) => store.messages.insert(m)));

    expect((await store.deliveries.messages([])).size).toBe(0);
    const loaded = await store.deliveries.messages([...batch.map((m) => m.id), 'r-missing']);
    expect(loaded.size).toBe(batch.length);
    for (const m of batch) {
      const got = loaded.get(m.id)!;
      expect(got).toMatchObject({ id: m.id, accountId: ACCOUNT, region: 'us-east-1', sourceApi: 'sesv2', envelopeFrom: 'from@example.com', configurationSet: 'set-1', createdAt: m.createdAt });
      expect(Buffer.isBuffer(got.raw) && got.raw.equals(m.raw)).toBe(true);
    }
    expect(loaded.get('r-400')!.mail).toEqual({ messageId: 'r-400', tags: { k: ['v'] } });
    expect(loaded.get('r-no-send')!.mail).toBeUndefined();
  });

  it('completes delivered, deferred and bounced recipients with their events and generated mail, and leaves a row whose lease another worker took', async () => {
    // 'lost' is claimed first under a short lease, which runs out; w2 then holds it.
    await store.messages.insert(message('m-lost', ['lost@x.test'], T0));
    await store.messages.insert(message('m', ['a@x.test', 'b@x.test', 'c@x.test'], T0 + 1));
    const [lost] = await store.deliveries.claim('w1', 1, 1_000, T0 + 1);
    const [a, b, c] = await store.deliveries.claim('w1', 3, 600_000, T0 + 1);
    expect(lost!.messageId).toBe('m-lost');
    expect(await store.deliveries.releaseExpired(T0 + 1_000)).toBe(0);
    expect(await store.deliveries.releaseExpired(T0 + 1_002)).toBe(1);
    expect(await store.deliveries.claim('w2', 10, 30_000, T0 + 2_000)).toEqual([{ ...lost!, attempts: 2 }]);

    const update = (id: number, messageId: string, status: DeliveryUpdate['status'], extra: Partial<DeliveryUpdate> = {}): DeliveryUpdate => ({
      deliveryId: id,
      messageId,
      accountId: ACCOUNT,
      status,
      lastResponse: `${status} ${id}`,
      events: [{ type: status, payload: { id, status } }],
      generated: [],
      ...extra,
    });
    const now = T0 + 3_000;
    // Submitted together, so one group-committed transaction: w1's stale outcome for 'lost' comes
    // first and must be ignored, w2's applies.
    await Promise.all([
      store.deliveries.complete(
        'w1',
        [
          update(a!.id, 'm', 'delivered'),
          update(b!.id, 'm', 'deferred', { nextAttemptAt: T0 + 60_000, events: [{ type: 'DeliveryDelay', payload: { n: 1 } }, { type: 'Extra', payload: 'x' }] }),
          update(c!.id, 'm', 'bounced', { lastResponse: null, generated: [generatedMail('dsn-c', ['from@example.com', 'postmaster@example.com'], now)] }),
          update(lost!.id, 'm-lost', 'bounced', { generated: [generatedMail('dsn-stale', ['from@example.com'], now)] }),
        ],
        now,
      ),
      store.deliveries.complete('w2', [update(lost!.id, 'm-lost', 'delivered', { lastResponse: '250 by w2' })], now + 1),
    ]);

    expect(await rowsOf('m')).toEqual([
      { id: a!.id, recipient: 'a@x.test', status: 'delivered', attempts: 1, next_attempt_at: now, locked_by: null, locked_until: null, last_response: `delivered ${a!.id}`, updated_at: now, raw: null, raw_deflated: null },
      { id: b!.id, recipient: 'b@x.test', status: 'deferred', attempts: 1, next_attempt_at: T0 + 60_000, locked_by: null, locked_until: null, last_response: `deferred ${b!.id}`, updated_at: now, raw: null, raw_deflated: null },
      { id: c!.id, recipient: 'c@x.test', status: 'bounced', attempts: 1, next_attempt_at: now, locked_by: null, locked_until: null, last_response: null, updated_at: now, raw: null, raw_deflated: null },
    ]);
    expect(await rowsOf('m-lost')).toEqual([
      { id: lost!.id, recipient: 'lost@x.test', status: 'delivered', attempts: 2, next_attempt_at: now + 1, locked_by: null, locked_until: null, last_response: '250 by w2', updated_at: now + 1, raw: null, raw_deflated: null },
    ]);

    expect(await store.messages.events('m')).toEqual([
      { type: 'Send', payload: sendEvent('m').payload, createdAt: T0 + 1 },
      { type: 'delivered', payload: { id: a!.id, status: 'delivered' }, createdAt: now },
      { type: 'DeliveryDelay', payload: { n: 1 }, createdAt: now },
      { type: 'Extra', payload: 'x', createdAt: now },
      { type: 'bounced', payload: { id: c!.id, status: 'bounced' }, createdAt: now },
    ]);
    expect(await store.messages.events('m-lost')).toEqual([
      { type: 'Send', payload: sendEvent('m-lost').payload, createdAt: T0 },
      { type: 'delivered', payload: { id: lost!.id, status: 'delivered' }, createdAt: now + 1 },
    ]);

    // The bounce's DSN is queued with a delivery row per recipient; the stale outcome's is not.
    expect(await store.messages.list({ id: 'dsn-stale' })).toEqual([]);
    const [dsn] = await store.messages.list({ id: 'dsn-c' });
    expect(dsn).toMatchObject({
      accountId: ACCOUNT,
      region: 'us-east-1',
      sourceApi: 'sesd',
      envelopeFrom: '',
      fromHeader: 'MAILER-DAEMON@sesd.test',
      subject: 'Delivery Status Notification',
      destination: { ToAddresses: ['from@example.com', 'postmaster@example.com'] },
      configurationSet: null,
      tags: [],
      createdAt: now,
    });
    expect(await rowsOf('dsn-c')).toMatchObject([
      { recipient: 'from@example.com', status: 'queued', attempts: 0, next_attempt_at: now, locked_by: null, locked_until: null, last_response: null, updated_at: now },
      { recipient: 'postmaster@example.com', status: 'queued', attempts: 0, next_attempt_at: now, locked_by: null, locked_until: null, last_response: null, updated_at: now },
    ]);
    expect(await store.messages.events('dsn-c')).toEqual([]);
    const loaded = (await store.deliveries.messages(['dsn-c'])).get('dsn-c')!;
    expect(loaded.raw.equals(generatedMail('dsn-c', [], now).raw)).toBe(true);
    expect(loaded.mail).toBeUndefined();

    // The DSN's recipients are due now, the deferred one at its next attempt.
    expect((await store.deliveries.claim('w1', 10, 30_000, now)).map((d) => d.recipient)).toEqual(['from@example.com', 'postmaster@example.com']);
    expect(await store.deliveries.claim('w1', 10, 30_000, T0 + 59_999)).toEqual([]);
    expect(await store.deliveries.claim('w1', 10, 30_000, T0 + 60_000)).toEqual([{ id: b!.id, messageId: 'm', recipient: 'b@x.test', attempts: 2 }]);
    expect(await store.deliveries.countByStatus()).toEqual({ delivered: 2, bounced: 1, deferred: 1, queued: 2 });
    expect(await durability()).toBe(durable);
  });

  it('completes more recipients and events than one statement holds', async () => {
    const recipients = Array.from({ length: 450 }, (_, i) => `r${String(i).padStart(3, '0')}@x.test`);
    await store.messages.insert(message('big', recipients, T0));
    const claimed = await store.deliveries.claim('w1', 500, 30_000, T0);
    expect(claimed.map((d) => d.recipient)).toEqual(recipients);
    await store.deliveries.complete(
      'w1',
      claimed.map((d, i) => ({
        deliveryId: d.id,
        messageId: 'big',
        accountId: ACCOUNT,
        status: i % 2 === 0 ? 'delivered' : 'deferred',
        nextAttemptAt: T0 + 1_000 + i,
        lastResponse: `250 ${i}`,
        events: [{ type: 'Delivery', payload: { i } }],
        generated: i < 410 ? [generatedMail(`gen-${i}`, ['g@x.test'], T0 + i)] : [],
      })),
      T0 + 500,
    );
    const rows = await rowsOf('big');
    expect(rows.map((r) => [r.status, r.next_attempt_at, r.last_response, r.locked_by])).toEqual(
      rows.map((_, i) => [i % 2 === 0 ? 'delivered' : 'deferred', T0 + 1_000 + i, `250 ${i}`, null]),
    );
    const events = await store.messages.events('big');
    expect(events.map((e) => e.payload)).toEqual([sendEvent('big').payload, ...recipients.map((_, i) => ({ i }))]);
    expect(await store.deliveries.countByStatus()).toEqual({ delivered: 225, deferred: 225, queued: 410 });
    expect((await store.deliveries.messages(['gen-0', 'gen-409'])).size).toBe(2);
  });

  it('rolls a failed completion back whole, and the queue goes on', async () => {
    await store.messages.insert(message('f', ['a@x.test', 'b@x.test'], T0));
    const [a, b] = await store.deliveries.claim('w1', 2, 30_000, T0);
    const delivered = (id: number, generated: GeneratedMessage[] = []): DeliveryUpdate => ({
      deliveryId: id,
      messageId: 'f',
      accountId: ACCOUNT,
      status: 'delivered',
      lastResponse: '250',
      events: [{ type: 'Delivery', payload: {} }],
      generated,
    });
    // A generated message whose id is taken fails the INSERT after the UPDATE ran.
    await expect(store.deliveries.complete('w1', [delivered(a!.id, [generatedMail('f', ['x@x.test'], T0)])], T0 + 1)).rejects.toThrow();
    expect(await rowsOf('f')).toMatchObject([
      { status: 'queued', locked_by: 'w1', last_response: null },
      { status: 'queued', locked_by: 'w1', last_response: null },
    ]);
    expect((await store.messages.events('f')).map((e) => e.type)).toEqual(['Send']);
    expect(await durability()).toBe(durable);

    await store.deliveries.complete('w1', [delivered(a!.id), delivered(b!.id)], T0 + 2);
    expect((await rowsOf('f')).map((r) => r.status)).toEqual(['delivered', 'delivered']);
    expect((await store.messages.events('f')).map((e) => e.type)).toEqual(['Send', 'Delivery', 'Delivery']);
  });

  it('returns expired leases to the queue and keeps live ones', async () => {
    await store.messages.insert(message('e', ['a@x.test', 'b@x.test', 'c@x.test'], T0));
    await store.deliveries.claim('w1', 1, 1_000, T0);
    await store.deliveries.claim('w2', 1, 5_000, T0);
    expect(await store.deliveries.releaseExpired(T0 + 1_000)).toBe(0);
    expect(await store.deliveries.releaseExpired(T0 + 1_001)).toBe(1);
    expect((await rowsOf('e')).map((r) => [r.locked_by, r.locked_until, r.attempts])).toEqual([
      [null, null, 1],
      ['w2', T0 + 5_000, 1],
      [null, null, 0],
    ]);
    expect((await store.deliveries.claim('w3', 10, 1_000, T0 + 1_001)).map((d) => [d.recipient, d.attempts])).toEqual([
      ['a@x.test', 2],
      ['c@x.test', 1],
    ]);
  });
});

