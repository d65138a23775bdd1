// What a new SMTP user sees: the start line with the SMTP listeners, the note about the
// self-signed certificate, and `sesd smtp-password` giving a password the listener accepts.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpPassword } from '../../src/smtp/smtp-password.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { TEST_KEY } from '../support/sesd.js';

const CLI = ['--import', 'tsx', join(import.meta.dirname, '../../src/cli/main.ts')];

describe('the sesd command and SMTP', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
  });
  afterAll(async () => db.drop());

  const env = () => ({
    ...process.env,
    SESD_HTTP_PORT: '0',
    SESD_SMTP_PORT: '0',
    SESD_SMTPS_PORT: '0',
    SESD_DATA_DIR: db.dataDir,
    SESD_REGION: 'eu-west-1',
    SESD_ACCESS_KEYS: `${TEST_KEY.accessKeyId}:${TEST_KEY.secretAccessKey}`,
  });

  it('prints the SMTP listeners on the start line, says it made a certificate, and takes the password `sesd smtp-password` prints', async () => {
    const child = spawn(process.execPath, [...CLI, 'start'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const output = await new Promise<string>((resolve, reject) => {
        let seen = '';
        child.stdout.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          if (/^sesd listening .*\n/m.test(seen)) resolve(seen);
        });
        child.once('exit', (code) => reject(new Error(`sesd exited with ${code}: ${seen}`)));
      });
      expect(output).toMatch(/^sesd listening http=http:\/\/127\.0\.0\.1:\d+ smtp=smtp:\/\/127\.0\.0\.1:\d+ smtps=smtps:\/\/127\.0\.0\.1:\d+ console=http:\/\/127\.0\.0\.1:\d+\/$/m);
      expect(output).toContain(`sesd SMTP TLS: self-signed certificate ${join(db.dataDir, 'tls', 'smtp-cert.pem')} (created now)`);
      const smtpUrl = new URL(/ smtp=(\S+)/.exec(output)![1]!);

      const password = execFileSync(process.execPath, [...CLI, 'smtp-password', TEST_KEY.accessKeyId], { env: env() }).toString().trim();
      expect(password).toBe(smtpPassword(TEST_KEY.secretAccessKey, 'eu-west-1'));
      const info = await nodemailer
        .createTransport({
          host: smtpUrl.hostname,
          port: Number(smtpUrl.port),
          requireTLS: true,
          auth: { user: TEST_KEY.accessKeyId, pass: password },
          tls: { rejectUnauthorized: false },
        })
        .sendMail({ from: 'cli@example.com', to: 'x@example.net', subject: 'via the CLI password', text: 'hi' });
      expect(info.response).toMatch(/^250 Ok 01[0-9a-f]{14}-/);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('refuses to print a password for a key it does not have', () => {
    expect(() => execFileSync(process.execPath, [...CLI, 'smtp-password', 'AKIDNOSUCHKEY'], { env: env(), stdio: 'pipe' })).toThrow(/no access key AKIDNOSUCHKEY/);
  });
});
