// SMTP under a slowloris flood: idle connections that never log in get a small share of the slots
// (in total and per address) and a short deadline to authenticate, so logged-in clients and new
// ones from other addresses keep being served.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { startSesd } from '../support/sesd.js';
import { idleFlood, type IdleSocket } from '../support/idle-connections.js';
import { authenticatedSession, RawSmtpClient } from '../support/smtp-client.js';

async function sendOne(client: RawSmtpClient, subject: string): Promise<number> {
  expect(await client.command('MAIL FROM:<flood-test@example.com>')).toMatchObject({ code: 250 });
  expect(await client.command('RCPT TO:<to@example.net>')).toMatchObject({ code: 250 });
  expect(await client.command('DATA')).toMatchObject({ code: 354 });
  client.write(`From: flood-test@example.com\r\nTo: to@example.net\r\nSubject: ${subject}\r\n\r\nbody\r\n.\r\n`);
  return (await client.reply(30_000)).code;
}

async function withRetries<T>(attempt: () => Promise<T>, tries = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= tries) throw err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

describe('SMTP under a flood of idle connections', () => {
  let db: TestDatabase;
  let app: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    app = await startSesd(db, {
      SESD_SMTP_MAX_CONNECTIONS: '60',
      SESD_SMTP_MAX_CONNECTIONS_PER_IP: '30',
      SESD_SMTP_MAX_UNAUTHENTICATED_CONNECTIONS: '20',
      SESD_SMTP_MAX_UNAUTHENTICATED_CONNECTIONS_PER_IP: '1',
      // Short, but long enough for a TLS handshake and AUTH on a loaded machine.
      SESD_SMTP_AUTH_TIMEOUT: '4',
      SESD_SMTP_IDLE_TIMEOUT: '60',
    });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('keeps serving logged-in and new clients while 300 idle connections from 10 addresses try to hold every slot, and closes the idle ones at the AUTH deadline', async () => {
    const loggedIn = await authenticatedSession(app.smtpUrl!);
    const flood: IdleSocket[] = [];
    try {
      flood.push(...(await idleFlood(app.smtpUrl!, Array.from({ length: 10 }, (_, a) => `127.0.0.${a + 2}`), 30)));
      // A session that logged in before the flood still sends.
      expect(await sendOne(loggedIn, 'during the flood')).toBe(250);
      // A new client gets in and logs in. While the refused part of the flood is still being closed,
      // the kernel-level backstop may drop a connection at accept: like a real client, it retries.
      const newcomer = await withRetries(() => authenticatedSession(app.smtpUrl!));
      expect(await sendOne(newcomer, 'newcomer during the flood')).toBe(250);
      newcomer.destroy();

      // Every idle connection is gone soon, well before the idle timeout (60 s).
      const started = Date.now();
      await Promise.all(flood.map((s) => s.closed));
      expect(Date.now() - started).toBeLessThan(8_000);
      // One unauthenticated slot per address: those that got one were told at the AUTH deadline...
      const held = flood.filter((s) => s.received().startsWith('220 '));
      expect(held.length).toBeGreaterThanOrEqual(1);
      expect(held.length).toBeLessThanOrEqual(10);
      expect(held.every((s) => s.received().endsWith('421 Timeout waiting for authentication - closing connection\r\n'))).toBe(true);
      // ...and the rest were refused at once: answered 421 or, past a small margin, closed unanswered.
      const refused = flood.filter((s) => !held.includes(s));
      expect(refused.every((s) => s.received() === '' || s.received() === '421 Too many concurrent SMTP connections\r\n')).toBe(true);
      // The logged-in session outlives the deadline.
      expect(loggedIn.isClosed).toBe(false);
      expect(await sendOne(loggedIn, 'after the deadline')).toBe(250);
    } finally {
      flood.forEach((s) => s.destroy());
      loggedIn.destroy();
    }
  });

  it('closes a client that keeps talking but never logs in at the AUTH deadline', async () => {
    const client = await RawSmtpClient.connect(app.smtpsUrl!);
    await client.command('EHLO client.test');
    const started = Date.now();
    let reply = await client.command('NOOP');
    while (reply.code === 250 && Date.now() - started < 8_000) {
      // Slowly enough to stay under the limit of commands before AUTH.
      await new Promise((r) => setTimeout(r, 800));
      reply = await client.command('RSET');
    }
    expect(reply).toEqual({ code: 421, text: 'Timeout waiting for authentication - closing connection' });
    await client.closed();
    expect(Date.now() - started).toBeLessThan(6_000);
  });
});
