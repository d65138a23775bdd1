// Soak: sesd under steady SendEmail load for a long time, to show that memory and latency stay
// flat (issue 11, item 10). Not a CI test.
//
//   npx tsx bench/soak.ts [--duration 600] [--rate 300] [--concurrency 200] [--sample 60]
//                         [--database-url postgres://...]   (or SESD_TEST_DATABASE_URL)
//                         [--skip-sqlite] [--log-level info]
//
// For each database (SQLite always; PostgreSQL, in a fresh schema dropped afterwards, when a URL is
// given) it starts sesd (`src/cli/main.ts start` under tsx, delivery thread on, capture mode) and
// sends `rate` SigV4-signed SES v2 SendEmail requests per second over `concurrency` keep-alive
// connections (one per request loop). Every `sample` seconds it records sesd's RSS (the whole process, all threads) and the
// latency percentiles of that window, then prints one table per database and a verdict:
//   RSS flat:  the first sample is warm-up (JIT, caches, pools filling); of the others, the median
//              RSS of the last third is at most max(10%, 30 MB) above that of the first third.
//   p99 flat:  the median p99 of the last third of the samples is at most 1.5 x (+2 ms) that of the
//              first third (warm-up excluded).
// It also checks that every acknowledged message is stored. Exit code 1 when a verdict fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SignatureV4 } from '@smithy/signature-v4';
import pg from 'pg';
import { NodeSha256 } from '../test/support/node-sha256.js';
import { countSqliteMessages, readProc } from './process-stats.js';
import { mediansOfThirds, quantile } from './sample-stats.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'src', 'cli', 'main.ts');
const REGION = 'us-east-1';
const KEY = { accessKeyId: 'AKIASOAKSOAKSOAKSOAK', secretAccessKey: randomBytes(30).toString('base64url') };
const SEND_PATH = '/v2/email/outbound-emails';
const POOL_SIZE = 100;
const RESIGN_EVERY_MS = 60_000;

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '600' },
    rate: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '200' },
    sample: { type: 'string', default: '60' },
    'database-url': { type: 'string', default: process.env.SESD_TEST_DATABASE_URL ?? '' },
    'skip-sqlite': { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'info' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write('usage: npx tsx bench/soak.ts [--duration s] [--rate n/s] [--concurrency n] [--sample s] [--database-url URL] [--skip-sqlite]\n');
  process.exit(0);
}
const DURATION_S = Number(args.duration);
const RATE = Number(args.rate);
const CONCURRENCY = Number(args.concurrency);
const SAMPLE_S = Number(args.sample);

interface Sample {
  minute: number;
  rssMb: number;
  sent: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const signer = new SignatureV4({ service: 'ses', region: REGION, credentials: KEY, sha256: NodeSha256 });

function body(i: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      FromEmailAddress: 'Soak Sender <soak@example.com>',
      Destination: { ToAddresses: [`recipient-${i}@example.net`] },
      Content: { Simple: { Subject: { Data: `Soak message ${i}` }, Body: { Text: { Data: `Hello ${i},\n\n${'A steady stream of mail. '.repeat(20)}\n` } } } },
      EmailTags: [{ Name: 'soak', Value: `pool-${i % 10}` }],
    }),
  );
}

async function signPool(port: number): Promise<{ headers: Record<string, string>; body: Buffer }[]> {
  const signingDate = new Date();
  return Promise.all(
    Array.from({ length: POOL_SIZE }, async (_, i) => {
      const b = body(i);
      const signed = await signer.sign(
        { method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port, path: SEND_PATH, query: {}, headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json', 'content-length': String(b.length) }, body: b },
        { signingDate },
      );
      return { headers: signed.headers, body: b };
    }),
  );
}

function startSesd(env: Record<string, string>): Promise<{ child: ChildProcess; port: number; stderr: () => string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SESD_') && k !== 'NODE_OPTIONS'));
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start'], { cwd: ROOT, env: { ...clean, NODE_ENV: 'production', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-16_384)));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const m = /sesd listening http=http:\/\/[^\s]*:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), stderr: () => stderr });
    });
    child.once('exit', (code) => reject(new Error(`sesd exited (${code}) before it was ready\n${out}\n${stderr}`)));
  });
}


