// The dispatchers' claims (SNS outbox, event outbox) poll even when nothing is due. A claim is a
// write transaction: on SQLite it took the database's write lock at every idle poll, and intake's
// commits waited for it. Here another connection holds the tables against writers — SQLite: BEGIN
// IMMEDIATE (the write lock); PostgreSQL: LOCK TABLE … IN EXCLUSIVE MODE (which reads pass) — and
// an idle claim must answer at once, while a claim with work due waits for the lock and claims.
// Also the SNS dispatcher's outcomes, written for a whole batch at once (one UPDATE, one INSERT).
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryAttempt, DeliveryPayload } from '../../src/sns/sns-model.js';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { DeliveriesRepository } from '../../src/store/deliveries-repository.js';
import { EventDispatchRepository } from '../../src/store/event-dispatch-repository.js';
import { MessagesRepository } from '../../src/store/messages-repository.js';
import { SnsRepository } from '../../src/store/sns-repository.js';
import { createTestDatabase, DIALECTS, type DialectName, type TestDatabase } from '../support/databases.js';
import { newMessage } from '../support/new-message.js';
import { keysOf } from '../../src/store/message-keys.js';

const T0 = 1_700_000_000_000;
const LEASE_MS = 30_000;
const WAITED = 'waited for the write lock' as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Another connection holding `tables` against writers until release(). */
async function holdWriteLock(dialect: DialectName, db: TestDatabase, tables: string[]): Promise<{ release(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const locker = new Database(join(db.dataDir, 'sesd.db'));
    locker.exec('BEGIN IMMEDIATE');
    return {
      release: async () => {
        locker.exec('COMMIT');
        locker.close();
      },
    };
  }
  const locker = new pg.Client({ connectionString: db.databaseUrl });
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query(`LOCK TABLE ${tables.join(', ')} IN EXCLUSIVE MODE`);
  return {
    release: async () => {
      await locker.query('COMMIT');
      await locker.end();
    },
  };
}

/** What `claim` answers within a second (far longer than a read, far shorter than SQLite's 5 s lock wait; PostgreSQL's has no end), or WAITED. */
async function answerWhileLocked<T>(claim: Promise<T>): Promise<T | typeof WAITED> {
  return Promise.race([claim, sleep(1_000).then(() => WAITED)]);
}

const payload = (messageId: string): DeliveryPayload => ({
  type: 'Notification',
  messageId,
  topicArn: 'arn:aws:sns:us-east-1:000000000000:t',
  subscriptionArn: 'arn:aws:sns:us-east-1:000000000000:t:s',
  message: 'hello',
  timestamp: new Date(T0).toISOString(),
});

