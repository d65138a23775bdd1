// How rows hold raw messages (src/store/stored-raw.ts): compressed only when that shrinks them, read
// back as sent, and the header block read without decompressing the whole message.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { splitMessage } from '../../../src/mime/headers.js';
import { deflateRawSync } from 'node:zlib';
import { headerBlock, readRaw, storedRaw, type DeferredDeflate } from '../../../src/store/stored-raw.js';

const message = (headers: string[], body: string, eol = '\r\n') => Buffer.from([...headers, '', body].join(eol));

describe('stored raw messages', () => {
  it('compresses what shrinks and keeps the rest as it is; both read back as sent', async () => {
    const text = message(['Subject: s'], 'the same line again\r\n'.repeat(500));
    const random = Buffer.concat([Buffer.from('Subject: r\r\n\r\n'), randomBytes(6_000)]);
    for (const raw of [text, random, Buffer.alloc(0), Buffer.from('x')]) {
      const stored = await storedRaw(raw);
      expect(stored.raw_deflated === 1).toBe(stored.raw.length < raw.length);
      expect((await readRaw(stored.raw, stored.raw_deflated)).equals(raw)).toBe(true);
    }
    expect((await storedRaw(text)).raw_deflated).toBe(1);
    expect((await storedRaw(random)).raw_deflated).toBeNull();
  });

  it('leaves a small message to the writer when asked, and the writer stores what reads back as sent', async () => {
    const small = message(['Subject: small'], 'a short notification\r\n'.repeat(40));
    const deferred = await storedRaw(small, { deferSmall: true });
    expect(Buffer.isBuffer(deferred.raw)).toBe(false);
    expect(deferred.raw_deflated).toBe(1);
    // As the writer threads bind it (batch-writer.ts).
    const { deflateRaw, options } = deferred.raw as DeferredDeflate;
    const written = deflateRawSync(deflateRaw, options);
    expect(written.length).toBeLessThan(small.length / 4);
    expect((await readRaw(written, deferred.raw_deflated)).equals(small)).toBe(true);
    // Too small to gain, or too large to hold up the writer: decided here, as without deferSmall.
    expect(await storedRaw(Buffer.from('Subject: tiny\r\n\r\nhi'), { deferSmall: true })).toEqual({ raw: Buffer.from('Subject: tiny\r\n\r\nhi'), raw_deflated: null });
    const large = message(['Subject: large'], 'line\r\n'.repeat(20_000));
    expect(Buffer.isBuffer((await storedRaw(large, { deferSmall: true })).raw)).toBe(true);
  });

  it("gives the header block of a large message from a prefix of its compressed bytes, the same headers as the whole message's", async () => {
    const cases = [
      message(['From: a@example.com', 'Subject: short'], 'body '.repeat(200_000)),
      // A header block longer than the first prefix inflates to, with a body that compresses poorly.
      message([...Array.from({ length: 400 }, (_, i) => `X-Header-${i}: ${randomBytes(40).toString('hex')}`), 'Subject: long'], randomBytes(300_000).toString('base64')),
      message(['Subject: bare line feeds', 'To: b@example.net'], 'body\n'.repeat(10_000), '\n'),
      // No body at all: the whole message is headers.
      Buffer.from('Subject: only headers\r\nTo: c@example.net'.repeat(50)),
    ];
    for (const raw of cases) {
      const stored = await storedRaw(raw);
      const block = headerBlock(stored.raw, stored.raw_deflated);
      expect(splitMessage(block).headers).toEqual(splitMessage(raw).headers);
      if (raw === cases[1]) expect(block.length).toBeLessThan(raw.length / 4);
    }
    const plain = Buffer.from('Subject: plain\r\n\r\nbody');
    expect(headerBlock(plain, null)).toEqual(plain);
  });
});
