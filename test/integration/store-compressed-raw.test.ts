// Raw messages are stored compressed (src/store/stored-raw.ts, migration 018): every reader answers
// the message exactly as it was sent, whatever way its row holds it — compressed (a small one by the
// batch writer), as sent because it is tiny or compression would not shrink it, or as written before
// migration 018.
// Recipients' own copies and the mail sesd generates are stored the same way. On every database.
import { randomBytes } from 'node:crypto';
import type { CompiledQuery } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { BatchWriter } from '../../src/store/batch-writer.js';
import { ConsoleQueries } from '../../src/store/console-queries.js';
import type { GeneratedMessage } from '../../src/store/deliveries-repository.js';
import { FeedbackRepository } from '../../src/store/feedback-repository.js';
import { MessagesRepository } from '../../src/store/messages-repository.js';
import { DIALECTS } from '../support/databases.js';
import { useOpenedStore } from '../support/opened-store.js';
import { newMessage } from '../support/new-message.js';
import { keysOf } from '../../src/store/message-keys.js';

const T0 = 1_700_000_000_000;
const ACCOUNT = '000000000000';
const PARAGRAPH = 'A plain-text paragraph of a notification, repeated as mail often repeats itself. Grüße ✉\r\n';
/** Mail-like text: compresses well. */
const text = (id: string, bytes: number) => Buffer.from(`Subject: ${id}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${PARAGRAPH.repeat(Math.ceil(bytes / PARAGRAPH.length))}`);
const sendEvent = (id: string) => ({ type: 'Send', payload: { eventType: 'Send', mail: { messageId: id, tags: {} } } });

