// Two sesd nodes on one PostgreSQL database share the delivery queue (FOR UPDATE SKIP LOCKED):
// mail accepted by one is delivered by both, each recipient exactly once.
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { messageEvents, settled, startDeliverySesd } from '../support/delivery-sesd.js';
import { sesv2Client } from '../support/sesd.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const MESSAGES = 400;

describe.runIf(DIALECTS.includes('postgres'))('two nodes on one PostgreSQL database', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  const nodes: RunningApp[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    sink = await startSmtpSink({ noTls: true });
    for (const name of ['node-a.test', 'node-b.test']) {
      // Small claims, so that neither node takes the whole queue in one go.
      nodes.push(await startDeliverySesd(db, { SESD_HOSTNAME: name, SESD_DELIVERY_MODE: 'relay', SESD_RELAY_URL: `smtp://127.0.0.1:${sink.port}`, SESD_DELIVERY_CONCURRENCY: '8' }));
    }
  });
  afterAll(async () => {
    for (const node of nodes) await node.close();
    await sink?.close();
    await db?.drop();
  });

  it('delivers mail accepted by one node from both, each recipient once', async () => {
    const [a, b] = nodes as [RunningApp, RunningApp];
    const client = sesv2Client(a);
    const ids: string[] = [];
    for (let i = 0; i < MESSAGES; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, (_, j) =>
          client.send(
            new SendEmailCommand({
              FromEmailAddress: 'sender@example.com',
              Destination: { ToAddresses: [`r${i + j}@example.net`] },
              Content: { Simple: { Subject: { Data: `m${i + j}` }, Body: { Text: { Data: 'x' } } } },
            }),
          ),
        ),
      );
      ids.push(...batch.map((o) => o.MessageId!));
    }
    await sink.waitFor(MESSAGES, 30_000);
    const reporters = new Map<string, number>();
    for (const id of ids) {
      const e = await settled(a, id);
      const deliveries = e.events.filter((x) => x.type === 'Delivery');
      expect(deliveries).toHaveLength(1);
      const mta = deliveries[0]!.payload.delivery!.reportingMTA as string;
      reporters.set(mta, (reporters.get(mta) ?? 0) + 1);
    }
    expect(sink.messages).toHaveLength(MESSAGES);
    expect(new Set(sink.messages.map((m) => m.rcptTo[0])).size).toBe(MESSAGES);
    expect([...reporters.keys()].sort()).toEqual(['node-a.test', 'node-b.test']);
    // Both nodes see the same outcome: one database.
    expect((await messageEvents(b, ids[0]!)).recipients[0]!.status).toBe('delivered');
  }, 60_000);
});
