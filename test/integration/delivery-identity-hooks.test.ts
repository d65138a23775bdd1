// Delivery wired to sesd's own store: a hard bounce puts the address on the account's suppression
// list. (Signing with a domain's Easy DKIM key, verified through DNS only: easy-dkim-dns.test.ts.)
import { GetSuppressedDestinationCommand, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { settled, startDeliverySesd } from '../support/delivery-sesd.js';
import { sesv2Client } from '../support/sesd.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

describe.each(DIALECTS)('delivery with identities and the suppression list (%s)', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function relaySesd(sink: SmtpSink): Promise<RunningApp> {
    const db: TestDatabase = await createTestDatabase(dialect);
    const app = await startDeliverySesd(db, { SESD_DELIVERY_MODE: 'relay', SESD_RELAY_URL: `smtp://127.0.0.1:${sink.port}?tls.rejectUnauthorized=false` });
    cleanups.push(() => db.drop(), () => app.close());
    return app;
  }

  async function sink(opts: Parameters<typeof startSmtpSink>[0] = {}): Promise<SmtpSink> {
    const s = await startSmtpSink(opts);
    cleanups.push(() => s.close());
    return s;
  }

  it('adds a hard-bounced address to the suppression list', async () => {
    const mx = await sink({ onRcpt: () => ({ code: 550, message: '5.1.1 <gone@example.net>: User unknown' }) });
    const app = await relaySesd(mx);
    const ses = sesv2Client(app);
    const { MessageId } = await ses.send(new SendEmailCommand({ FromEmailAddress: 'a@example.com', Destination: { ToAddresses: ['gone@example.net'] }, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } } }));
    await settled(app, MessageId!);
    const entry = await ses.send(new GetSuppressedDestinationCommand({ EmailAddress: 'gone@example.net' }));
    expect(entry.SuppressedDestination).toMatchObject({ EmailAddress: 'gone@example.net', Reason: 'BOUNCE', Attributes: { MessageId } });
  });
});
