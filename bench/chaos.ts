// Chaos: sends through SES v2, SES v1 and SMTP while the database and the network misbehave, and
// checks that sesd stays up, answers "try again" while it cannot store, recovers by itself and
// has stored every message it acknowledged (issue 11). Not a CI test.
//
//   npm run chaos [-- --duration 60 --concurrency 4 --flood 2000]
//   npm run chaos -- --database-url postgres://postgres@127.0.0.1:5432/test   (or SESD_TEST_DATABASE_URL)
//
// Runs sesd (a child process, `src/cli/main.ts start` under tsx) on SQLite and, when a PostgreSQL
// URL is given, on PostgreSQL (a fresh schema, dropped afterwards). During `duration` seconds of
// load it, in turn:
//   - PostgreSQL: terminates sesd's backends (pg_terminate_backend) every 3 s;
//   - SQLite: fills the disk of the data dir for 8 s (a 32 MB tmpfs mounted for the run: needs
//     root and the right to mount; without it that phase is skipped, and says so);
//   - both: opens `flood` idle connections to the HTTP and SMTP listeners and holds them 10 s.
// Then it stops the load, waits for every channel to send again (30 s at most), and counts the
// acknowledged MessageIds missing from the database.
// Prints accepted / lost / errors per run; exits 1 on any loss, a crash or no recovery.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { fillDisk } from '../test/support/fill-disk.js';
import { missingMessages, SendLoad, type Channel } from '../test/support/send-load.js';
import { spawnSesd, type SesdProcess } from '../test/support/sesd-process.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '4' },
    flood: { type: 'string', default: '2000' },
    'database-url': { type: 'string', default: process.env.SESD_TEST_DATABASE_URL ?? '' },
    'skip-sqlite': { type: 'boolean', default: false },
  },
});
const DURATION_MS = Number(args.duration) * 1000;
const CONCURRENCY = Number(args.concurrency);
const FLOOD = Number(args.flood);
const KEY = { accessKeyId: 'AKIACHAOSCHAOSCHAOS0', secretAccessKey: randomBytes(30).toString('base64url') };
const REGION = 'us-east-1';
const CHANNELS: Channel[] = ['sesv2', 'ses', 'smtp'];
const RECOVERY_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

interface RunResult {
  label: string;
  accepted: number;
  lost: number;
  failures: Record<string, number>;
  crashed: boolean;
  recovered: boolean;
  notes: string[];
}

function env(dataDir: string, databaseUrl: string): Record<string, string> {
  return {
    SESD_HTTP_PORT: '0',
    SESD_SMTP_PORT: '0',
    SESD_SMTPS_PORT: 'off',
    SESD_DATA_DIR: dataDir,
    SESD_DATABASE_URL: databaseUrl,
    SESD_ACCESS_KEYS: `${KEY.accessKeyId}:${KEY.secretAccessKey}`,
    SESD_LOG_LEVEL: 'warn',
  };
}

/** Opens `n` connections to each listener, sends nothing, and closes them after `holdMs`. */
async function flood(sesd: SesdProcess, n: number, holdMs: number): Promise<string> {
  const targets = [new URL(sesd.httpUrl), ...(sesd.smtpUrl ? [new URL(sesd.smtpUrl)] : [])];
  const sockets: net.Socket[] = [];
  let refused = 0;
  await Promise.all(
    targets.flatMap((u) =>
      Array.from({ length: n }, () =>
        new Promise<void>((resolve) => {
          const s = net.connect({ host: u.hostname, port: Number(u.port) });
          s.on('error', () => {
            refused++;
            resolve();
          });
          s.once('connect', () => resolve());
          s.on('data', () => undefined);
          sockets.push(s);
        }),
      ),
    ),
  );
  await sleep(holdMs);
  const closedBySesd = sockets.filter((s) => s.destroyed || s.readableEnded).length;
  for (const s of sockets) s.destroy();
  return `${sockets.length} idle connections held ${holdMs / 1000} s (${refused} refused or reset, ${closedBySesd} closed by sesd meanwhile)`;
}

async function waitForRecovery(load: SendLoad): Promise<{ recovered: boolean; ids: string[] }> {
  const ids: string[] = [];
  const deadline = Date.now() + RECOVERY_MS;
  for (const channel of CHANNELS) {
    for (;;) {
      const r = await load.sendOne(channel);
      if ('messageId' in r) {
        ids.push(r.messageId);
        break;
      }
      if (Date.now() > deadline) return { recovered: false, ids };
      await sleep(250);
    }
  }
  return { recovered: true, ids };
}

