// The `sesd` command as an operator meets it: --version and per-command help, configuration
// mistakes refused at start, one `sesd start` per SQLite database, private data-dir permissions,
// and `sesd keys list|rotate|delete`, `smtp-password` and `account set` with their defaults.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpPassword } from '../../src/smtp/smtp-password.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { spawnSesd } from '../support/sesd-process.js';

const CLI = ['--import', 'tsx', join(import.meta.dirname, '../../src/cli/main.ts')];
const PORTS = { SESD_HTTP_PORT: '0', SESD_SMTP_PORT: '0', SESD_SMTPS_PORT: '0' };

function sesd(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [...CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the sesd command for operators', { timeout: 600_000 }, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
  });
  afterAll(async () => db.drop());

  it('prints its version, and a command\'s own options before the data location, without the server options', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(sesd(['--version']).stdout.trim()).toBe(pkg.version);
    const help = sesd(['keys', 'create', '--help']).stdout;
    expect(help.indexOf('--account <id>')).toBeGreaterThan(0);
    expect(help.indexOf('--account <id>')).toBeLessThan(help.indexOf('--data-dir <dir>'));
    expect(help).not.toContain('--smtp-max-connections');
    expect(sesd(['start', '--help']).stdout).toContain('--smtp-max-connections');
  });

  it('refuses to start with a misspelt variable, relay mode without a smarthost, or a database it cannot use', () => {
    const dir = { SESD_DATA_DIR: db.dataDir, ...PORTS };
    const typo = sesd(['start'], { ...dir, SESD_DELIVERY_MOD: 'mx' });
    expect(typo.status).toBe(1);
    expect(typo.stderr).toContain('unknown environment variable SESD_DELIVERY_MOD; did you mean SESD_DELIVERY_MODE?');
    const relay = sesd(['start'], { ...dir, SESD_DELIVERY_MODE: 'relay' });
    expect(relay.status).toBe(1);
    expect(relay.stderr).toContain('delivery.mode relay needs a smarthost');
    const mysql = sesd(['start'], { ...dir, SESD_DATABASE_URL: 'mysql://root@127.0.0.1/sesd' });
    expect(mysql.status).toBe(1);
    expect(mysql.stderr).toContain('not mysql:');
  });

  it('refuses a second `sesd start` on the same SQLite database, takes over a stale lock, and keeps the data dir private', async () => {
    const dataDir = join(db.dataDir, 'locked');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    // A lock left by a process that is gone (kill -9, crash).
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(dataDir, 'sesd.db.lock'), `${gone}\n`);
    const first = await spawnSesd({ ...PORTS, SESD_DATA_DIR: dataDir }, 120_000);
    try {
      expect(first.stdout()).toContain(`sesd data dir ${dataDir} was readable by others: now 0700`);
      expect(readFileSync(join(dataDir, 'sesd.db.lock'), 'utf8').trim()).toBe(String(first.child.pid));
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dataDir, 'sesd.db')).mode & 0o777).toBe(0o600);
      expect(statSync(join(dataDir, 'credentials')).mode & 0o777).toBe(0o600);

      const second = sesd(['start'], { ...PORTS, SESD_DATA_DIR: dataDir });
      expect(second.status).toBe(1);
      expect(second.stderr).toContain(`another sesd (pid ${first.child.pid}) is running on ${join(dataDir, 'sesd.db')}`);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
    // A clean shutdown removes its lock.
    expect(() => statSync(join(dataDir, 'sesd.db.lock'))).toThrow();
  });

  it('lists, rotates and deletes keys; smtp-password and account set default to the credentials file and the default account', async () => {
    const dataDir = join(db.dataDir, 'keys');
    const first = await spawnSesd({ ...PORTS, SESD_DATA_DIR: dataDir }, 120_000);
    first.child.kill('SIGTERM');
    await first.exited;
    const env = { SESD_DATA_DIR: dataDir, SESD_REGION: 'eu-west-1' };
    const credentials = () => {
      const text = readFileSync(join(dataDir, 'credentials'), 'utf8');
      return { id: /aws_access_key_id = (\S+)/.exec(text)![1]!, secret: /aws_secret_access_key = (\S+)/.exec(text)![1]! };
    };
    const original = credentials();

    const list = sesd(['keys', 'list'], env);
    expect(list.stdout).toMatch(new RegExp(`^${original.id}\\s+000000000000\\s+first start\\s+\\S+\\s+${join(dataDir, 'credentials')}$`, 'm'));
    expect(list.stdout).not.toContain(original.secret);
    expect(sesd(['smtp-password'], env).stdout.trim()).toBe(smtpPassword(original.secret, 'eu-west-1'));

    const rotated = sesd(['keys', 'rotate'], env);
    expect(rotated.status).toBe(0);
    const renewed = credentials();
    expect(renewed.id).not.toBe(original.id);
    expect(rotated.stdout).toContain(`AccessKeyId=${renewed.id}`);
    expect(rotated.stderr).toContain(`${original.id} still works: delete it with \`sesd keys delete ${original.id}\``);

    expect(sesd(['keys', 'delete', original.id], env).stdout).toContain(`deleted ${original.id}`);
    const after = JSON.parse(sesd(['keys', 'list', '--json'], env).stdout) as { accessKeyId: string; credentialsFile: boolean }[];
    expect(after.map((k) => [k.accessKeyId, k.credentialsFile])).toEqual([[renewed.id, true]]);
    expect(sesd(['keys', 'delete', original.id], env).stderr).toContain(`no access key ${original.id}`);

    const account = JSON.parse(sesd(['account', 'set', '--max-send-rate', '5'], env).stdout) as { accountId: string; maxSendRate: number };
    expect(account).toMatchObject({ accountId: '000000000000', region: 'eu-west-1', maxSendRate: 5 });
    expect(JSON.parse(execFileSync(process.execPath, [...CLI, 'account', 'show'], { env: { ...process.env, ...env } }).toString())).toMatchObject({ maxSendRate: 5 });
  });
});
