// What a new user sees: the `sesd` command's start line, the first access key, `keys create`,
// `config --print`, and SigV4 presigned requests against the running server.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SignatureV4 } from '@smithy/signature-v4';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { NodeSha256 } from '../support/node-sha256.js';
import { sesv2Client, startSesd, TEST_KEY } from '../support/sesd.js';

const CLI = ['--import', 'tsx', join(import.meta.dirname, '../../src/cli/main.ts')];

function readCredentials(file: string): { accessKeyId: string; secretAccessKey: string } {
  const text = readFileSync(file, 'utf8');
  return {
    accessKeyId: /aws_access_key_id = (\S+)/.exec(text)![1]!,
    secretAccessKey: /aws_secret_access_key = (\S+)/.exec(text)![1]!,
  };
}

describe('first start', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
  });
  afterAll(async () => db.drop());

  it('creates one key for the default account, writes its secret to a private file, and keeps it on restart', async () => {
    const config = loadConfig({ env: { SESD_HTTP_PORT: '0', SESD_SMTP_PORT: '0', SESD_SMTPS_PORT: '0', SESD_DATA_DIR: db.dataDir } });
    let app = await startApp(config, pino({ level: 'silent' }));
    try {
      expect(app.keys.created).toMatchObject({ accountId: '000000000000' });
      const file = app.keys.created!.credentialsFile;
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const creds = readCredentials(file);
      expect(creds.accessKeyId).toBe(app.keys.created!.accessKeyId);
      const out = await sesv2Client(app, creds).send(
        new SendEmailCommand({ FromEmailAddress: 'a@example.com', Destination: { ToAddresses: ['b@example.net'] }, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } } }),
      );
      expect(out.MessageId).toBeTruthy();
      await app.close();
      app = await startApp(config, pino({ level: 'silent' }));
      expect(app.keys.created).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});

describe('the sesd command', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
  });
  afterAll(async () => db.drop());

  it('prints the effective config with secrets masked', () => {
    const out = execFileSync(process.execPath, [...CLI, 'config', '--print', '--http-port', '9999'], {
      env: { ...process.env, SESD_ACCESS_KEYS: 'AKID:very-secret' },
    }).toString();
    const printed = JSON.parse(out) as { http: { port: number }; accessKeys: string };
    expect(printed.http.port).toBe(9999);
    expect(printed.accessKeys).toBe('***');
    expect(out).not.toContain('very-secret');
  });

  it('creates a key with `keys create --account`, and the started server accepts it', async () => {
    const out = execFileSync(process.execPath, [...CLI, 'keys', 'create', '--account', '123456789012', '--data-dir', db.dataDir]).toString();
    const accessKeyId = /AccessKeyId=(\S+)/.exec(out)![1]!;
    const secretAccessKey = /SecretAccessKey=(\S+)/.exec(out)![1]!;
    expect(out).toContain('AccountId=123456789012');
    const app = await startSesd(db);
    try {
      const sent = await sesv2Client(app, { accessKeyId, secretAccessKey }).send(
        new SendEmailCommand({ FromEmailAddress: 'a@example.com', Destination: { ToAddresses: ['b@example.net'] }, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } } }),
      );
      const [row] = await app.store.messages.list({ id: sent.MessageId });
      expect(row!.accountId).toBe('123456789012');
    } finally {
      await app.close();
    }
  });

  it('prints `sesd listening http=...` once it accepts connections', async () => {
    const child = spawn(process.execPath, [...CLI, 'start'], {
      env: { ...process.env, SESD_HTTP_PORT: '0', SESD_SMTP_PORT: '0', SESD_SMTPS_PORT: '0', SESD_DATA_DIR: db.dataDir, SESD_ACCESS_KEYS: `${TEST_KEY.accessKeyId}:${TEST_KEY.secretAccessKey}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let seen = '';
        child.stdout.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          const m = /^sesd listening http=(\S+)/m.exec(seen);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`sesd exited with ${code}: ${seen}`)));
      });
      const health = await fetch(`${url}/_sesd/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', database: 'sqlite' });
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('SigV4 presigned requests', () => {
  let db: TestDatabase;
  let app: Awaited<ReturnType<typeof startSesd>>;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    app = await startSesd(db);
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  async function presignedUrl(path: string): Promise<URL> {
    const url = new URL(app.httpUrl);
    const signer = new SignatureV4({ service: 'ses', region: 'eu-west-1', credentials: TEST_KEY, sha256: NodeSha256 });
    const signed = await signer.presign({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, headers: { host: url.host } }, { expiresIn: 60 });
    const out = new URL(path, app.httpUrl);
    for (const [k, v] of Object.entries(signed.query ?? {})) out.searchParams.set(k, String(v));
    return out;
  }

  it('accepts a presigned GET', async () => {
    const res = await fetch(await presignedUrl('/v2/email/account'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ SendingEnabled: true });
  });

  it('refuses a presigned GET whose signature was tampered with', async () => {
    const url = await presignedUrl('/v2/email/account');
    const sig = url.searchParams.get('X-Amz-Signature')!;
    url.searchParams.set('X-Amz-Signature', (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toMatch(/^InvalidSignatureException/);
  });

  it('refuses a signature scoped to another service', async () => {
    const signer = new SignatureV4({ service: 'mobiletargeting', region: 'us-east-1', credentials: TEST_KEY, sha256: NodeSha256 });
    const url = new URL(app.httpUrl);
    const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/v2/email/account', headers: { host: url.host } });
    const res = await fetch(`${app.httpUrl}/v2/email/account`, { headers: signed.headers as Record<string, string> });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ message: expect.stringContaining("scoped to correct service: 'ses'") });
  });
});
