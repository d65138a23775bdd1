// SNS publishing: Publish calls through @aws-sdk/client-sns to a topic with one (or --subscriptions)
// confirmed HTTP subscriptions, delivered (signed, SignatureVersion 1) to a receiver on 127.0.0.1 in
// a child process. Reports the Publish answer rate and the delivery rate (first Publish to the last
// notification received), which includes the outbox's database work and signing.
//
//   npx tsx bench/sns-publish.ts [--messages 2000] [--concurrency 20] [--subscriptions 1] [--postgres URL]
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { pino } from 'pino';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';

// ---- the receiver (child process): counts notifications, GETs SubscribeURLs, reports counts.
if (process.argv.includes('--receiver')) {
  let notifications = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200).end();
      if (req.headers['x-amz-sns-message-type'] === 'SubscriptionConfirmation') {
        void fetch((JSON.parse(Buffer.concat(chunks).toString()) as { SubscribeURL: string }).SubscribeURL).then(() => process.send!({ confirmed: req.url }));
      } else {
        notifications++;
      }
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send!({ port: typeof address === 'object' && address ? address.port : 0 });
  });
  setInterval(() => process.send!({ notifications }), 50);
} else {
  await main();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { messages: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '20' }, subscriptions: { type: 'string', default: '1' }, postgres: { type: 'string', default: '' } },
  });
  const total = Number(values.messages);
  const subscriptions = Number(values.subscriptions);
  const dataDir = mkdtempSync(join(tmpdir(), 'sesd-bench-sns-'));
  const key = { accessKeyId: 'AKIDBENCHSNS0000001', secretAccessKey: 'bench-secret-000000000000000000000000000' };
  const app = await startApp(
    loadConfig({ env: { SESD_HTTP_PORT: '0', SESD_SMTP_PORT: 'off', SESD_SMTPS_PORT: 'off', SESD_DATA_DIR: dataDir, SESD_DATABASE_URL: values.postgres, SESD_ACCESS_KEYS: `${key.accessKeyId}:${key.secretAccessKey}`, SESD_QUEUE_POLL_INTERVAL: '20ms' } }),
    pino({ level: 'silent' }),
  );
  const receiver = fork(import.meta.filename, ['--receiver'], { execArgv: ['--import', 'tsx'] });
  let received = 0;
  let confirmed = 0;
  const port = await new Promise<number>((resolve) =>
    receiver.on('message', (m: { port?: number; notifications?: number; confirmed?: string }) => {
      if (m.port) resolve(m.port);
      if (m.notifications !== undefined) received = m.notifications;
      if (m.confirmed) confirmed++;
    }),
  );
  const sns = new SNSClient({ endpoint: app.httpUrl, region: 'us-east-1', credentials: key, maxAttempts: 1 });
  try {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'bench' }));
    // Each subscription its own path of the receiver (SNS refuses a second subscription of one endpoint).
    for (let i = 1; i <= subscriptions; i++) await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: `http://127.0.0.1:${port}/s${i}` }));
    while (confirmed < subscriptions) await new Promise((r) => setTimeout(r, 20));

    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: Number(values.concurrency) }, async () => {
        while (next < total) {
          next++;
          await sns.send(new PublishCommand({ TopicArn, Message: JSON.stringify({ eventType: 'Delivery', n: next }) }));
        }
      }),
    );
    const published = performance.now() - started;
    while (received < total * subscriptions) await new Promise((r) => setTimeout(r, 10));
    const delivered = performance.now() - started;
    console.log(`SNS (${app.store.dialect}): ${total} Publish calls, concurrency ${values.concurrency}, ${subscriptions} subscription(s)`);
    console.log(`  Publish answered:   ${(total / (published / 1000)).toFixed(0)}/s (${(published / 1000).toFixed(2)} s)`);
    console.log(`  notifications in:   ${((total * subscriptions) / (delivered / 1000)).toFixed(0)}/s (signed v1, HTTP POST to 127.0.0.1, ${(delivered / 1000).toFixed(2)} s)`);
  } finally {
    sns.destroy();
    receiver.kill();
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
