// RFC 5321 6.1 under a crash: sesd (a child process) accepts and delivers 2,000 messages, is killed
// with SIGKILL half-way, and is started again. Every MessageId it acknowledged must reach the
// receiving server; duplicates (delivered, then killed before the outcome was committed) are
// allowed by at-least-once delivery and counted.
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { deliverySesdEnv } from '../support/delivery-sesd.js';
import { spawnSesd, type SesdProcess } from '../support/sesd-process.js';
import { TEST_KEY } from '../support/sesd.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const TOTAL = 2_000;
const KILL_AFTER = 700;
const CONCURRENCY = 40;

describe.each(DIALECTS)('a crash while accepting and delivering (%s)', (dialect) => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let sesd: SesdProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    sink = await startSmtpSink({ noTls: true });
  });
  afterAll(async () => {
    sesd?.child.kill('SIGKILL');
    await sesd?.exited;
    await sink?.close();
    await db?.drop();
  });

  const start = () =>
    spawnSesd(
      deliverySesdEnv(db, {
        SESD_DELIVERY_MODE: 'relay',
        SESD_RELAY_URL: `smtp://127.0.0.1:${sink.port}`,
        SESD_QUEUE_LEASE: '2s',
        SESD_LOG_LEVEL: 'error',
      }),
    );

  it('delivers every acknowledged message after SIGKILL and a restart', async () => {
    const acknowledged = new Set<string>();
    let failed = 0;
    let next = 0;
    sesd = await start();

    // Sends until `stopAt` messages were acknowledged, all were tried, or (once the process is being
    // killed) a request failed; a request that failed is not acknowledged and not retried.
    let dying = false;
    const sendUntil = async (url: string, stopAt: number) => {
      const client = new SESv2Client({ endpoint: url, region: 'us-east-1', credentials: TEST_KEY, maxAttempts: 1 });
      let refused = false;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < TOTAL && acknowledged.size < stopAt && !refused) {
            const n = next++;
            try {
              const out = await client.send(
                new SendEmailCommand({
                  FromEmailAddress: 'sender@example.com',
                  Destination: { ToAddresses: [`r${n}@example.net`] },
                  Content: { Simple: { Subject: { Data: `m${n}` }, Body: { Text: { Data: `message ${n}` } } } },
                }),
              );
              acknowledged.add(out.MessageId!);
            } catch {
              failed++;
              refused = dying;
            }
          }
        }),
      );
      client.destroy();
    };

    const first = sendUntil(sesd.httpUrl, KILL_AFTER);
    await first;
    const deliveredBeforeKill = sink.messages.length;
    // Requests keep coming while the process dies.
    dying = true;
    const during = sendUntil(sesd.httpUrl, TOTAL);
    await new Promise((r) => setTimeout(r, 50));
    sesd.child.kill('SIGKILL');
    await Promise.all([during, sesd.exited]);

    dying = false;
    sesd = await start();
    await sendUntil(sesd.httpUrl, TOTAL);

    const deadline = Date.now() + 60_000;
    const received = () => {
      const counts = new Map<string, number>();
      for (const m of sink.messages) {
        const id = /^Message-ID:\s*<([^@>]+)@/im.exec(m.raw.toString('latin1'))?.[1];
        if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    };
    let counts = received();
    while ([...acknowledged].some((id) => !counts.has(id))) {
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
      counts = received();
    }
    const missing = [...acknowledged].filter((id) => !counts.has(id));
    const duplicates = [...counts.values()].filter((c) => c > 1).length;
    console.log(
      `[crash ${dialect}] acknowledged ${acknowledged.size}, refused ${failed}, delivered before the kill ${deliveredBeforeKill}, ` +
        `received ${sink.messages.length} (${counts.size} distinct), duplicates ${duplicates}, missing ${missing.length}`,
    );
    expect(missing).toEqual([]);
    expect(acknowledged.size).toBeGreaterThan(TOTAL - 2 * CONCURRENCY);
  }, 180_000);
});
