// CloudWatch event destinations as SES runs them, seen on GET /metrics: SES takes an email header as a
// dimension value only when it is made of letters, digits, '_', '@', '-' and '.'; for any other
// value the send succeeds but no metric is sent (SES Developer Guide, "Set up a CloudWatch event
// destination for event publishing", Choosing CloudWatch Dimensions).
import { CreateConfigurationSetCommand, CreateConfigurationSetEventDestinationCommand, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { startDeliverySesd } from '../support/delivery-sesd.js';
import { sesv2Client } from '../support/sesd.js';

const SIM = 'simulator.amazonses.com';

describe.each(DIALECTS)('CloudWatch event destination dimensions (%s)', (dialect) => {
  let db: TestDatabase;
  let app: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    app = await startDeliverySesd(db);
    const ses = sesv2Client(app);
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'cw' }));
    await ses.send(
      new CreateConfigurationSetEventDestinationCommand({
        ConfigurationSetName: 'cw',
        EventDestinationName: 'by-team',
        EventDestination: {
          Enabled: true,
          MatchingEventTypes: ['SEND'],
          CloudWatchDestination: { DimensionConfigurations: [{ DimensionName: 'X-Team', DimensionValueSource: 'EMAIL_HEADER', DefaultDimensionValue: 'nobody' }] },
        },
      }),
    );
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  async function sendWithTeam(team: string): Promise<string> {
    const out = await sesv2Client(app).send(
      new SendEmailCommand({
        FromEmailAddress: 'sender@example.com',
        Destination: { ToAddresses: [`success@${SIM}`] },
        Content: { Simple: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hi' } }, Headers: [{ Name: 'X-Team', Value: team }] } },
        ConfigurationSetName: 'cw',
      }),
    );
    return out.MessageId!;
  }

  async function settled(id: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const p = (await (await fetch(`${app.httpUrl}/_sesd/messages/${id}/publications`)).json()) as { pendingEvents: number; publications: unknown[] };
      if (p.pendingEvents === 0 && p.publications.length > 0) return;
      if (Date.now() > deadline) throw new Error(`publications of ${id}: ${JSON.stringify(p)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  const metricsText = async () => (await fetch(`${app.httpUrl}/metrics`)).text();

  it('counts a Send under the header value when SES takes it', async () => {
    await settled(await sendWithTeam('growth-eu@example.com'));
    expect(await metricsText()).toMatch(/^ses_send_total\{X_Team="growth-eu@example\.com",configuration_set="cw",event_destination="by-team"\} 1$/m);
  });

  it('sends no metric when the header value has a character SES does not take: neither under that value nor the default', async () => {
    await settled(await sendWithTeam('growth team'));
    const text = await metricsText();
    expect(text).not.toMatch(/^ses_send_total\{X_Team="growth team",/m);
    expect(text).not.toMatch(/^ses_send_total\{X_Team="nobody",[^}]*\} [1-9]/m);
  });
});
