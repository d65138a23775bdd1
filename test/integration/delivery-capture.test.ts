// Delivery in capture mode and the mailbox simulator (which works in every mode), observed through
// /_sesd/messages/{id}/events and /_aws/ses, on every database.
import { SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { settled, startDeliverySesd } from '../support/delivery-sesd.js';
import { capturedMessages, sesv2Client } from '../support/sesd.js';

const SIM = 'simulator.amazonses.com';

describe.each(DIALECTS)('delivery in capture mode (%s)', (dialect) => {
  let db: TestDatabase;
  let app: RunningApp;
  const suppressed: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    app = await startDeliverySesd(db, {}, {
      suppression: { shouldSuppress: async () => true, suppress: async (_s, e) => void suppressed.push(e.address) },
    });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  async function send(to: string[], overrides: Partial<SendEmailCommandInput> = {}): Promise<string> {
    const out = await sesv2Client(app).send(
      new SendEmailCommand({
        FromEmailAddress: 'Sender <sender@example.com>',
        Destination: { ToAddresses: to },
        Content: { Simple: { Subject: { Data: 'Hello' }, Body: { Text: { Data: 'Hi there' } } } },
        ...overrides,
      }),
    );
    return out.MessageId!;
  }

  it('marks every recipient delivered with a Delivery event saying "250 captured"', async () => {
    const id = await send(['a@example.net', 'b@example.org']);
    const e = await settled(app, id);
    expect(e.recipients).toEqual([
      { recipient: 'a@example.net', status: 'delivered' },
      { recipient: 'b@example.org', status: 'delivered' },
    ]);
    expect(e.events.map((x) => x.type)).toEqual(['Send', 'Delivery', 'Delivery']);
    // The two recipients complete independently; their events may be written in either order.
    const delivery = e.events.find((x) => x.type === 'Delivery' && (x.payload.delivery!.recipients as string[])[0] === 'a@example.net')!.payload;
    expect(delivery.eventType).toBe('Delivery');
    expect(delivery.mail).toEqual(e.events[0]!.payload.mail);
    expect(delivery.delivery).toMatchObject({ smtpResponse: '250 captured', reportingMTA: 'sesd.test', recipients: ['a@example.net'] });
    expect(delivery.delivery!.processingTimeMillis).toBeGreaterThanOrEqual(0);
    expect(Date.parse(delivery.delivery!.timestamp as string)).toBeGreaterThanOrEqual(Date.parse(delivery.mail!.timestamp as string));
  });

  it('delivers to success@ (with a +label) as SES does', async () => {
    const id = await send([`success+label@${SIM}`]);
    const e = await settled(app, id);
    expect(e.recipients[0]!.status).toBe('delivered');
    expect(e.events[1]!.payload.delivery).toMatchObject({ smtpResponse: '250 2.6.0 Message received', recipients: [`success+label@${SIM}`] });
  });

  it('bounces bounce@ (Permanent, General, 5.1.1), sends a DSN to the Return-Path and leaves the suppression list alone', async () => {
    const id = await send([`bounce@${SIM}`]);
    const e = await settled(app, id);
    expect(e.recipients[0]!.status).toBe('bounced');
    expect(e.events.map((x) => x.type)).toEqual(['Send', 'Bounce']);
    expect(e.events[1]!.payload.bounce).toMatchObject({
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [{ emailAddress: `bounce@${SIM}`, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
      reportingMTA: 'dns; sesd.test',
    });
    expect(e.events[1]!.payload.bounce!.feedbackId).toMatch(/^01[0-9a-f]{14}-/);
    const dsn = (await capturedMessages(app)).find((m) => m.Destination.ToAddresses?.[0] === 'sender@example.com' && m.RawData.includes(`Final-Recipient: rfc822; bounce@${SIM}`));
    expect(dsn).toBeDefined();
    expect(dsn!.RawData).toMatch(/^Content-Type: multipart\/report; report-type=delivery-status/m);
    expect(dsn!.RawData).toContain('Status: 5.1.1');
    expect(dsn!.Source).toBe('');
    expect(suppressed).toEqual([]);
  });

  it('delivers ooto@ and writes an RFC 3834 auto-reply to the sender', async () => {
    const id = await send([`ooto@${SIM}`]);
    const e = await settled(app, id);
    expect(e.events.map((x) => x.type)).toEqual(['Send', 'Delivery']);
    const reply = (await capturedMessages(app)).find((m) => m.RawData.startsWith(`From: ooto@${SIM}`));
    expect(reply).toBeDefined();
    expect(reply!.Destination.ToAddresses).toEqual(['sender@example.com']);
    expect(reply!.Subject).toBe('Auto: Hello');
    expect(reply!.RawData).toContain('Auto-Submitted: auto-replied');
    expect(reply!.RawData).toMatch(new RegExp(`^In-Reply-To: <${id}@sesd\\.test>`, 'm'));
  });

  it('delivers complaint@ and then records a Complaint event and an ARF report', async () => {
    const id = await send([`complaint@${SIM}`]);
    const e = await settled(app, id);
    expect(e.events.map((x) => x.type)).toEqual(['Send', 'Delivery', 'Complaint']);
    const complaint = e.events[2]!.payload.complaint as Record<string, unknown>;
    // What SES's simulator puts in its complaints (recorded notifications): its user agent, and an arrival time equal to the complaint's.
    expect(complaint).toMatchObject({ complainedRecipients: [{ emailAddress: `complaint@${SIM}` }], complaintFeedbackType: 'abuse', userAgent: 'Amazon SES Mailbox Simulator' });
    expect(complaint.arrivalDate).toBe(complaint.timestamp);
    const arf = (await capturedMessages(app)).find((m) => m.RawData.includes(`Original-Rcpt-To: <complaint@${SIM}>`));
    expect(arf!.RawData).toMatch(/report-type=feedback-report/);
    expect(arf!.RawData).toContain('Feedback-Type: abuse');
    expect(arf!.RawData).toContain('User-Agent: Amazon SES Mailbox Simulator');
  });

  // SES: "a hard bounce as if the recipient's address is on the global suppression list" (subtype Suppressed, not the account's list).
  it('bounces suppressionlist@ as Suppressed, as SES does for its global suppression list', async () => {
    const id = await send([`suppressionlist@${SIM}`]);
    const e = await settled(app, id);
    expect(e.recipients[0]!.status).toBe('suppressed');
    expect(e.events[1]!.payload.bounce).toMatchObject({
      bounceType: 'Permanent',
      bounceSubType: 'Suppressed',
      bouncedRecipients: [{ status: '5.1.1', diagnosticCode: expect.stringMatching(/^Amazon SES has suppressed sending to this address because it has a recent history of bouncing as an invalid address\./) }],
    });
    expect(suppressed).toEqual([]);
  });

  it('settles a message to several simulator mailboxes and a real address, each its own way', async () => {
    const id = await send([`success@${SIM}`, `bounce@${SIM}`, 'c@example.net']);
    const e = await settled(app, id);
    expect(e.recipients.map((r) => r.status)).toEqual(['delivered', 'bounced', 'delivered']);
    expect(e.events.map((x) => x.type).sort()).toEqual(['Bounce', 'Delivery', 'Delivery', 'Send']);
  });
});
