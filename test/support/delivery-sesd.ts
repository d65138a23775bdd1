// sesd for delivery tests: the test support's sesd with delivery hooks (DKIM keys, suppression),
// fast polling, and helpers that wait for recipients to settle.
import { pino } from 'pino';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { DeliveryHooks } from '../../src/delivery/delivery-service.js';
import type { TestDatabase } from './databases.js';
import { OTHER_ACCOUNT_KEY, TEST_KEY } from './sesd.js';

/** The settings of a delivery test's sesd (in-process or spawned): HTTP only, fast polling, `env` on top. */
export function deliverySesdEnv(db: TestDatabase, env: Record<string, string> = {}): Record<string, string> {
  return {
    SESD_HTTP_PORT: '0',
    SESD_SMTP_PORT: 'off',
    SESD_SMTPS_PORT: 'off',
    SESD_DATA_DIR: db.dataDir,
    SESD_DATABASE_URL: db.databaseUrl,
    SESD_HOSTNAME: 'sesd.test',
    SESD_AUTO_VERIFY: 'true',
    SESD_QUEUE_POLL_INTERVAL: '20ms',
    SESD_ACCESS_KEYS: `${TEST_KEY.accessKeyId}:${TEST_KEY.secretAccessKey},${OTHER_ACCOUNT_KEY.accountId}/${OTHER_ACCOUNT_KEY.accessKeyId}:${OTHER_ACCOUNT_KEY.secretAccessKey}`,
    ...env,
  };
}

export async function startDeliverySesd(db: TestDatabase, env: Record<string, string> = {}, hooks: DeliveryHooks = {}): Promise<RunningApp> {
  const config = loadConfig({ env: deliverySesdEnv(db, env) });
  return startApp(config, pino({ level: process.env.SESD_TEST_LOG ?? 'silent' }), hooks);
}

export interface MessageEvents {
  events: { type: string; payload: Record<string, Record<string, unknown>> }[];
  recipients: { recipient: string; status: string }[];
}

export async function messageEvents(app: RunningApp, messageId: string): Promise<MessageEvents> {
  const res = await fetch(`${app.httpUrl}/_sesd/messages/${messageId}/events`);
  if (res.status !== 200) throw new Error(`events of ${messageId}: HTTP ${res.status}`);
  return (await res.json()) as MessageEvents;
}

const SETTLED = new Set(['delivered', 'bounced', 'suppressed']);

/** Waits until every recipient of the message is delivered, bounced or suppressed. */
export async function settled(app: RunningApp, messageId: string, timeoutMs = 10_000): Promise<MessageEvents> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const e = await messageEvents(app, messageId);
    // The route reads events before recipients (two queries): read once more for a consistent view.
    if (e.recipients.length > 0 && e.recipients.every((r) => SETTLED.has(r.status))) return messageEvents(app, messageId);
    if (Date.now() > deadline) throw new Error(`message ${messageId} did not settle: ${JSON.stringify(e.recipients)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
