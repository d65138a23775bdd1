// While sesd shuts down, a request that still arrives on an open keep-alive connection is
// answered ServiceUnavailable in its API's own error shape (not fastify's generic 503 body), and
// the connection is closed so the client retries elsewhere or later.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { startSesd } from '../support/sesd.js';

/** Sends `first`, then (once sesd has begun closing) `second` on the same connection; returns both answers. */
async function pipelinedAcrossClose(app: RunningApp, first: string, second: string): Promise<string> {
  const { port } = new URL(app.httpUrl);
  const socket = net.connect({ host: '127.0.0.1', port: Number(port) });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (c: string) => (received += c));
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  // The first request's body is held back, so its connection is busy (not idle) when closing begins.
  const split = first.length - 2;
  socket.write(first.slice(0, split));
  await new Promise((r) => setTimeout(r, 100));
  const closing = app.close();
  await new Promise((r) => setTimeout(r, 100));
  socket.write(first.slice(split) + second);
  await Promise.race([ended, new Promise((r) => setTimeout(r, 5_000))]);
  socket.destroy();
  await closing;
  return received;
}

const post = (path: string, contentType: string, body: string) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`;

describe('HTTP during shutdown', () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
  });

  it('answers a SES v2 request that arrives while closing with a rest-json ServiceUnavailable 503', async () => {
    db = await createTestDatabase('sqlite');
    const app = await startSesd(db);
    const json = post('/v2/email/outbound-emails', 'application/json', '{}');
    const answers = await pipelinedAcrossClose(app, json, json);
    const second = answers.slice(answers.indexOf('HTTP/1.1', 1));
    expect(second).toMatch(/^HTTP\/1\.1 503 /);
    expect(second).toMatch(/x-amzn-errortype: ServiceUnavailable/i);
    expect(second).toMatch(/connection: close/i);
    expect(second).toContain('{"message":"The request has failed due to a temporary failure of the server."}');
    expect(second).not.toContain('"statusCode":503');
  });

  it('answers a SES v1 request that arrives while closing with a Query XML ServiceUnavailable 503', async () => {
    db = await createTestDatabase('sqlite');
    const app = await startSesd(db);
    const form = post('/', 'application/x-www-form-urlencoded', 'Action=SendEmail&Version=2010-12-01');
    const answers = await pipelinedAcrossClose(app, form, form);
    const second = answers.slice(answers.indexOf('HTTP/1.1', 1));
    expect(second).toMatch(/^HTTP\/1\.1 503 /);
    expect(second).toMatch(/<Type>Receiver<\/Type>\s*<Code>ServiceUnavailable<\/Code>/);
  });
});