describe.each(DIALECTS)("the dispatchers' claims when nothing is due (%s)", (dialect) => {
  let db: TestDatabase;
  let opened: OpenedDatabase;
  let sns: SnsRepository;
  let events: EventDispatchRepository;
  let messages: MessagesRepository;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    opened = await openDatabase(db);
    sns = new SnsRepository(opened.db, opened.dialect, opened.batchWriter);
    events = new EventDispatchRepository(opened.db, opened.dialect);
    messages = new MessagesRepository(opened.db, opened.dialect, opened.batchWriter);
  });
  afterAll(async () => {
    await opened?.close();
    await db?.drop();
  });

  it('the SNS claim and lease reaper take no write lock while the outbox has nothing due, and claim what is due', async () => {
    await sns.enqueue([{ subscriptionArn: 'arn:aws:sns:us-east-1:000000000000:t:s', payload: payload('later') }], T0 + 60_000);
    const lock = await holdWriteLock(dialect, db, ['sns_deliveries']);
    try {
      expect(await answerWhileLocked(sns.claim('w1', 10, LEASE_MS, T0))).toEqual([]);
      expect(await answerWhileLocked(sns.releaseExpired(T0))).toBe(0);
    } finally {
      await lock.release();
    }

    const lockAgain = await holdWriteLock(dialect, db, ['sns_deliveries']);
    const claim = sns.claim('w1', 10, LEASE_MS, T0 + 60_000);
    await sleep(100);
    await lockAgain.release();
    expect(await claim).toMatchObject([{ payload: { messageId: 'later' }, attempts: 1 }]);
  });

  it('the event claim takes no write lock while no event is due, and claims what is due', async () => {
    // With a configuration set: a Send event without one has nowhere to go and is written settled.
    await messages.insert(newMessage('m-1', { configurationSet: 'app', events: [{ type: 'Send', payload: { eventType: 'Send', mail: { messageId: 'm-1' } } }] }));
    await events.claim('w1', 10, LEASE_MS, T0); // leased until T0 + LEASE_MS: not due before
    const lock = await holdWriteLock(dialect, db, ['events']);
    try {
      expect(await answerWhileLocked(events.claim('w2', 10, LEASE_MS, T0 + 1_000))).toEqual([]);
    } finally {
      await lock.release();
    }

    const lockAgain = await holdWriteLock(dialect, db, ['events']);
    const claim = events.claim('w2', 10, LEASE_MS, T0 + LEASE_MS + 1);
    await sleep(100);
    await lockAgain.release();
    expect(await claim).toMatchObject([{ messageId: 'm-1', attempts: 2 }]);
  });

  it('commits a send that waits while another connection holds the write lock for a moment', async () => {
    const lock = await holdWriteLock(dialect, db, ['messages']);
    let committed = false;
    const insert = messages.insert(newMessage('after-lock', { createdAt: T0 + 400_000 })).then(() => (committed = true));
    try {
      await sleep(300);
      expect(committed).toBe(false);
    } finally {
      await lock.release();
    }
    await insert;
    expect(await messages.list({ id: 'after-lock' })).toHaveLength(1);
  });

  it('writes an event with nowhere to go settled, with its figures, and leaves the others to the dispatcher', async () => {
    const send = (id: string) => ({ type: 'Send', payload: { eventType: 'Send', mail: { messageId: id } } });
    const before = await events.counters();
    await messages.insertTogether([
      // No configuration set, and Send is no identity notification: nowhere to go.
      newMessage('settled', { createdAt: T0 + 200_000, sourceApi: 'smtp', events: [send('settled')] }),
      // A configuration set may have destinations; a Bounce may go to the identity's topic.
      newMessage('with-set', { createdAt: T0 + 200_000, sourceApi: 'smtp', configurationSet: 'app', events: [send('with-set')] }),
      newMessage('bounced', { createdAt: T0 + 200_000, sourceApi: 'smtp', events: [send('bounced'), { type: 'Bounce', payload: { eventType: 'Bounce', mail: { messageId: 'bounced' } } }] }),
    ]);
    const claimed = await events.claim('w3', 10, LEASE_MS, T0 + 200_000);
    const ours = claimed.filter((e) => ['settled', 'with-set', 'bounced'].includes(e.messageId)); // m-1 above is due again too
    expect(ours.map((e) => `${e.messageId} ${e.type}`).sort()).toEqual(['bounced Bounce', 'with-set Send']);
    const accepted = (counters: typeof before) => counters.find((c) => c.name === 'sesd_messages_accepted_total' && c.labels.door === 'smtp')?.value ?? 0;
    // The two settled Send events counted at once; with-set's when the dispatcher settles it.
    expect(accepted(await events.counters()) - accepted(before)).toBe(2);
    const settled = await opened.db.selectFrom('events').select(sql<number>`dispatched_at`.as('dispatched_at')).where('message_seq', 'in', keysOf(opened.db, ['settled', 'bounced'])).where('type', '=', 'Send').execute();
    expect(settled.map((r) => Number(r.dispatched_at))).toEqual([T0 + 200_000, T0 + 200_000]);
  });

  it("writes a delivery's events with nowhere to go settled, with their figures", async () => {
    const deliveries = new DeliveriesRepository(opened.db, opened.dialect);
    const at = T0 + 300_000;
    await messages.insert(newMessage('delivered', { createdAt: at, recipients: [{ address: 'x@example.net', status: 'queued' }] }));
    const [claimed] = (await deliveries.claim('w4', 10, LEASE_MS, at)).filter((d) => d.messageId === 'delivered');
    const before = await events.counters();
    const delivery = { eventType: 'Delivery', mail: { messageId: 'delivered' }, delivery: { recipients: ['x@example.net'], processingTimeMillis: 5 } };
    await deliveries.complete(
      'w4',
      [{ deliveryId: claimed!.id, messageId: 'delivered', accountId: '000000000000', status: 'delivered', lastResponse: '250', events: [{ type: 'Delivery', payload: delivery, nowhereToGo: true }, { type: 'Delivery', payload: delivery }], generated: [] }],
      at + 5,
    );
    const ours = (await events.claim('w4', 10, LEASE_MS, at + 5)).filter((e) => e.messageId === 'delivered');
    expect(ours).toHaveLength(1);
    const delivered = (counters: typeof before) => counters.find((c) => c.name === 'sesd_delivery_outcomes_total' && c.labels.outcome === 'delivered')?.value ?? 0;
    expect(delivered(await events.counters()) - delivered(before)).toBe(1);
  });

  it('records a batch of SNS outcomes (delivered, retry, failed), and leaves a row whose lease another worker took', async () => {
    const sub = 'arn:aws:sns:us-east-1:000000000000:t:batch';
    await sns.enqueue(['ok', 'again', 'gone', 'taken'].map((m) => ({ subscriptionArn: sub, payload: payload(m) })), T0 + 100_000);
    const claimed = await sns.claim('w1', 10, LEASE_MS, T0 + 100_000);
    const id = (m: string) => claimed.find((c) => c.payload.messageId === m)!.id;
    await opened.db.updateTable('sns_deliveries').set({ locked_by: 'w2' }).where('id', '=', id('taken')).execute();
    const at = T0 + 100_500;
    const attempt = (m: string, outcome: DeliveryAttempt['outcome'], statusCode: number): DeliveryAttempt => ({
      deliveryId: id(m),
      subscriptionArn: sub,
      messageId: m,
      attempt: 1,
      at,
      statusCode,
      latencyMs: 12.4,
      error: outcome === 'delivered' ? null : `HTTP ${statusCode}`,
      outcome,
    });
    await Promise.all([
      sns.finish('w1', attempt('ok', 'delivered', 200), { status: 'delivered' }),
      sns.finish('w1', attempt('again', 'retry', 500), { status: 'pending', at: at + 20_000 }),
      sns.finish('w1', attempt('gone', 'failed', 404), { status: 'failed' }),
      sns.finish('w1', attempt('taken', 'delivered', 200), { status: 'delivered' }),
    ]);

    const rows = await opened.db.selectFrom('sns_deliveries').selectAll().where('subscription_arn', '=', sub).orderBy('id').execute();
    expect(rows.map((r) => ({ m: r.message_id, status: r.status, next: Number(r.next_attempt_at), lockedBy: r.locked_by, updated: Number(r.updated_at) }))).toEqual([
      { m: 'ok', status: 'delivered', next: at, lockedBy: null, updated: at },
      { m: 'again', status: 'pending', next: at + 20_000, lockedBy: null, updated: at },
      { m: 'gone', status: 'failed', next: at, lockedBy: null, updated: at },
      { m: 'taken', status: 'pending', next: T0 + 100_000, lockedBy: 'w2', updated: T0 + 100_000 },
    ]);
    const attempts = await sns.attempts({ subscriptionArn: sub }, 10);
    expect(attempts.reverse()).toEqual([
      { ...attempt('ok', 'delivered', 200), latencyMs: 12 },
      { ...attempt('again', 'retry', 500), latencyMs: 12 },
      { ...attempt('gone', 'failed', 404), latencyMs: 12 },
    ]);
  });
});
