// A request body over the limit (60 MB: SES v2's 40 MB message as base64 in JSON) is refused with
// 413 before it is read, signed or not, and the connection is closed; a body that arrives in pieces
// is read whole before the signature is checked.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { startSesd } from '../support/sesd.js';

const SIGNED = 'Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261130/us-east-1/ses/aws4_request, SignedHeaders=host, Signature=00\r\n';

/** Sends only the head of a request that announces `length` bytes of body; resolves with the answer once the server closes. */
async function announce(app: RunningApp, length: number, extraHeaders: string): Promise<string> {
  const { port } = new URL(app.httpUrl);
  const socket = net.connect({ host: '127.0.0.1', port: Number(port) });
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (c: string) => (received += c));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(`POST /v2/email/outbound-emails HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${extraHeaders}\r\n{`);
  await Promise.race([closed, new Promise((r) => setTimeout(r, 5_000))]);
  socket.destroy();
  return received;
}

describe('HTTP body limit', () => {
  let db: TestDatabase;
  let app: RunningApp;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    app = await startSesd(db);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it.each([
    ['signed', SIGNED],
    ['unsigned', ''],
  ])('refuses a %s request announcing 70 MB with 413 without waiting for the body', async (_kind, headers) => {
    const answer = await announce(app, 70 * 1024 * 1024, headers);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/connection: close/i);
  });

  it('reads a signed request body that arrives in pieces whole (the signature is then checked)', async () => {
    const { port } = new URL(app.httpUrl);
    const body = JSON.stringify({ FromEmailAddress: 'a@example.com' });
    const socket = net.connect({ host: '127.0.0.1', port: Number(port) });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (received += c));
    socket.write(`POST /v2/email/outbound-emails HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nX-Amz-Date: 20261130T000000Z\r\n${SIGNED}\r\n`);
    for (const piece of [body.slice(0, 5), body.slice(5, 20), body.slice(20)]) {
      await new Promise((r) => setTimeout(r, 50));
      socket.write(piece);
    }
    await new Promise<void>((resolve) => socket.on('data', () => received.includes('\r\n\r\n{') && resolve()));
    socket.destroy();
    // Read whole and routed: the unknown key is what the router answers, not a timeout or 400 from a cut body.
    expect(received).toMatch(/^HTTP\/1\.1 403 /);
    expect(received).toMatch(/UnrecognizedClientException|InvalidSignatureException/);
  });
});
