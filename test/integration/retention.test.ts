// Retention on every database: finished messages past the age or beyond the count go with their
// recipients and events; a message with a recipient still queued or deferred, or with an event
// newer than the boundary, stays. A real sesd reaps in the background as configured.
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { openStore, type Store } from '../../src/store/store.js';
import { reapRetention, RETENTION_BATCH } from '../../src/queue/retention-reaper.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { newMessage } from '../support/new-message.js';
import { startSesd } from '../support/sesd.js';
import { keysOf } from '../../src/store/message-keys.js';

const HOUR = 3_600_000;
const NOW = 1_800_000_000_000;
const log = pino({ level: 'silent' });
const final = [{ address: 'a@example.net', status: 'suppressed' as const }];
const send = [{ type: 'Send', payload: { eventType: 'Send' } }];

describe.each(DIALECTS)('retention (%s)', (dialect) => {
  let db: TestDatabase;
  let store: Store;
  let raw: OpenedDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    store = await openStore(db);
    raw = await openDatabase(db);
  });
  afterAll(async () => {
    await raw?.close();
    await store?.close();
    await db?.drop();
  });

  const ids = async () => (await store.messages.list()).map((m) => m.id).sort();

  it('deletes finished messages older than the age with their recipients and events, and keeps the rest', async () => {
    await store.messages.delete();
    const old = NOW - 3 * HOUR;
    await Promise.all([
      store.messages.insert(newMessage('old-done', { createdAt: old, recipients: final, events: send })),
      store.messages.insert(newMessage('old-no-recipients', { createdAt: old, recipients: [], events: [{ type: 'Rendering Failure', payload: {} }] })),
      store.messages.insert(newMessage('old-queued', { createdAt: old })),
      store.messages.insert(newMessage('old-deferred', { createdAt: old })),
      store.messages.insert(newMessage('old-late-event', { createdAt: old, recipients: final, events: send })),
      store.messages.insert(newMessage('young-done', { createdAt: NOW - HOUR, recipients: final, events: send })),
      // With a configuration set: its Send event waits for the dispatcher (without one it has nowhere to go and is written settled).
      store.messages.insert(newMessage('old-unpublished', { createdAt: old, recipients: final, configurationSet: 'app', events: send })),
    ]);
    // Published events are marked by the dispatcher (migration 008); one old message's Send is not yet.
    await sql`update events set dispatched_at = ${old} where message_seq <> (select seq from messages where id = 'old-unpublished')`.execute(raw.db);
    await raw.db.updateTable('deliveries').set({ status: 'deferred' }).where('message_seq', '=', keysOf(raw.db, 'old-deferred')).execute();
    // A bounce that came in 10 minutes ago may not have been published yet.
    await raw.db
      .insertInto('events')
      .values({ message_seq: keysOf(raw.db, 'old-late-event'), account_id: '000000000000', type: 'Bounce', payload: '{}', created_at: NOW - 10 * 60_000 })
      .execute();

    expect(await reapRetention(store.retention, { maxAgeMs: 2 * HOUR, maxMessages: 0 }, log, NOW)).toBe(2);
    expect(await ids()).toEqual(['old-deferred', 'old-late-event', 'old-queued', 'old-unpublished', 'young-done']);
    expect(await store.messages.recipients('old-done')).toEqual([]);
    expect(await store.messages.events('old-done')).toEqual([]);
    expect(await store.messages.events('old-no-recipients')).toEqual([]);
    expect((await store.messages.events('old-late-event')).map((e) => e.type)).toEqual(['Send', 'Bounce']);
  });

  it('keeps the newest messages up to the count, deleting the finished ones beyond it in batches', async () => {
    await store.messages.delete();
    const total = RETENTION_BATCH * 2 + 50;
    await Promise.all(
      Array.from({ length: total }, (_, i) =>
        store.messages.insert(newMessage(`m-${String(i).padStart(4, '0')}`, { createdAt: NOW - total + i, recipients: i === 0 ? newMessage('').recipients : final })),
      ),
    );
    // The oldest has a queued recipient: it stays although it is beyond the count.
    expect(await reapRetention(store.retention, { maxAgeMs: 0, maxMessages: 10 }, log, NOW)).toBe(total - 11);
    expect(await ids()).toEqual(['m-0000', ...Array.from({ length: 10 }, (_, i) => `m-${String(total - 10 + i).padStart(4, '0')}`)]);
    expect(await reapRetention(store.retention, { maxAgeMs: 0, maxMessages: 10 }, log, NOW)).toBe(0);
  });
});

describe.each(DIALECTS)('sesd with SESD_RETENTION_MAX_AGE (%s)', (dialect) => {
  it('reaps old finished messages in the background and keeps young ones', { timeout: 30_000 }, async () => {
    const db = await createTestDatabase(dialect);
    const app = await startSesd(db, { SESD_RETENTION_MAX_AGE: '1h', SESD_RETENTION_INTERVAL: '100ms' });
    try {
      const now = Date.now();
      await Promise.all([
        ...Array.from({ length: 150 }, (_, i) => app.store.messages.insert(newMessage(`old-${i}`, { createdAt: now - 2 * HOUR, recipients: final, events: send }))),
        app.store.messages.insert(newMessage('young', { createdAt: now, recipients: final, events: send })),
      ]);
      await expect.poll(async () => (await app.store.messages.list()).map((m) => m.id), { timeout: 20_000, interval: 100 }).toEqual(['young']);
    } finally {
      await app.close();
      await db.drop();
    }
  });
});
