// What Pinpoint answers about the email channel (no HasCredential; MessagesPerSecond, the account's
// sending rate) and for a recipient it did not send to (no MessageId, no placeholder for one). Through
// the real Pinpoint client, on every database.
import { CreateAppCommand, GetEmailChannelCommand, SendMessagesCommand, UpdateEmailChannelCommand, type PinpointClient } from '@aws-sdk/client-pinpoint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { DEFAULT_ACCOUNT_SETTINGS } from '../../src/domain/account/account-settings.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { pinpointClient, startSesd } from '../support/sesd.js';

const ACCOUNT = '000000000000';

describe.each(DIALECTS)('Pinpoint channel and result answers (%s)', (dialect) => {
  let db: TestDatabase;
  let app: RunningApp;

  /** A client in `region` and an application there whose email channel sends from example.com. */
  async function appIn(region: string, channel: { configurationSet?: string } = {}): Promise<{ pinpoint: PinpointClient; id: string }> {
    const pinpoint = pinpointClient(app, undefined, region);
    const id = (await pinpoint.send(new CreateAppCommand({ CreateApplicationRequest: { Name: 'shop' } }))).ApplicationResponse!.Id!;
    const Identity = `arn:aws:ses:${region}:${ACCOUNT}:identity/example.com`;
    await pinpoint.send(new UpdateEmailChannelCommand({ ApplicationId: id, EmailChannelRequest: { FromAddress: 'shop@example.com', Identity, ConfigurationSet: channel.configurationSet } }));
    return { pinpoint, id };
  }

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    app = await startSesd(db);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('answers the email channel without HasCredential and with the account sending rate as MessagesPerSecond', async () => {
    await app.store.accountSettings.put({ accountId: ACCOUNT, region: 'eu-north-1' }, { ...DEFAULT_ACCOUNT_SETTINGS, maxSendRate: 1 });
    const { pinpoint, id } = await appIn('eu-north-1');
    const channel = (await pinpoint.send(new GetEmailChannelCommand({ ApplicationId: id }))).EmailChannelResponse!;
    expect(channel).toMatchObject({ ApplicationId: id, Enabled: true, Id: 'email', IsArchived: false, Platform: 'EMAIL', MessagesPerSecond: 1, Version: 1 });
    expect(channel).not.toHaveProperty('HasCredential');

    // AWS has no unlimited account to say what it would answer; sesd leaves the rate out.
    const unlimited = await appIn('eu-south-1');
    const open = (await unlimited.pinpoint.send(new GetEmailChannelCommand({ ApplicationId: unlimited.id }))).EmailChannelResponse!;
    expect(open).not.toHaveProperty('MessagesPerSecond');
    expect(open).not.toHaveProperty('HasCredential');
  });

  it('gives a recipient SES refused no MessageId', async () => {
    const { pinpoint, id } = await appIn('eu-west-2', { configurationSet: 'missing-set' });
    const out = (
      await pinpoint.send(
        new SendMessagesCommand({
          ApplicationId: id,
          MessageRequest: { Addresses: { 'ana@example.net': { ChannelType: 'EMAIL' } }, MessageConfiguration: { EmailMessage: { SimpleEmail: { Subject: { Data: 's' }, TextPart: { Data: 't' } } } } },
        }),
      )
    ).MessageResponse!;
    expect(out.Result!['ana@example.net']).toMatchObject({ DeliveryStatus: 'PERMANENT_FAILURE', StatusCode: 404 });
    expect(out.Result!['ana@example.net']).not.toHaveProperty('MessageId');
  });
});