async function soak(label: string, databaseUrl: string, count: (dataDir: string) => Promise<number>): Promise<boolean> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sesd-soak-'));
  const sesd = await startSesd({
    SESD_HTTP_PORT: '0',
    SESD_SMTP_PORT: 'off',
    SESD_SMTPS_PORT: 'off',
    SESD_DATA_DIR: dataDir,
    SESD_DATABASE_URL: databaseUrl,
    SESD_ACCESS_KEYS: `${KEY.accessKeyId}:${KEY.secretAccessKey}`,
    // info, as in production: one log line per request, which sesd must write without piling up.
    SESD_LOG_LEVEL: args['log-level'],
  });
  // One keep-alive connection per loop, so that sesd holds `concurrency` client connections (a
  // shared agent would reuse the few sockets that are free at this rate).
  const agents = Array.from({ length: CONCURRENCY }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  let pool = await signPool(sesd.port);
  const resign = setInterval(() => void signPool(sesd.port).then((p) => (pool = p)), RESIGN_EVERY_MS);
  const started = performance.now();
  const end = started + DURATION_S * 1000;
  let next = 0; // the index of the next request; request i is due at started + i / RATE seconds
  let window: number[] = [];
  let windowErrors = 0;
  let accepted = 0;
  const errors = new Map<string, number>();
  const samples: Sample[] = [];
  process.stdout.write(`\n${label}: ${DURATION_S} s at ${RATE} SendEmail/s over ${CONCURRENCY} connections, a sample every ${SAMPLE_S} s\n`);

  const send = (i: number, agent: http.Agent): Promise<void> =>
    new Promise((resolve) => {
      const req = pool[i % pool.length]!;
      const t0 = performance.now();
      const done = (status: number, detail = '') => {
        window.push(performance.now() - t0);
        if (status === 200) accepted++;
        else {
          windowErrors++;
          const key = `${status} ${detail.slice(0, 80)}`;
          errors.set(key, (errors.get(key) ?? 0) + 1);
        }
        resolve();
      };
      const r = http.request({ host: '127.0.0.1', port: sesd.port, method: 'POST', path: SEND_PATH, headers: req.headers, agent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => done(res.statusCode ?? 0, text));
        res.on('error', (err) => done(0, err.message));
      });
      r.on('error', (err) => done(0, err.message));
      r.end(req.body);
    });

  const loops = agents.map(async (agent) => {
    for (;;) {
      const i = next++;
      const due = started + (i * 1000) / RATE;
      // Behind schedule (sesd slower than `rate`), the loops send back to back until the time is up.
      if (due >= end || performance.now() >= end) return;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await send(i, agent);
    }
  });

  const sampler = setInterval(() => {
    const sorted = window.sort((a, b) => a - b);
    const proc = readProc(sesd.child.pid!);
    const s: Sample = {
      minute: samples.length + 1,
      rssMb: proc ? proc.rssKb / 1024 : NaN,
      sent: sorted.length,
      errors: windowErrors,
      p50: quantile(sorted, 0.5),
      p95: quantile(sorted, 0.95),
      p99: quantile(sorted, 0.99),
      max: sorted.at(-1) ?? 0,
    };
    samples.push(s);
    window = [];
    windowErrors = 0;
    process.stdout.write(`  ${String(s.minute).padStart(3)}  RSS ${s.rssMb.toFixed(0).padStart(5)} MB  sent ${String(s.sent).padStart(6)}  errors ${String(s.errors).padStart(4)}  p50 ${s.p50.toFixed(1).padStart(6)}  p95 ${s.p95.toFixed(1).padStart(6)}  p99 ${s.p99.toFixed(1).padStart(6)}  max ${s.max.toFixed(0).padStart(5)} ms\n`);
  }, SAMPLE_S * 1000);

  await Promise.all(loops);
  clearInterval(sampler);
  clearInterval(resign);
  for (const agent of agents) agent.destroy();
  const alive = sesd.child.exitCode === null && sesd.child.signalCode === null;
  // Give the last group commit a moment, then count what is stored.
  await new Promise((r) => setTimeout(r, 500));
  sesd.child.kill('SIGTERM');
  await new Promise((r) => sesd.child.once('exit', r));
  const stored = await count(dataDir).catch(() => NaN);
  rmSync(dataDir, { recursive: true, force: true });

  // The verdicts (see the top of this file).
  const steady = samples.slice(1);
  const { first: rssFirst, last: rssLast } = mediansOfThirds(steady.map((s) => s.rssMb));
  const rssGrowth = rssLast - rssFirst;
  const rssFlat = steady.length >= 2 && rssGrowth <= Math.max(0.1 * rssFirst, 30);
  const { first: p99First, last: p99Last } = mediansOfThirds(steady.map((s) => s.p99));
  const p99Flat = steady.length >= 2 && p99Last <= p99First * 1.5 + 2;
  const lost = accepted - stored;
  process.stdout.write(
    `${label}: accepted ${accepted}, stored ${stored}${lost > 0 ? ` (LOST ${lost})` : ''}, errors ${[...errors.values()].reduce((a, b) => a + b, 0)}${errors.size ? ` ${JSON.stringify(Object.fromEntries(errors))}` : ''}\n` +
      `  RSS ${rssFirst.toFixed(0)} → ${rssLast.toFixed(0)} MB (median of the first and last third; ${rssGrowth >= 0 ? '+' : ''}${rssGrowth.toFixed(0)} MB): ${rssFlat ? 'flat' : 'NOT flat'}\n` +
      `  p99 ${p99First.toFixed(1)} → ${p99Last.toFixed(1)} ms (median of the first and last third): ${p99Flat ? 'flat' : 'NOT flat'}\n` +
      `  sesd ${alive ? 'ran to the end' : 'DIED'}${alive ? '' : `\n${sesd.stderr()}`}\n`,
  );
  return alive && rssFlat && p99Flat && !(lost > 0);
}

async function main(): Promise<number> {
  process.stdout.write(`sesd soak on ${os.availableParallelism()} CPUs, load average ${os.loadavg().map((v) => v.toFixed(2)).join(', ')}\n`);
  let ok = true;
  if (!args['skip-sqlite']) {
    ok = (await soak('SQLite', '', countSqliteMessages)) && ok;
  }
  const url = args['database-url'];
  if (url) {
    const schema = `soak_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    try {
      const schemaUrl = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      const count = async () => Number((await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.messages`)).rows[0]!.n);
      ok = (await soak('PostgreSQL', schemaUrl, count)) && ok;
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`soak failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
