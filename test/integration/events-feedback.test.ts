// Feedback forwarding: bounce and complaint notices by email (sesd's own mail, visible in capture)
// to the Return-Path, else the FeedbackForwardingEmailAddress, else the Source; and SES's refusal to
// turn forwarding off while no bounce and complaint topics are set.
import { SendEmailCommand as V1SendEmail, SetIdentityFeedbackForwardingEnabledCommand, VerifyDomainIdentityCommand } from '@aws-sdk/client-ses';
import { CreateEmailIdentityCommand, PutEmailIdentityFeedbackAttributesCommand, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { settled, startDeliverySesd } from '../support/delivery-sesd.js';
import { awsFailure, capturedMessages, sesClient, sesv2Client } from '../support/sesd.js';

const SIM = 'simulator.amazonses.com';

describe.each(DIALECTS)('feedback forwarding (%s)', (dialect) => {
  let db: TestDatabase;
  let app: RunningApp;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    // In-process delivery (a hook is given), so the test does not wait for the delivery thread.
    app = await startDeliverySesd(db, {}, { suppression: { shouldSuppress: async () => false, suppress: async () => undefined } });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  async function noticeTo(address: string, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await capturedMessages(app)).filter((m) => m.Destination.ToAddresses?.includes(address));
      if (found.length > 0) return found;
      if (Date.now() > deadline) throw new Error(`no notice to ${address}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('sends the bounce notice to the SES v1 ReturnPath', async () => {
    const { MessageId } = await sesClient(app).send(
      new V1SendEmail({
        Source: 'sender@v1.example',
        ReturnPath: 'bounces@v1.example',
        Destination: { ToAddresses: [`bounce@${SIM}`] },
        Message: { Subject: { Data: 'hi' }, Body: { Text: { Data: 'x' } } },
      }),
    );
    await settled(app, MessageId!);
    const [notice] = await noticeTo('bounces@v1.example');
    expect(notice!.Subject).toBe('Delivery Status Notification (Failure)');
    expect(notice!.RawData).toContain(`Final-Recipient: rfc822; bounce@${SIM}`);
    expect((await capturedMessages(app)).some((m) => m.Destination.ToAddresses?.includes('sender@v1.example'))).toBe(false);
  });

  it('sends the complaint report to the SES v2 FeedbackForwardingEmailAddress', async () => {
    const { MessageId } = await sesv2Client(app).send(
      new SendEmailCommand({
        FromEmailAddress: 'sender@v2.example',
        FeedbackForwardingEmailAddress: 'feedback@v2.example',
        Destination: { ToAddresses: [`complaint@${SIM}`] },
        Content: { Simple: { Subject: { Data: 'hi' }, Body: { Text: { Data: 'x' } } } },
      }),
    );
    await settled(app, MessageId!);
    const [report] = await noticeTo('feedback@v2.example');
    expect(report!.RawData).toMatch(/Content-Type: message\/feedback-report/);
  });

  it('falls back to the Source when neither is given', async () => {
    const { MessageId } = await sesv2Client(app).send(
      new SendEmailCommand({ FromEmailAddress: 'plain@v2.example', Destination: { ToAddresses: [`bounce@${SIM}`] }, Content: { Simple: { Subject: { Data: 'hi' }, Body: { Text: { Data: 'x' } } } } }),
    );
    await settled(app, MessageId!);
    expect(await noticeTo('plain@v2.example')).toHaveLength(1);
  });

  it('refuses to turn forwarding off while no bounce and complaint topics are set, in both APIs', async () => {
    await sesv2Client(app).send(new CreateEmailIdentityCommand({ EmailIdentity: 'forwarding.example' }));
    const v2 = await awsFailure(sesv2Client(app).send(new PutEmailIdentityFeedbackAttributesCommand({ EmailIdentity: 'forwarding.example', EmailForwardingEnabled: false })));
    expect(v2).toMatchObject({ name: 'BadRequestException', message: 'Feedback notification topic not set.', status: 400 });
    await sesClient(app).send(new VerifyDomainIdentityCommand({ Domain: 'forwarding-v1.example' }));
    const v1 = await awsFailure(sesClient(app).send(new SetIdentityFeedbackForwardingEnabledCommand({ Identity: 'forwarding-v1.example', ForwardingEnabled: false })));
    expect(v1).toMatchObject({ name: 'InvalidParameterValue', message: 'Feedback notification topic not set.' });
  });
});
