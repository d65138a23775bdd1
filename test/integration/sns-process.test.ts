// SNS across processes: sesd killed with SIGKILL after Publish answered and before the receiver
// got the message loses nothing (the rows were committed; their lease runs out and a restarted
// sesd delivers them), and a topic sesd does not host is published to an upstream SNS endpoint —
// a second sesd process — with a SigV4-signed Publish.
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { deliverySesdEnv } from '../support/delivery-sesd.js';
import { spawnSesd, type SesdProcess } from '../support/sesd-process.js';
import { awsFailure, startSesd, TEST_KEY } from '../support/sesd.js';
import { startSnsReceiver, type SnsReceiver } from '../support/sns-receiver.js';

// Starting sesd under tsx takes seconds, far more on a loaded machine.
const SPAWN_TIMEOUT_MS = 120_000;

const snsAt = (url: string) => new SNSClient({ endpoint: url, region: 'us-east-1', credentials: TEST_KEY, maxAttempts: 1 });

async function subscribeConfirmed(sns: SNSClient, receiver: SnsReceiver, name: string, path: string): Promise<string> {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: `${receiver.url}${path}` }));
  const [confirmation] = await receiver.waitFor(path, 1, 'SubscriptionConfirmation');
  expect((await fetch((JSON.parse(confirmation!.body) as { SubscribeURL: string }).SubscribeURL)).status).toBe(200);
  return TopicArn!;
}

describe.each(DIALECTS)('SNS across processes (%s)', (dialect) => {
  let db: TestDatabase;
  let receiver: SnsReceiver;
  let sesd: SesdProcess | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    receiver = await startSnsReceiver();
  });
  afterAll(async () => {
    sesd?.child.kill('SIGKILL');
    await sesd?.exited;
    await receiver?.close();
    await db?.drop();
  }, 60_000);

  const start = () => spawnSesd(deliverySesdEnv(db, { SESD_QUEUE_LEASE: '2s', SESD_SNS_RETRY_DELAY: '200ms', SESD_LOG_LEVEL: 'error' }), SPAWN_TIMEOUT_MS);

  it('delivers every published message after SIGKILL between the Publish answer and delivery', async () => {
    sesd = await start();
    const sns = snsAt(sesd.httpUrl);
    const topicArn = await subscribeConfirmed(sns, receiver, 'crash', '/crash');

    // The receiver takes the requests and never answers: sesd cannot mark any message delivered.
    receiver.hold('/crash', true);
    const published = await Promise.all(Array.from({ length: 50 }, (_, i) => sns.send(new PublishCommand({ TopicArn: topicArn, Message: `m${i}` }))));
    const ids = new Set(published.map((p) => p.MessageId!));
    expect(ids.size).toBe(50);
    sesd.child.kill('SIGKILL');
    await sesd.exited;
    sns.destroy();

    receiver.hold('/crash', false);
    sesd = await start();
    const deadline = Date.now() + 30_000;
    const answered = () => new Set(receiver.requests.filter((r) => r.path === '/crash' && r.status === 200 && r.headers['x-amz-sns-message-type'] === 'Notification').map((r) => r.headers['x-amz-sns-message-id'] as string));
    while ([...ids].some((id) => !answered().has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect([...ids].filter((id) => !answered().has(id))).toEqual([]);
  }, 3 * SPAWN_TIMEOUT_MS);
});

describe.each(DIALECTS)('SNS upstream (%s)', (dialect) => {
  let upstreamDb: TestDatabase;
  let localDb: TestDatabase;
  let upstream: SesdProcess;
  let local: RunningApp;
  let receiver: SnsReceiver;
  beforeAll(async () => {
    upstreamDb = await createTestDatabase(dialect);
    localDb = await createTestDatabase(dialect);
    receiver = await startSnsReceiver();
    upstream = await spawnSesd(deliverySesdEnv(upstreamDb, { SESD_LOG_LEVEL: 'error' }), SPAWN_TIMEOUT_MS);
    local = await startSesd(localDb, {
      SESD_SNS_UPSTREAM_URL: upstream.httpUrl,
      SESD_SNS_UPSTREAM_ACCESS_KEY_ID: TEST_KEY.accessKeyId,
      SESD_SNS_UPSTREAM_SECRET_ACCESS_KEY: TEST_KEY.secretAccessKey,
      SESD_SNS_UPSTREAM_TOPICS: 'arn:aws:sns:us-east-1:000000000000:upstream-*',
    });
  }, SPAWN_TIMEOUT_MS + 30_000);
  afterAll(async () => {
    await local?.close();
    upstream?.child.kill('SIGKILL');
    await upstream?.exited;
    await receiver?.close();
    await upstreamDb?.drop();
    await localDb?.drop();
  }, 60_000);

  it('publishes to a topic of the upstream endpoint with SigV4, through the API and the TopicPublisher', async () => {
    const upstreamSns = snsAt(upstream.httpUrl);
    const topicArn = await subscribeConfirmed(upstreamSns, receiver, 'upstream-events', '/up');
    const localSns = snsAt(local.httpUrl);

    const viaApi = await localSns.send(new PublishCommand({ TopicArn: topicArn, Message: 'through the api', Subject: 'S' }));
    const viaPublisher = await local.sns.publish({ accountId: '000000000000', region: 'us-east-1', topicArn, message: 'through the publisher' });
    const notes = await receiver.waitFor('/up', 2, 'Notification');
    const bodies = notes.map((n) => JSON.parse(n.body) as Record<string, string>);
    expect(bodies.map((b) => [b.MessageId, b.Message])).toEqual(
      expect.arrayContaining([
        [viaApi.MessageId, 'through the api'],
        [viaPublisher.messageId, 'through the publisher'],
      ]),
    );
    expect(await local.sns.topicExists({ accountId: '000000000000', region: 'us-east-1', topicArn })).toBe(true);

    // The upstream's own answer comes back: a topic it does not have is NotFound there.
    const missing = await awsFailure(localSns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:upstream-none', Message: 'x' })));
    expect(missing).toMatchObject({ name: 'NotFoundException', message: 'Topic does not exist' });
    // A hosted topic is not sent upstream; a missing one answers NotFound from sesd itself.
    await expect(local.sns.publish({ accountId: '000000000000', region: 'us-east-1', topicArn: 'arn:aws:sns:us-east-1:000000000000:local-none', message: 'x' })).rejects.toMatchObject({ code: 'NotFound' });
    localSns.destroy();
    upstreamSns.destroy();
  });
});
