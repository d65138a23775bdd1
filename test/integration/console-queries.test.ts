// The console's store queries that the API tests cannot reach through a capture-mode sesd (where
// every recipient is delivered at once): the queue and its actions, and the change feed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { ChangeFeed, type FeedEvent } from '../../src/web/api/change-feed.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { newMessage, queuedTo } from '../support/new-message.js';

describe.each(DIALECTS)('console queries (%s)', (dialect) => {
  let db: TestDatabase;
  let store: Store;
  beforeEach(async () => {
    db = await createTestDatabase(dialect);
    store = await openStore({ databaseUrl: db.databaseUrl, dataDir: db.dataDir });
  });
  afterEach(async () => {
    await store?.close();
    await db?.drop();
  });

  it('lists waiting recipients soonest first, makes one due now, and cancels one for good', async () => {
    const now = Date.now();
    await store.messages.insert(newMessage('m1', { subject: 'waiting', createdAt: now, ...queuedTo(['a@example.net', 'b@example.net']) }));
    const queue = await store.console.queue({}, 10);
    expect(queue.map((r) => [r.recipient, r.status, r.subject, r.messageId])).toEqual([
      ['a@example.net', 'queued', 'waiting', 'm1'],
      ['b@example.net', 'queued', 'waiting', 'm1'],
    ]);
    const [a, b] = queue;
    expect(await store.console.retryNow(a!.id, now + 5)).toBe(true);
    expect((await store.console.recipients('m1'))[0]).toMatchObject({ nextAttemptAt: now + 5, status: 'queued' });
    expect(await store.console.cancel(b!.id, now + 6)).toBe(true);
    expect(await store.console.cancel(b!.id, now + 7)).toBe(false);
    expect(await store.console.retryNow(b!.id, now + 7)).toBe(false);
    expect((await store.console.recipients('m1'))[1]).toMatchObject({ status: 'cancelled', lastResponse: 'Cancelled in the console' });
    expect((await store.console.queue({}, 10)).map((r) => r.recipient)).toEqual(['a@example.net']);
    expect(await store.console.queue({ accountId: '111122223333' }, 10)).toEqual([]);
    // A claimed recipient belongs to its worker until the lease ends.
    await store.deliveries.claim('worker-1', 10, 60_000, now + 10);
    expect(await store.console.retryNow(a!.id, now + 11)).toBe(false);
    expect(await store.console.cancel(a!.id, now + 11)).toBe(false);
  });

  it('feeds new messages and status changes to its listeners, each once', async () => {
    let now = Date.now();
    const feed = new ChangeFeed({ queries: store.console, intervalMs: 60_000, now: () => now });
    const seen: FeedEvent[] = [];
    const stop = feed.subscribe((e) => seen.push(e));
    await store.messages.insert(newMessage('fresh', { createdAt: now + 1 }));
    await feed.poll();
    await feed.poll();
    expect(seen.map((e) => [e.kind, e.kind === 'deleted' ? e.id : e.message.id])).toEqual([['message', 'fresh']]);
    const [delivery] = await store.console.queue({}, 1);
    now += 10;
    await store.console.cancel(delivery!.id, now);
    await feed.poll();
    expect(seen.at(-1)).toMatchObject({ kind: 'status', message: { id: 'fresh', statuses: { cancelled: 1 } } });
    expect(seen).toHaveLength(2);
    // A complaint that arrives after delivery changes no delivery row: it is announced all the same, once.
    now += 10;
    await store.eventDispatch.insertEvent({ messageId: 'fresh', accountId: '000000000000', type: 'Complaint', payload: { eventType: 'Complaint' }, createdAt: now });
    await feed.poll();
    await feed.poll();
    expect(seen.slice(2)).toMatchObject([{ kind: 'status', message: { id: 'fresh', complaints: 1 } }]);
    stop();
    await feed.close();
  });
});
