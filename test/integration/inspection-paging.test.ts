// GET /_aws/ses answers in pages, whatever the store holds: a bounded first page at 20,000 messages,
// a nextToken to go on, LocalStack's filters, a message that cannot be parsed marked rather than
// failing the list, and DELETE clearing everything in batches.
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { newMessage } from '../support/new-message.js';
import { useSesd, type LocalStackMessage } from '../support/sesd.js';

const SEEDED = 20_000;
const T0 = 1_700_000_000_000;

interface Page {
  messages: (LocalStackMessage & { ParseError?: string })[];
  nextToken?: string;
}

/** A message whose MIME parts nest `depth` levels deep. */
function nestedMime(depth: number): Buffer {
  let body = 'Content-Type: text/plain\r\n\r\ninnermost\r\n';
  for (let i = depth; i > 0; i--) body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}--b${i}--\r\n`;
  return Buffer.from(`Subject: nested\r\n${body}`);
}

describe.each(DIALECTS)('GET /_aws/ses in pages (%s)', (dialect) => {
  const sesd = useSesd(dialect);

  const get = async (query: string): Promise<{ status: number; body: Page }> => {
    const res = await fetch(`${sesd.app.httpUrl}/_aws/ses${query}`);
    return { status: res.status, body: (await res.json()) as Page };
  };

  it(`answers a bounded first page at ${SEEDED.toLocaleString('en')} messages and goes on with nextToken`, { timeout: 120_000 }, async () => {
    const messages = sesd.app.store.messages;
    // No recipients: nothing for delivery to do, only rows to page through.
    for (let i = 0; i < SEEDED; i += 1000) {
      await Promise.all(
        Array.from({ length: 1000 }, (_, j) =>
          messages.insert(newMessage(`seed-${String(i + j).padStart(6, '0')}`, { createdAt: T0 + i + j, envelopeFrom: (i + j) % 2 ? 'odd@example.com' : 'even@example.com', recipients: [] })),
        ),
      );
    }

    const first = await get('');
    expect(first.status).toBe(200);
    expect(first.body.messages).toHaveLength(100);
    expect(first.body.messages[0]).toMatchObject({ Id: 'seed-000000', Subject: 'seed-000000', Body: { text_part: 'body' } });
    expect(first.body.nextToken).toEqual(expect.any(String));

    const second = await get(`?limit=1000&after=${first.body.nextToken}`);
    expect(second.body.messages.map((m) => m.Id)).toEqual(Array.from({ length: 1000 }, (_, i) => `seed-${String(100 + i).padStart(6, '0')}`));

    const bySender = await get('?email=odd@example.com&limit=3');
    expect(bySender.body.messages.map((m) => m.Id)).toEqual(['seed-000001', 'seed-000003', 'seed-000005']);
    const bySenderNext = await get(`?email=odd@example.com&limit=3&after=${bySender.body.nextToken}`);
    expect(bySenderNext.body.messages.map((m) => m.Id)).toEqual(['seed-000007', 'seed-000009', 'seed-000011']);

    const last = await get(`?id=seed-019999`);
    expect(last.body).toEqual({ messages: [expect.objectContaining({ Id: 'seed-019999' })] });
  });

  it('refuses a limit above 1000 and a nextToken it did not give', async () => {
    expect((await get('?limit=1001')).status).toBe(400);
    expect((await get('?limit=0')).status).toBe(400);
    expect((await get('?after=bm90LWEtY3Vyc29y')).status).toBe(400);
  });

  it('lists a message whose MIME nests 300 deep with a ParseError, and the others as before', async () => {
    const messages = sesd.app.store.messages;
    await messages.insert(newMessage('nested', { createdAt: T0 - 2, raw: nestedMime(300), subject: 'nested', recipients: [] }));
    await messages.insert(newMessage('plain', { createdAt: T0 - 1, recipients: [] }));
    const page = await get('?limit=3');
    expect(page.status).toBe(200);
    expect(page.body.messages.map((m) => m.Id)).toEqual(['nested', 'plain', 'seed-000000']);
    expect(page.body.messages[0]).toMatchObject({ Subject: 'nested', Body: { text_part: null, html_part: null }, ParseError: expect.stringMatching(/nesting depth/) });
    expect(page.body.messages[1]).toMatchObject({ Subject: 'plain', Body: { text_part: 'body' } });
    expect(page.body.messages[1]).not.toHaveProperty('ParseError');
  });

  it('DELETE clears every message, in batches, and the list is empty after', { timeout: 120_000 }, async () => {
    const res = await fetch(`${sesd.app.httpUrl}/_aws/ses`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await get('')).toEqual({ status: 200, body: { messages: [] } });
  });

  it('ends a page early at its byte budget, always showing at least one message', async () => {
    const messages = sesd.app.store.messages;
    const kb = (id: string, at: number) => newMessage(id, { createdAt: at, raw: Buffer.from(`Subject: ${id}\r\n\r\n${'x'.repeat(1000)}\r\n`), recipients: [] });
    await Promise.all([messages.insert(kb('kb-1', T0 + 1)), messages.insert(kb('kb-2', T0 + 2)), messages.insert(kb('kb-3', T0 + 3))]);
    const two = await messages.page({}, { limit: 10, maxBytes: 2500 });
    expect(two.messages.map((m) => m.id)).toEqual(['kb-1', 'kb-2']);
    const rest = await messages.page({}, { limit: 10, maxBytes: 2500, after: two.next });
    expect(rest).toEqual({ messages: [expect.objectContaining({ id: 'kb-3' })], next: undefined });
    expect((await messages.page({}, { limit: 10, maxBytes: 10 })).messages.map((m) => m.id)).toEqual(['kb-1']);
  });
});
