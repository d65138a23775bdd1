// The store on every database: migrations, keys, messages with deliveries and events, group commit.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import type { NewMessage } from '../../src/store/messages-repository.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { newMessage } from '../support/new-message.js';

const message = (id: string, overrides: Partial<NewMessage> = {}): NewMessage =>
  newMessage(id, {
    subject: 'subject',
    raw: Buffer.from(`Subject: ${id}\r\n\r\nbody\xff`, 'latin1'),
    createdAt: Date.now(),
    recipients: [
      { address: 'a@example.net', status: 'queued' },
      { address: 'b@example.net', status: 'queued' },
    ],
    events: [{ type: 'Send', payload: { eventType: 'Send' } }],
    ...overrides,
  });

describe.each(DIALECTS)('store (%s)', (dialect) => {
  let db: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    store = await openStore(db);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('migrates an existing database again without change', async () => {
    const again = await openStore(db);
    await again.close();
  });

  it.runIf(dialect === 'postgres')("opens PostgreSQL through libpq's Unix-socket URL (no host after the @), naming it without the password", async () => {
    const tcp = new URL(db.databaseUrl);
    const admin = new pg.Client({ connectionString: db.databaseUrl });
    await admin.connect();
    const { rows } = await admin.query<{ unix_socket_directories: string }>('show unix_socket_directories').finally(() => admin.end());
    const socketDir = rows[0]!.unix_socket_directories.split(',')[0]!.trim();
    expect(socketDir, 'the server listens on a Unix socket').toMatch(/^\//);
    const url = `postgres://${tcp.username}:not-needed@/${tcp.pathname.slice(1)}?host=${encodeURIComponent(socketDir)}&options=${encodeURIComponent(tcp.searchParams.get('options')!)}`;
    const viaSocket = await openStore({ databaseUrl: url, dataDir: db.dataDir });
    try {
      expect(viaSocket.location).toBe(url.replace(':not-needed@', ':***@'));
      await viaSocket.accounts.putAccessKey({ accessKeyId: 'AKIDSOCKET1', secretAccessKey: 's', accountId: '123456789012' });
      expect((await store.accounts.findAccessKey('AKIDSOCKET1'))?.accountId).toBe('123456789012');
    } finally {
      await viaSocket.close();
    }
  });

  it('stores access keys and re-provisions a key id with its new secret', async () => {
    await store.accounts.putAccessKey({ accessKeyId: 'AKIDSTORE1', secretAccessKey: 's1', accountId: '123456789012' });
    await store.accounts.putAccessKey({ accessKeyId: 'AKIDSTORE1', secretAccessKey: 's2', accountId: '123456789012' });
    expect(await store.accounts.findAccessKey('AKIDSTORE1')).toEqual({ accessKeyId: 'AKIDSTORE1', secretAccessKey: 's2', accountId: '123456789012' });
    expect(await store.accounts.findAccessKey('AKIDMISSING')).toBeUndefined();
  });

  it('writes a message with one delivery row per recipient and its events, raw bytes intact', async () => {
    const m = message('m-1');
    await store.messages.insert(m);
    const [stored] = await store.messages.list({ id: 'm-1' });
    expect(stored!.raw.equals(m.raw)).toBe(true);
    expect(stored!.destination).toEqual(m.destination);
    expect(await store.messages.recipients('m-1')).toEqual([
      { recipient: 'a@example.net', status: 'queued' },
      { recipient: 'b@example.net', status: 'queued' },
    ]);
    expect((await store.messages.events('m-1')).map((e) => e.type)).toEqual(['Send']);
  });

  it('commits many concurrent messages and fails only a duplicate among them', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `batch-${i}`);
    const results = await Promise.allSettled([...ids.map((id) => store.messages.insert(message(id))), store.messages.insert(message('m-1'))]);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(results.at(-1)!.status).toBe('rejected');
    const all = await store.messages.list();
    expect(all.filter((m) => m.id.startsWith('batch-'))).toHaveLength(200);
  });

  it('filters by sender and deletes one message or all with their rows', async () => {
    await store.messages.insert(message('m-other', { envelopeFrom: 'other@example.com' }));
    expect((await store.messages.list({ source: 'other@example.com' })).map((m) => m.id)).toEqual(['m-other']);
    expect(await store.messages.delete({ id: 'm-other' })).toBe(1);
    expect(await store.messages.recipients('m-other')).toEqual([]);
    expect(await store.messages.delete()).toBeGreaterThan(0);
    expect(await store.messages.list()).toEqual([]);
  });
});
