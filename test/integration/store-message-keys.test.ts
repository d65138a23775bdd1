// Messages' integer keys (migration 021, src/store/message-keys.ts), on every database: a store
// written before the migration keeps every message, delivery row and event, each row finding its
// message by the new key; keys are handed out in blocks no two writers share.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { MessageKeys } from '../../src/store/message-keys.js';
import { MESSAGE_KEY_BLOCK } from '../../src/store/migrations/021-message-keys.js';
import { MessagesRepository } from '../../src/store/messages-repository.js';
import { databasePerTest, DIALECTS } from '../support/databases.js';
import { newMessage } from '../support/new-message.js';

const T0 = 1_700_000_000_000;

describe.each(DIALECTS)('message keys (%s)', (dialect) => {
  const fixture = databasePerTest(dialect);

  it('gives the messages of a store written before migration 021 keys, their rows follow them, and new messages take keys after them', async () => {
    const db = await fixture.database();
    const before = await openDatabase({ ...db, migrateTo: '020-events-by-message-and-type' });
    // Two messages as migration 020 left them (rows refer to the message id), the later one first.
    for (const [id, createdAt] of [
      ['later', T0 + 1000],
      ['earlier', T0],
    ] as const) {
      await sql`insert into messages (id, account_id, region, source_api, envelope_from, destination, tags, raw, size, created_at)
        values (${id}, '000000000000', 'us-east-1', 'sesv2', 'from@example.com', '{}', '[]', ${Buffer.from(`Subject: ${id}\r\n\r\nbody`)}, 20, ${createdAt})`.execute(before.db);
      await sql`insert into deliveries (message_id, recipient, status, attempts, next_attempt_at, updated_at)
        values (${id}, ${`to-${id}@example.net`}, 'delivered', 1, ${createdAt}, ${createdAt})`.execute(before.db);
      for (const type of ['Send', 'Delivery']) {
        await sql`insert into events (message_id, account_id, type, payload, created_at, dispatched_at)
          values (${id}, '000000000000', ${type}, ${JSON.stringify({ eventType: type, of: id })}, ${createdAt}, ${createdAt})`.execute(before.db);
      }
    }
    await before.close();

    const opened = await fixture.open();
    const messages = new MessagesRepository(opened.db, opened.dialect, opened.batchWriter);
    const keys = await opened.db.selectFrom('messages').select(['id', 'seq']).orderBy('seq').execute();
    expect(keys.map((k) => [k.id, Number(k.seq)])).toEqual([
      ['earlier', 1],
      ['later', 2],
    ]);
    for (const id of ['earlier', 'later']) {
      expect(await messages.recipients(id)).toEqual([{ recipient: `to-${id}@example.net`, status: 'delivered' }]);
      // The raw message, now in message_bodies.
      expect((await messages.list({ id }))[0]!.raw.toString()).toBe(`Subject: ${id}\r\n\r\nbody`);
      expect((await messages.events(id)).map((e) => e.payload)).toEqual([
        { eventType: 'Send', of: id },
        { eventType: 'Delivery', of: id },
      ]);
    }

    await messages.insert(newMessage('new', { createdAt: T0 + 2000 }));
    const fresh = await opened.db.selectFrom('messages').select('seq').where('id', '=', 'new').executeTakeFirstOrThrow();
    expect(Number(fresh.seq)).toBeGreaterThan(2);
    expect(await messages.recipients('new')).toEqual([{ recipient: 'a@example.net', status: 'queued' }]);

    // Deleting a message takes its rows with it, found by its key.
    expect(await messages.deleteIds(['earlier'])).toBe(1);
    const left = await opened.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(2); // the later message's
  });

  it('hands out keys in blocks no two writers share', async () => {
    const opened = await fixture.open();
    const a = new MessageKeys(opened.db, opened.dialect);
    const b = new MessageKeys(opened.db, opened.dialect);
    const taken = (await Promise.all([a.take(3), b.take(MESSAGE_KEY_BLOCK + 5), a.take(MESSAGE_KEY_BLOCK), b.take(1)])).flat();
    expect(new Set(taken).size).toBe(taken.length);
    // Concurrent callers of one writer share its block rather than each reserving one.
    const c = new MessageKeys(opened.db, opened.dialect);
    const together = (await Promise.all([c.take(2), c.take(2)])).flat().sort((x, y) => x - y);
    expect(together[3]! - together[0]!).toBe(3);
  });
});
