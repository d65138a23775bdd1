// The HTTP listener under a flood of idle connections: a per-address limit and a total, both
// refused at once, a headers timeout that closes sockets that never send a request, and a budget
// of its own so that SMTP keeps being served whatever HTTP suffers.
import http from 'node:http';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { sesv2Client, startSesd, TEST_KEY } from '../support/sesd.js';
import { idleFlood, type IdleSocket } from '../support/idle-connections.js';
import { authenticatedSession } from '../support/smtp-client.js';

const sendEmail = (app: RunningApp) =>
  sesv2Client(app).send(
    new SendEmailCommand({
      FromEmailAddress: 'http-flood@example.com',
      Destination: { ToAddresses: ['to@example.net'] },
      Content: { Simple: { Subject: { Data: 'during a flood' }, Body: { Text: { Data: 'b' } } } },
    }),
  );

/** Those the server held until the headers timeout (answered 408); the others were refused at once, unanswered. */
const heldUntilTimeout = (sockets: IdleSocket[]) => sockets.filter((s) => s.received().startsWith('HTTP/1.1 408 '));

// Far below Node's default headers timeout (60 s), which let idle sockets hold their slots.
const CLOSED_WITHIN_MS = 15_000;

describe('HTTP under a flood of idle connections', () => {
  let db: TestDatabase;
  let app: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    app = await startSesd(db, {
      SESD_HTTP_MAX_CONNECTIONS: '100',
      SESD_HTTP_MAX_CONNECTIONS_PER_IP: '20',
      SESD_HTTP_HEADERS_TIMEOUT: '3',
    });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('holds at most the per-address limit from one address, serves an SDK client from another at once, and closes the idle ones at the headers timeout', async () => {
    const idle = await idleFlood(app.httpUrl, ['127.0.0.2'], 300);
    try {
      expect((await sendEmail(app)).MessageId).toBeDefined();
      const started = Date.now();
      await Promise.all(idle.map((s) => s.closed));
      expect(Date.now() - started).toBeLessThan(CLOSED_WITHIN_MS);
      const held = heldUntilTimeout(idle);
      expect(held.length).toBeGreaterThanOrEqual(1);
      expect(held.length).toBeLessThanOrEqual(20);
      expect(idle.filter((s) => !held.includes(s)).every((s) => s.received() === '')).toBe(true);
    } finally {
      idle.forEach((s) => s.destroy());
    }
  });

  it('keeps SMTP serving while idle HTTP connections from many addresses fill the HTTP total, and serves HTTP again once they time out', async () => {
    const addresses = Array.from({ length: 15 }, (_, i) => `127.0.1.${i + 1}`);
    const idle = await idleFlood(app.httpUrl, addresses, 20);
    try {
      // SMTP has a budget of its own.
      const smtp = await authenticatedSession(app.smtpsUrl!);
      expect(await smtp.command('MAIL FROM:<http-flood@example.com>')).toMatchObject({ code: 250 });
      smtp.destroy();
      // The HTTP slots come back at the headers timeout, and a client is served.
      const started = Date.now();
      await Promise.all(idle.map((s) => s.closed));
      expect(Date.now() - started).toBeLessThan(CLOSED_WITHIN_MS);
      const held = heldUntilTimeout(idle);
      expect(held.length).toBeGreaterThanOrEqual(50);
      expect(held.length).toBeLessThanOrEqual(100);
      expect((await sendEmail(app)).MessageId).toBeDefined();
    } finally {
      idle.forEach((s) => s.destroy());
    }
  });
});

describe('HTTP with every slot held by idle keep-alive connections', () => {
  it('closes the idle keep-alive connections to make room for a new client', async () => {
    const db = await createTestDatabase('sqlite');
    const app = await startSesd(db, { SESD_HTTP_MAX_CONNECTIONS: '10', SESD_HTTP_KEEP_ALIVE_TIMEOUT: '60' });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    try {
      // Ten requests at once leave ten keep-alive connections open and idle.
      const get = () =>
        new Promise<number>((resolve, reject) => {
          http.get(`${app.httpUrl}/_sesd/health`, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          }).on('error', reject);
        });
      expect(await Promise.all(Array.from({ length: 10 }, get))).toEqual(Array(10).fill(200));
      expect(Object.values(agent.freeSockets).flat()).toHaveLength(10);
      // The SDK's first connection is refused, which closes the idle ones; its retry gets in,
      // long before the keep-alive timeout (60 s).
      const client = new SESv2Client({ endpoint: app.httpUrl, region: 'us-west-2', credentials: TEST_KEY, maxAttempts: 3 });
      const started = Date.now();
      const out = await client.send(
        new SendEmailCommand({
          FromEmailAddress: 'keep-alive@example.com',
          Destination: { ToAddresses: ['to@example.net'] },
          Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } },
        }),
      );
      expect(out.MessageId).toBeDefined();
      expect(Date.now() - started).toBeLessThan(10_000);
      client.destroy();
    } finally {
      agent.destroy();
      await app.close();
      await db.drop();
    }
  });
});