async function run(label: string, db: { dataDir: string; databaseUrl: string }, faults: (sesd: SesdProcess, notes: string[]) => Promise<void>): Promise<RunResult> {
  say(`${label}: starting sesd`);
  const sesd = await spawnSesd(env(db.dataDir, db.databaseUrl), 60_000);
  const notes: string[] = [];
  const target = { httpUrl: sesd.httpUrl, smtpUrl: sesd.smtpUrl, credentials: KEY, region: REGION };
  const load = new SendLoad(target, { channels: CHANNELS, concurrency: CONCURRENCY });
  const started = Date.now();
  try {
    await faults(sesd, notes);
  } catch (err) {
    await load.stop();
    sesd.child.kill('SIGKILL');
    throw err;
  }
  const rest = DURATION_MS - (Date.now() - started);
  if (rest > 0) await sleep(rest);
  const totals = await load.stop();
  const probe = new SendLoad(target, { channels: [], concurrency: 1 });
  const { recovered, ids } = await waitForRecovery(probe);
  await probe.stop();
  const crashed = sesd.child.exitCode !== null || sesd.child.signalCode !== null;
  if (crashed) notes.push(`sesd exited (${sesd.child.exitCode ?? sesd.child.signalCode}):\n${sesd.stderr().slice(-3000)}`);
  sesd.child.kill('SIGTERM');
  await Promise.race([sesd.exited, sleep(10_000)]);
  sesd.child.kill('SIGKILL');
  const acknowledged = [...totals.accepted, ...ids];
  const lost = (await missingMessages(db, acknowledged)).length;
  return { label, accepted: acknowledged.length, lost, failures: totals.failures, crashed, recovered, notes };
}

async function terminateBackendsEvery(adminUrl: string, appName: string, everyMs: number, untilMs: number, notes: string[]): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  let killed = 0;
  let rounds = 0;
  try {
    for (const end = Date.now() + untilMs; Date.now() < end; rounds++) {
      await sleep(everyMs);
      const { rows } = await admin.query<{ n: number }>('SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1', [appName]);
      killed += rows[0]!.n;
    }
  } finally {
    await admin.end();
  }
  notes.push(`terminated ${killed} PostgreSQL backends in ${rounds} rounds`);
}

async function sqliteRun(): Promise<RunResult> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sesd-chaos-'));
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', dataDir], { stdio: 'pipe' });
    mounted = true;
  } catch (err) {
    say(`SQLite: cannot mount a tmpfs (${String((err as { stderr?: Buffer }).stderr ?? err).trim()}); the full-disk phase is skipped`);
  }
  try {
    return await run('SQLite', { dataDir, databaseUrl: '' }, async (sesd, notes) => {
      await sleep(5_000);
      if (mounted) {
        const freeSpace = fillDisk(dataDir);
        say('SQLite: disk full');
        await sleep(8_000);
        freeSpace();
        say('SQLite: disk space freed');
        notes.push('the data dir was full for 8 s');
      }
      await sleep(5_000);
      say(`SQLite: flooding with ${FLOOD} idle connections per listener`);
      notes.push(await flood(sesd, FLOOD, 10_000));
    });
  } finally {
    if (mounted) execFileSync('umount', ['-l', dataDir]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function postgresRun(baseUrl: string): Promise<RunResult> {
  const schema = `chaos_${randomBytes(6).toString('hex')}`;
  const appName = `sesd_${schema}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sesd-chaos-'));
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  url.searchParams.set('application_name', appName);
  try {
    return await run('PostgreSQL', { dataDir, databaseUrl: url.toString() }, async (sesd, notes) => {
      const killing = terminateBackendsEvery(baseUrl, appName, 3_000, DURATION_MS - 5_000, notes);
      await sleep(20_000);
      say(`PostgreSQL: flooding with ${FLOOD} idle connections per listener`);
      notes.push(await flood(sesd, FLOOD, 10_000));
      await killing;
    });
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const results: RunResult[] = [];
  if (!args['skip-sqlite']) results.push(await sqliteRun());
  if (args['database-url']) results.push(await postgresRun(args['database-url']));
  let ok = true;
  process.stdout.write('\n');
  for (const r of results) {
    const errors = Object.values(r.failures).reduce((a, b) => a + b, 0);
    const good = !r.crashed && r.recovered && r.lost === 0;
    ok &&= good;
    process.stdout.write(
      `${r.label}: accepted ${r.accepted}, lost ${r.lost}, errors ${errors}${r.crashed ? ', CRASHED' : ''}${r.recovered ? '' : ', DID NOT RECOVER'} → ${good ? 'ok' : 'FAILED'}\n` +
        Object.entries(r.failures)
          .sort((a, b) => b[1] - a[1])
          .map(([kind, n]) => `    ${String(n).padStart(6)}  ${kind}\n`)
          .join('') +
        r.notes.map((n) => `    ${n}\n`).join(''),
    );
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