describe.each(DIALECTS)('raw messages stored compressed (%s)', (dialect) => {
  const store = useOpenedStore(dialect);

  /** How the message's rows hold it: stored bytes, the row's size and its raw_deflated mark. */
  const rowOf = async (id: string) => {
    const r = await store.opened.db
      .selectFrom('messages')
      .innerJoin('message_bodies', 'message_bodies.seq', 'messages.seq')
      .select(['raw', 'size', 'raw_deflated'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return { stored: r.raw.length, size: Number(r.size), deflated: r.raw_deflated === null ? null : Number(r.raw_deflated) };
  };
  /** Every reader of a message's raw bytes, each answering them. */
  const readers = async (id: string): Promise<Buffer[]> => {
    const [listed] = await store.messages.list({ id });
    const shown = await new ConsoleQueries(store.opened.db, store.opened.dialect).message(id);
    const queued = (await store.deliveries.messages([id])).get(id);
    const reported = await new FeedbackRepository(store.opened.db, store.opened.dialect).findMessage(id);
    return [listed!.raw, shown!.raw, queued!.raw, reported!.raw];
  };


  it('stores mail-like text compressed and every reader answers it as sent, small and large', async () => {
    // Compressed by the batch writer as it binds the row; above 32 kB, on the thread pool first.
    const small = text('small', 1_200);
    const large = text('large', 300_000);
    await store.messages.insert(newMessage('small', { raw: small, createdAt: T0, events: [sendEvent('small')] }));
    await store.messages.insert(newMessage('large', { raw: large, createdAt: T0 + 1, events: [sendEvent('large')] }));
    for (const [id, raw] of [['small', small], ['large', large]] as const) {
      const row = await rowOf(id);
      expect(row).toMatchObject({ size: raw.length, deflated: 1 });
      expect(row.stored).toBeLessThan(raw.length / 2);
      for (const read of await readers(id)) expect(read.equals(raw)).toBe(true);
    }
  });

  it('stores a message under 256 bytes as it is: deflate would save next to nothing', async () => {
    const tiny = Buffer.from('Subject: tiny\r\n\r\nhello\r\n');
    await store.messages.insert(newMessage('tiny', { raw: tiny, createdAt: T0, events: [sendEvent('tiny')] }));
    expect(await rowOf('tiny')).toEqual({ stored: tiny.length, size: tiny.length, deflated: null });
    for (const read of await readers('tiny')) expect(read.equals(tiny)).toBe(true);
  });

  it('stores a large message compression would not shrink as it is, and a small one as the writer compressed it, a few bytes larger', async () => {
    const random = Buffer.concat([Buffer.from('Subject: random\r\n\r\n'), randomBytes(40_000)]);
    const small = Buffer.concat([Buffer.from('Subject: small random\r\n\r\n'), randomBytes(2_000)]);
    await store.messages.insert(newMessage('random', { raw: random, createdAt: T0, events: [sendEvent('random')] }));
    await store.messages.insert(newMessage('small-random', { raw: small, createdAt: T0, events: [sendEvent('small-random')] }));
    expect(await rowOf('random')).toEqual({ stored: random.length, size: random.length, deflated: null });
    const row = await rowOf('small-random');
    expect(row).toMatchObject({ size: small.length, deflated: 1 });
    expect(row.stored - small.length).toBeLessThan(16);
    for (const id of ['random', 'small-random']) for (const read of await readers(id)) expect(read.equals(id === 'random' ? random : small)).toBe(true);
  });

  it('reads rows written before migration 018 (no mark) as they were written', async () => {
    // Bytes that are not UTF-8, and a valid deflate stream: without the mark, neither is inflated.
    const old = Buffer.concat([Buffer.from('Subject: old\r\n\r\n'), Buffer.from([0x00, 0xff, 0xfe, 0x80])]);
    const looksDeflated = Buffer.from([0x03, 0x00]); // deflateRaw('')
    for (const [id, raw] of [['old', old], ['old-deflate-like', looksDeflated]] as const) {
      const m = newMessage(id, { raw, createdAt: T0 });
      // A key far from the blocks intake takes keys from (store/message-keys.ts).
      const seq = id === 'old' ? 900_001 : 900_002;
      await store.opened.db
        .insertInto('messages')
        .values({ seq, id, account_id: ACCOUNT, region: m.region, source_api: m.sourceApi, envelope_from: m.envelopeFrom, from_header: null, subject: null, destination: '{}', configuration_set: null, tags: '[]', size: raw.length, created_at: T0, feedback_address: null })
        .execute();
      await store.opened.db.insertInto('message_bodies').values({ seq, raw, raw_deflated: null }).execute();
      await store.opened.db.insertInto('events').values({ message_seq: keysOf(store.opened.db, id), account_id: ACCOUNT, type: 'Send', payload: JSON.stringify(sendEvent(id).payload), created_at: T0 }).execute();
      await store.opened.db
        .insertInto('deliveries')
        .values({ message_seq: keysOf(store.opened.db, id), recipient: 'a@example.net', status: 'queued', attempts: 0, next_attempt_at: T0, updated_at: T0, raw: id === 'old' ? old : null } as never)
        .execute();
      for (const read of await readers(id)) expect(read.equals(raw)).toBe(true);
    }
    const claimed = await store.deliveries.claim('w1', 10, 30_000, T0);
    expect(claimed.find((c) => c.messageId === 'old')!.raw!.equals(old)).toBe(true);
  });

  it("compresses a recipient's own copy and the mail sesd generates, and answers them as sent", async () => {
    const own = text('own copy for b', 5_000);
    // The second recipient has their own copy (list-managed or tracked mail).
    await store.messages.insert(
      newMessage('copies', {
        destination: { ToAddresses: ['a@example.net', 'b@example.net'] },
        recipients: [
          { address: 'a@example.net', status: 'queued' },
          { address: 'b@example.net', status: 'queued', raw: own },
        ],
        raw: text('copies', 5_000),
        createdAt: T0,
        events: [sendEvent('copies')],
      }),
    );
    const rows = await store.opened.db.selectFrom('deliveries').select(['recipient', 'raw', 'raw_deflated']).where('message_seq', '=', keysOf(store.opened.db, 'copies')).orderBy('id').execute();
    expect(rows.map((r) => [r.recipient, r.raw === null ? null : r.raw.length < own.length / 2, r.raw_deflated === null ? null : Number(r.raw_deflated)])).toEqual([
      ['a@example.net', null, null],
      ['b@example.net', true, 1],
    ]);
    const [a, b] = await store.deliveries.claim('w1', 10, 30_000, T0);
    expect(a!.raw).toBeUndefined();
    expect(b!.raw!.equals(own)).toBe(true);

    const dsn: GeneratedMessage = { id: 'dsn', accountId: ACCOUNT, region: 'us-east-1', fromHeader: 'MAILER-DAEMON@sesd.test', subject: 'Undelivered Mail', to: ['from@example.com'], raw: text('dsn', 6_000), createdAt: T0 + 1 };
    await store.deliveries.complete('w1', [{ deliveryId: a!.id, messageId: 'copies', accountId: ACCOUNT, status: 'bounced', lastResponse: '550', events: [], generated: [dsn] }], T0 + 1);
    expect(await rowOf('dsn')).toMatchObject({ size: dsn.raw.length, deflated: 1 });
    expect((await store.deliveries.messages(['dsn'])).get('dsn')!.raw.equals(dsn.raw)).toBe(true);
    expect((await store.messages.list({ id: 'dsn' }))[0]!.raw.equals(dsn.raw)).toBe(true);
  });

  it('keeps each row its own bytes in one batch of messages held every way, and recipients with and without their own copy', async () => {
    // PostgreSQL binds a batch's bodies as one parameter, each row a slice of it (raw-sql.ts packedBytes).
    const bodies = {
      tiny: Buffer.from('Subject: tiny\r\n\r\nhi\r\n'),
      small: text('small', 1_200),
      large: text('large', 60_000),
      random: Buffer.concat([Buffer.from('Subject: random\r\n\r\n'), randomBytes(40_000)]),
    };
    const own = text('own copy', 2_000);
    await store.messages.insertTogether(
      Object.entries(bodies).map(([id, raw], i) =>
        newMessage(id, {
          raw,
          createdAt: T0 + i,
          destination: { ToAddresses: ['a@example.net', 'b@example.net'] },
          recipients: [
            { address: 'a@example.net', status: 'queued', ...(i % 2 === 0 && { raw: own }) },
            { address: 'b@example.net', status: 'queued', ...(i % 2 === 1 && { raw: Buffer.concat([own, Buffer.from(id)]) }) },
          ],
          events: [sendEvent(id)],
        }),
      ),
    );
    for (const [id, raw] of Object.entries(bodies)) for (const read of await readers(id)) expect(read.equals(raw)).toBe(true);
    const claimed = await store.deliveries.claim('w1', 20, 30_000, T0 + 10);
    expect(claimed).toHaveLength(8);
    Object.keys(bodies).forEach((id, i) => {
      const [a, b] = claimed.filter((c) => c.messageId === id).map((c) => c.raw);
      expect(i % 2 === 0 ? a!.equals(own) : a).toBe(i % 2 === 0 ? true : undefined);
      expect(i % 2 === 1 ? b!.equals(Buffer.concat([own, Buffer.from(id)])) : b).toBe(i % 2 === 1 ? true : undefined);
    });
  });

  it('still commits concurrent sends of small messages together', async () => {
    const batches: CompiledQuery[][] = [];
    const recording: BatchWriter = {
      run: (queries) => {
        batches.push([...queries]);
        return store.opened.batchWriter.run(queries);
      },
      close: async () => {},
    };
    const grouped = new MessagesRepository(store.opened.db, store.opened.dialect, recording);
    await Promise.all(Array.from({ length: 20 }, (_, i) => grouped.insert(newMessage(`g-${i}`, { raw: text(`g-${i}`, 1_200), createdAt: T0 + i }))));
    expect(batches).toHaveLength(1);
  });
});
