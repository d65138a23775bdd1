// The delivery queue on every database: claims under a lease, concurrent claimers never share a
// row, completion writes state and events together and only for the lease holder, the reaper
// returns expired leases, generated mail is queued in the same transaction.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NewMessage } from '../../src/store/messages-repository.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { newMessage, queuedTo } from '../support/new-message.js';

const T0 = 1_700_000_000_000;
let seq = 0;

const message = (recipients: string[], createdAt = T0): NewMessage => {
  const id = `q-${++seq}`;
  return newMessage(id, {
    ...queuedTo(recipients),
    raw: Buffer.from('From: from@example.com\r\n\r\nbody\r\n'),
    createdAt,
    events: [{ type: 'Send', payload: { eventType: 'Send', mail: { messageId: id } } }],
  });
};

describe.each(DIALECTS)('delivery queue (%s)', (dialect) => {
  let db: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    store = await openStore(db);
  });
  beforeEach(async () => {
    await store.messages.delete();
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('claims due recipients oldest first, counts the attempt, and does not hand them out again while leased', async () => {
    const m = message(['a@x.test', 'b@x.test', 'c@x.test']);
    await store.messages.insert(m);
    await store.messages.insert(message(['later@x.test'], T0 + 60_000));
    const first = await store.deliveries.claim('w1', 2, 30_000, T0);
    expect(first.map((c) => [c.messageId, c.recipient, c.attempts])).toEqual([
      [m.id, 'a@x.test', 1],
      [m.id, 'b@x.test', 1],
    ]);
    const second = await store.deliveries.claim('w2', 10, 30_000, T0);
    expect(second.map((c) => c.recipient)).toEqual(['c@x.test']);
    expect(await store.deliveries.claim('w3', 10, 30_000, T0)).toEqual([]);
    const loaded = await store.deliveries.messages([m.id]);
    expect(loaded.get(m.id)).toMatchObject({ id: m.id, envelopeFrom: 'from@example.com', mail: { messageId: m.id } });
    expect(loaded.get(m.id)!.raw.equals(m.raw)).toBe(true);
  });

  it('gives back unattempted recipients of the worker that claimed them, its attempt count undone', async () => {
    const m = message(['a@x.test', 'b@x.test']);
    await store.messages.insert(m);
    const claimed = await store.deliveries.claim('w1', 10, 30_000, T0);
    await store.deliveries.release('w2', claimed.map((c) => c.id));
    expect(await store.deliveries.claim('w3', 10, 30_000, T0)).toEqual([]);
    await store.deliveries.release('w1', claimed.map((c) => c.id));
    const again = await store.deliveries.claim('w3', 10, 30_000, T0);
    expect(again.map((c) => [c.recipient, c.attempts])).toEqual([
      ['a@x.test', 1],
      ['b@x.test', 1],
    ]);
  });

  it('gives each row to one of many concurrent claimers', async () => {
    const recipients = Array.from({ length: 200 }, (_, i) => `r${i}@x.test`);
    for (let i = 0; i < 200; i += 40) await store.messages.insert(message(recipients.slice(i, i + 40)));
    const claims = await Promise.all(Array.from({ length: 8 }, (_, w) => store.deliveries.claim(`w${w}`, 40, 30_000, T0)));
    const ids = claims.flat().map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(200);
  });

  it('completes with the events in one transaction, and ignores a worker that lost its lease', async () => {
    const m = message(['a@x.test', 'b@x.test']);
    await store.messages.insert(m);
    const [a, b] = await store.deliveries.claim('w1', 2, 1_000, T0);
    expect(await store.deliveries.releaseExpired(T0 + 500)).toBe(0);
    expect(await store.deliveries.releaseExpired(T0 + 2_000)).toBe(2);
    const [again] = await store.deliveries.claim('w2', 1, 30_000, T0 + 2_000);
    expect(again!.id).toBe(a!.id);
    expect(again!.attempts).toBe(2);
    const update = (id: number, worker: string) => ({
      deliveryId: id,
      messageId: m.id,
      accountId: m.accountId,
      status: 'delivered' as const,
      lastResponse: `250 by ${worker}`,
      events: [{ type: 'Delivery', payload: { by: worker } }],
      generated: [],
    });
    await store.deliveries.complete('w1', [update(a!.id, 'w1'), update(b!.id, 'w1')], T0 + 2_100);
    await store.deliveries.complete('w2', [update(a!.id, 'w2')], T0 + 2_200);
    const events = await store.messages.events(m.id);
    expect(events.map((e) => e.payload)).toEqual([{ eventType: 'Send', mail: { messageId: m.id } }, { by: 'w2' }]);
    expect(await store.messages.recipients(m.id)).toEqual([
      { recipient: 'a@x.test', status: 'delivered' },
      { recipient: 'b@x.test', status: 'queued' },
    ]);
  });

  it('defers to a later time and queues generated mail with the outcome', async () => {
    const m = message(['a@x.test']);
    await store.messages.insert(m);
    const [a] = await store.deliveries.claim('w1', 1, 30_000, T0);
    await store.deliveries.complete('w1', [
      {
        deliveryId: a!.id,
        messageId: m.id,
        accountId: m.accountId,
        status: 'deferred',
        nextAttemptAt: T0 + 60_000,
        lastResponse: '451 later',
        events: [{ type: 'DeliveryDelay', payload: {} }],
        generated: [{ id: 'dsn-1', accountId: m.accountId, region: m.region, fromHeader: 'MAILER-DAEMON@h', subject: 'DSN', to: ['from@example.com'], raw: Buffer.from('DSN'), createdAt: T0 }],
      },
    ], T0);
    expect(await store.deliveries.claim('w1', 10, 30_000, T0 + 59_999)).toMatchObject([{ messageId: 'dsn-1', recipient: 'from@example.com' }]);
    expect(await store.deliveries.claim('w1', 10, 30_000, T0 + 60_000)).toMatchObject([{ id: a!.id, attempts: 2 }]);
    const [dsn] = await store.messages.list({ id: 'dsn-1' });
    expect(dsn).toMatchObject({ sourceApi: 'sesd', envelopeFrom: '', destination: { ToAddresses: ['from@example.com'] } });
    expect(await store.deliveries.countByStatus()).toEqual({ deferred: 1, queued: 1 });
  });
});
