// The signer against mailauth's verifier: relaxed canonicalization of folded headers, whitespace
// runs, trailing blank lines, repeated headers and an empty body.
import { describe, expect, it } from 'vitest';
import { dkimSign, relaxedBody } from '../../../src/delivery/dkim-sign.js';
import { testDkimKey, verifyDkim } from '../../support/dkim-test-key.js';

const KEY = testDkimKey('example.com', 'sel');

const message = (head: string[], body: string) => Buffer.from(head.join('\r\n') + '\r\n\r\n' + body, 'latin1');

describe('DKIM signing', () => {
  it.each([
    ['a plain message', message(['From: a@example.com', 'To: b@example.net', 'Subject: hi'], 'Hello\r\n')],
    ['folded headers and whitespace runs', message(['From:  "A  B"\r\n\t<a@example.com>', 'To: b@example.net,\r\n c@example.net', 'Subject:   spaced   out  '], 'Hello  \t world  \r\n\r\n\r\n')],
    ['repeated headers', message(['From: a@example.com', 'To: b@example.net', 'To: c@example.net', 'Subject: two'], 'body\r\n')],
    ['an empty body', message(['From: a@example.com', 'Subject: empty'], '')],
    ['8-bit header bytes', message(['From: a@example.com', 'Subject: Gr\xfc\xdfe'], 'caf\xe9\r\n')],
  ])('signs %s so that mailauth verifies it', async (_name, raw) => {
    const signed = dkimSign(raw, KEY.key);
    expect(signed.subarray(signed.length - raw.length).equals(raw)).toBe(true);
    expect(await verifyDkim(signed, KEY)).toEqual([{ result: 'pass', domain: 'example.com', comment: undefined }]);
  });

  it('fails verification when the body changes after signing', async () => {
    const signed = dkimSign(message(['From: a@example.com'], 'original\r\n'), KEY.key);
    const tampered = Buffer.from(signed.toString('latin1').replace('original', 'changed!'), 'latin1');
    expect((await verifyDkim(tampered, KEY))[0]!.result).not.toBe('pass');
  });

  it('keeps header lines short', () => {
    const signed = dkimSign(message(['From: a@example.com', 'To: b@example.net', 'Subject: s', 'Date: x', 'Message-ID: <x@y>', 'MIME-Version: 1.0'], 'b\r\n'), KEY.key).toString();
    const header = signed.slice(0, signed.indexOf('\r\nFrom:'));
    for (const line of header.split('\r\n')) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('canonicalizes a body the relaxed way', () => {
    expect(relaxedBody('a  b \t\r\nc\r\n\r\n')).toBe('a b\r\nc\r\n');
    expect(relaxedBody('\r\n\r\n')).toBe('');
    expect(relaxedBody('no newline')).toBe('no newline\r\n');
  });
});
