// Starts a real sesd (HTTP on 127.0.0.1, port 0) for integration tests and gives SDK clients for it.
import { SESClient } from '@aws-sdk/client-ses';
import { PinpointClient } from '@aws-sdk/client-pinpoint';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { pino, type Logger } from 'pino';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type DialectName, type TestDatabase } from './databases.js';

export const TEST_KEY = { accessKeyId: 'AKIDSESDTEST0000001', secretAccessKey: 'sesd-test-secret-key-0000000000000000000' };
export const OTHER_ACCOUNT_KEY = { accessKeyId: 'AKIDSESDTEST0000002', secretAccessKey: 'sesd-other-secret-000000000000000000000', accountId: '111122223333' };

export async function startSesd(db: TestDatabase, env: Record<string, string> = {}, log: Logger = pino({ level: 'silent' })): Promise<RunningApp> {
  const config = loadConfig({
    env: {
      SESD_HTTP_PORT: '0',
      // Any free ports, so test files running at once (and a developer's own sesd) never collide.
      SESD_SMTP_PORT: '0',
      SESD_SMTPS_PORT: '0',
      SESD_DATA_DIR: db.dataDir,
      SESD_DATABASE_URL: db.databaseUrl,
      SESD_HOSTNAME: 'sesd.test',
      SESD_ACCESS_KEYS: `${TEST_KEY.accessKeyId}:${TEST_KEY.secretAccessKey},${OTHER_ACCOUNT_KEY.accountId}/${OTHER_ACCOUNT_KEY.accessKeyId}:${OTHER_ACCOUNT_KEY.secretAccessKey}`,
      ...env,
    },
  });
  return startApp(config, log);
}

/**
 * Waits until sesd at `httpUrl` answers /_sesd/ready (its database answers and its delivery
 * thread runs), and says what was not ready if it does not in time.
 */
export async function waitUntilReady(httpUrl: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${httpUrl}/_sesd/ready`);
    if (res.status === 200) return;
    if (Date.now() > deadline) throw new Error(`sesd did not become ready in ${timeoutMs / 1000} s: ${await res.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function sesv2Client(app: RunningApp, credentials: { accessKeyId: string; secretAccessKey: string } = TEST_KEY, region = 'us-west-2'): SESv2Client {
  return new SESv2Client({ endpoint: app.httpUrl, region, credentials, maxAttempts: 1 });
}

export function pinpointClient(app: RunningApp, credentials: { accessKeyId: string; secretAccessKey: string } = TEST_KEY, region = 'us-west-2'): PinpointClient {
  return new PinpointClient({ endpoint: app.httpUrl, region, credentials, maxAttempts: 1 });
}

export interface LocalStackMessage {
  Id: string;
  Region: string;
  Timestamp: string;
  Destination: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  Source: string;
  Subject: string;
  Body: { text_part: string | null; html_part: string | null };
  RawData: string;
  Attachments: { FileName: string; ContentType: string; Size: number }[];
}

export async function capturedMessages(app: RunningApp, query = ''): Promise<LocalStackMessage[]> {
  const res = await fetch(`${app.httpUrl}/_aws/ses${query}`);
  if (res.status !== 200) throw new Error(`/_aws/ses answered ${res.status}`);
  return ((await res.json()) as { messages: LocalStackMessage[] }).messages;
}

/** How an SDK call was refused: the error name, message and HTTP status. Fails the test if it succeeded. */
export async function awsFailure(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the request to be refused');
}

export function sesClient(app: RunningApp, credentials: { accessKeyId: string; secretAccessKey: string } = TEST_KEY, region = 'us-west-2'): SESClient {
  return new SESClient({ endpoint: app.httpUrl, region, credentials, maxAttempts: 1 });
}

/** Registers a fresh database and a started sesd around a describe block; read `.app` inside tests. */
export function useSesd(dialect: DialectName, env: Record<string, string> = {}): { readonly db: TestDatabase; readonly app: RunningApp; restart(): Promise<void> } {
  const fixture = {
    db: undefined as unknown as TestDatabase,
    app: undefined as unknown as RunningApp,
    /** Stops sesd and starts it again on the same database (what survives a restart). */
    async restart() {
      await fixture.app.close();
      fixture.app = await startSesd(fixture.db, env);
    },
  };
  beforeAll(async () => {
    fixture.db = await createTestDatabase(dialect);
    fixture.app = await startSesd(fixture.db, env);
  });
  afterAll(async () => {
    await fixture.app?.close();
    await fixture.db?.drop();
  });
  return fixture;
}
