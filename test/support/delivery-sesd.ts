// sesd for delivery tests: the test support's sesd with delivery hooks (DKIM keys, suppression),
// fast polling, and helpers that wait for recipients to settle.
import { pino } from 'pino';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { DeliveryHooks } from '../../src/delivery/delivery-service.js';
import { createTestDatabase, type DialectName, type TestDatabase } from './databases.js';
import { startDnsServer, type DnsServer } from './dns-server.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';
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

/** What startRelayingWithDns started: each is closed by the cleanups it was given, in reverse order. */
export interface RelayingWithDns {
  app: RunningApp;
  db: TestDatabase;
  /** The DNS server sesd resolves through (SESD_DNS_SERVERS): the test publishes records there. */
  dns: DnsServer;
  sink: SmtpSink;
}

/**
 * sesd relaying to an SMTP sink, resolving through a test DNS server, verifying identities by DNS
 * (no auto-verify) and checking them again every 50 ms: for tests of what DNS records change.
 */
export async function startRelayingWithDns(dialect: DialectName, cleanups: (() => Promise<void>)[], env: Record<string, string> = {}): Promise<RelayingWithDns> {
  const db = await createTestDatabase(dialect);
  cleanups.push(() => db.drop());
  const dns = await startDnsServer();
  cleanups.push(() => dns.close());
  const sink = await startSmtpSink();
  cleanups.push(() => sink.close());
  const app = await startDeliverySesd(db, {
    SESD_DELIVERY_MODE: 'relay',
    SESD_RELAY_URL: `smtp://127.0.0.1:${sink.port}?tls.rejectUnauthorized=false`,
    SESD_AUTO_VERIFY: 'false',
    SESD_IDENTITY_RECHECK_SECONDS: '0.05',
    SESD_DNS_SERVERS: dns.address,
    ...env,
  });
  cleanups.push(() => app.close());
  return { app, db, dns, sink };
}
