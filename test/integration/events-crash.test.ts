// An event committed is published even when sesd dies before publishing it: sesd (a child process)
// accepts messages whose Send and Delivery events go to an EventBridge destination, is killed with
// SIGKILL while publishing, and is started again; every acknowledged message's events reach the
// receiver. Duplicates (published, then killed before the attempt was recorded) are allowed.
import { CreateConfigurationSetCommand, CreateConfigurationSetEventDestinationCommand, SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBridgeEntries, RECEIVER_KEY, startAwsReceiver, type AwsReceiver } from '../support/aws-receiver.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { deliverySesdEnv } from '../support/delivery-sesd.js';
import { spawnSesd, type SesdProcess } from '../support/sesd-process.js';
import { TEST_KEY } from '../support/sesd.js';

const TOTAL = 300;

describe.each(DIALECTS)('a crash while publishing events (%s)', (dialect) => {
  let db: TestDatabase;
  let receiver: AwsReceiver;
  let sesd: SesdProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    receiver = await startAwsReceiver();
  });
  afterAll(async () => {
    sesd?.child.kill('SIGKILL');
    await sesd?.exited;
    await receiver?.close();
    await db?.drop();
  });

  const start = () =>
    spawnSesd(
      deliverySesdEnv(db, {
        SESD_EVENTBRIDGE_URL: receiver.url,
        SESD_EVENTS_AWS_ACCESS_KEY_ID: RECEIVER_KEY.accessKeyId,
        SESD_EVENTS_AWS_SECRET_ACCESS_KEY: RECEIVER_KEY.secretAccessKey,
        SESD_EVENTS_LEASE: '1s',
        SESD_QUEUE_LEASE: '1s',
        SESD_LOG_LEVEL: 'error',
      }),
    );

  it('publishes every committed event after SIGKILL and a restart', async () => {
    sesd = await start();
    const client = new SESv2Client({ endpoint: sesd.httpUrl, region: 'us-east-1', credentials: TEST_KEY, maxAttempts: 1 });
    await client.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'app' }));
    await client.send(
      new CreateConfigurationSetEventDestinationCommand({
        ConfigurationSetName: 'app',
        EventDestinationName: 'bus',
        EventDestination: { Enabled: true, MatchingEventTypes: ['SEND', 'DELIVERY'], EventBridgeDestination: { EventBusArn: 'arn:aws:events:us-east-1:000000000000:event-bus/default' } },
      }),
    );
    const acknowledged: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < TOTAL) {
          next++;
          const out = await client.send(
            new SendEmailCommand({
              FromEmailAddress: 'sender@example.com',
              Destination: { ToAddresses: [`r${next}@example.net`] },
              Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } },
              ConfigurationSetName: 'app',
            }),
          );
          acknowledged.push(out.MessageId!);
        }
      }),
    );
    client.destroy();
    // Killed once publishing has begun and before it can have finished.
    await receiver.waitFor((calls) => calls.length >= 1, 30_000);
    sesd.child.kill('SIGKILL');
    await sesd.exited;
    const beforeRestart = eventBridgeEntries(receiver.calls).length;
    expect(beforeRestart).toBeLessThan(TOTAL * 2);

    sesd = await start();
    // Once per poll: which messages have their Send and Delivery published.
    const allPublished = () => {
      const seen = new Set(eventBridgeEntries(receiver.calls).map((e) => `${e.Detail.eventType} ${e.Detail.mail.messageId}`));
      return acknowledged.every((id) => seen.has(`Send ${id}`) && seen.has(`Delivery ${id}`));
    };
    await receiver.waitFor(allPublished, 60_000);
    const duplicates = eventBridgeEntries(receiver.calls).length - TOTAL * 2;
    console.log(`[events crash ${dialect}] ${beforeRestart} published before SIGKILL, all ${TOTAL * 2} after the restart, ${duplicates} duplicates`);
    expect(receiver.badSignatures).toEqual([]);
  }, 120_000);
});
