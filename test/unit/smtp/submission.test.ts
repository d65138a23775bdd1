import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readMessage } from '../../../src/smtp/message-reader.js';
import { asciiAddress, submissionRequest } from '../../../src/smtp/submission.js';

describe('submissionRequest', () => {
  const tx = {
    raw: Buffer.from('From: Me <me@example.com>\r\nX-SES-CONFIGURATION-SET: set-1\r\nX-SES-MESSAGE-TAGS: a=b\r\nX-SES-LIST-MANAGEMENT-OPTIONS: news; topic=weekly\r\nSubject: s\r\n\r\nbody'),
    mailFrom: 'bounce@example.com',
    rcptTo: ['x@example.net', 'y@bücher.example'],
    user: { accessKeyId: 'AKIDX', accountId: '123456789012' },
    sourceIp: '192.0.2.7',
    region: 'eu-west-1',
  };

  it('makes the request the APIs make, from the envelope and the key, leaving the X-SES headers to intake', () => {
    const req = submissionRequest(tx);
    expect(req).toMatchObject({
      accountId: '123456789012',
      region: 'eu-west-1',
      sourceApi: 'smtp',
      callerIdentity: 'AKIDX',
      sourceIp: '192.0.2.7',
      from: 'bounce@example.com',
      destination: { ToAddresses: ['x@example.net', 'y@xn--bcher-kva.example'] },
      maxMessageBytes: 40 * 1024 * 1024,
    });
    expect(req.content).toEqual({ kind: 'raw', data: tx.raw });
  });

  it('leaves the sender to the From header for the null sender', () => {
    expect(submissionRequest({ ...tx, mailFrom: '' }).from).toBeUndefined();
  });
});

describe('asciiAddress', () => {
  it.each([
    ['a@example.com', 'a@example.com'],
    ['a@bücher.example', 'a@xn--bcher-kva.example'],
    ['postmaster', 'postmaster'],
    ['a@exa mple', 'a@exa mple'],
  ])('%s → %s', (input, output) => {
    expect(asciiAddress(input)).toBe(output);
  });
});

describe('readMessage', () => {
  it('collects the data and reports its size', async () => {
    const stream = new PassThrough();
    const read = readMessage(stream, 100);
    stream.write('Subject: x\r\n');
    stream.end('\r\nbody\r\n');
    expect(await read).toEqual({ raw: Buffer.from('Subject: x\r\n\r\nbody\r\n'), bytes: 20, tooLong: false, bareLineEnding: false });
  });

  it('drains but keeps nothing of a message over the limit or with a bare line end', async () => {
    const big = new PassThrough();
    const readBig = readMessage(big, 10);
    big.end('0123456789\r\n');
    expect(await readBig).toMatchObject({ raw: Buffer.alloc(0), bytes: 12, tooLong: true });
    const bare = new PassThrough();
    const readBare = readMessage(bare, 100);
    bare.end('a\nb\r\n');
    expect(await readBare).toMatchObject({ raw: Buffer.alloc(0), bareLineEnding: true });
  });

  it('rejects when the stream is destroyed before its end (the client went away)', async () => {
    const stream = new PassThrough();
    const read = readMessage(stream, 100);
    stream.write('half');
    stream.destroy(new Error('gone'));
    await expect(read).rejects.toThrow('gone');
  });
});
