// SMTP submission throughput: messages per second over 20 (by default) concurrent authenticated
// STARTTLS connections to a fresh sesd (SQLite), each sending pre-built ~1.2 kB messages one after
// another (MAIL, RCPT, DATA; Nodemailer's SMTP client). A message counts once sesd answers
// `250 Ok <MessageId>`, which it does only after the commit.
//
//   npx tsx bench/smtp.ts [--duration 10 --warmup 1 --connections 20]   (after npm run build)
//
// bench/send-email.ts calls benchSmtp() so the figures print in the same table as HTTP's; the
// returned row has the same fields as that table's rows.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { smtpPassword } from '../src/smtp/smtp-password.js';
import { countSqliteMessages, readProc } from './process-stats.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SESD_MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const ACCESS_KEY_ID = 'AKIABENCHSMTPBENCH00';
const SECRET_ACCESS_KEY = randomBytes(30).toString('base64').replace(/[+/]/g, 'x');
const REGION = 'us-east-1';
const POOL_SIZE = 200;
const START_TIMEOUT_MS = 30_000;
const CLK_TCK = 100;

export interface SmtpBenchOptions {
  durationS: number;
  warmupS: number;
  /** Concurrent authenticated STARTTLS connections (20 unless told). */
  connections?: number;
  /** Lines for the report (stored-message check, errors). */
  notes?: string[];
}

/** The same fields as a row of bench/send-email.ts's table. */
export interface SmtpBenchRow {
  name: string;
  rate: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  firstError: string | undefined;
  rssStartKb: number | undefined;
  rssEndKb: number | undefined;
  rssMaxKb: number | undefined;
  serverCpu: number | undefined;
  genCpu: number;
  totalAccepted: number;
  perSecond: number[];
  failed?: string;
}

/** Runs the SMTP bench; never throws (a failure comes back as a row with `failed`). */
export async function benchSmtp(opts: SmtpBenchOptions): Promise<SmtpBenchRow> {
  const connections = opts.connections ?? 20;
  const name = `sesd smtp (sqlite, ${connections} conn)`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sesd-bench-smtp-'));
  let server: Awaited<ReturnType<typeof startSesd>> | undefined;
  try {
    server = await startSesd(dataDir);
    process.stdout.write(`  ${name}: warm-up ${opts.warmupS} s, measuring ${opts.durationS} s over ${connections} STARTTLS connections ...`);
    const row = await measure(name, server, connections, opts);
    process.stdout.write(` ${row.rate.toFixed(0)}/s\n`);
    await server.stop();
    const stored = await countSqliteMessages(dataDir);
    const ok = stored >= row.totalAccepted;
    opts.notes?.push(`${name}: ${stored} messages in the store after stop, ${row.totalAccepted} answered 250 — ${ok ? 'all accepted mail stored' : 'MISSING ACCEPTED MAIL'}`);
    if (!ok) row.failed = `${row.totalAccepted - stored} accepted messages missing from the store`;
    return row;
  } catch (err) {
    process.stdout.write('\n');
    return { ...emptyRow(name), failed: err instanceof Error ? err.message : String(err) };
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

interface SesdProcess {
  pid: number;
  host: string;
  port: number;
  dead(): boolean;
  stderrTail(): string;
  stop(): Promise<void>;
}

function startSesd(dataDir: string): Promise<SesdProcess> {
  if (!existsSync(SESD_MAIN)) throw new Error(`${SESD_MAIN} does not exist: run \`npm run build\` first`);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SESD_') && k !== 'NODE_OPTIONS') env[k] = v;
  Object.assign(env, {
    NODE_ENV: 'production',
    SESD_HTTP_PORT: '0',
    SESD_SMTP_PORT: '0',
    SESD_SMTPS_PORT: 'off',
    SESD_DATA_DIR: dataDir,
    SESD_ACCESS_KEYS: `${ACCESS_KEY_ID}:${SECRET_ACCESS_KEY}`,
    SESD_REGION: REGION,
    SESD_LOG_LEVEL: 'warn',
  });
  const child = spawn(process.execPath, [SESD_MAIN, 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-16_384)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const dead = () => child.exitCode !== null || child.signalCode !== null;
  const stop = async () => {
    if (dead()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  process.once('exit', () => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sesd did not start within ${START_TIMEOUT_MS / 1000} s\n${stdout}\n${stderr}`));
    }, START_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      const m = / smtp=smtp:\/\/(\[[^\]]+\]|[^\s:]+):(\d+)/.exec(stdout);
      if (!m) return;
      clearTimeout(timer);
      resolve({ pid: child.pid!, host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]), dead, stderrTail: () => stderr, stop });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sesd exited (${code}) before it was ready\n${stdout}\n${stderr}`));
    });
  });
}

function makeMessages(n: number): { to: string; raw: Buffer }[] {
  const paragraph =
    'This is a benchmark message from sesd/bench/smtp.ts. It carries a short plain-text body of roughly ' +
    'the size of a transactional notification, so that parsing, header handling and storage do some ' +
    'real work per message.\r\n';
  return Array.from({ length: n }, (_, i) => {
    const to = `recipient-${i}@example.net`;
    const raw = [
      'From: Bench Sender <bench@example.com>',
      `To: ${to}`,
      `Subject: Benchmark message ${i} (${randomBytes(4).toString('hex')})`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      `X-SES-MESSAGE-TAGS: bench=pool-${i % 10}`,
      '',
      `Hello recipient ${i},`,
      '',
      paragraph.repeat(4) + '-- \r\nsesd bench',
      '',
    ].join('\r\n');
    return { to, raw: Buffer.from(raw) };
  });
}

async function openConnection(server: SesdProcess): Promise<SMTPConnection> {
  const connection = new SMTPConnection({ host: server.host, port: server.port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false }, socketTimeout: 60_000 });
  connection.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => connection.connect((err) => (err ? reject(err) : resolve())));
  await new Promise<void>((resolve, reject) =>
    connection.login({ user: ACCESS_KEY_ID, pass: smtpPassword(SECRET_ACCESS_KEY, REGION) }, (err) => (err ? reject(err) : resolve())),
  );
  return connection;
}

function sendOne(connection: SMTPConnection, message: { to: string; raw: Buffer }): Promise<string> {
  return new Promise((resolve, reject) =>
    connection.send({ from: 'bench@example.com', to: [message.to] }, message.raw, (err, info) => (err ? reject(err) : resolve(info.response))),
  );
}

async function measure(name: string, server: SesdProcess, connections: number, opts: SmtpBenchOptions): Promise<SmtpBenchRow> {
  const messages = makeMessages(POOL_SIZE);
  let phase: 'warmup' | 'measure' | 'done' = 'warmup';
  let next = 0;
  let accepted = 0;
  let totalAccepted = 0;
  let errors = 0;
  let firstError: string | undefined;
  const latencies: number[] = [];
  const perSecond: number[] = [];
  let t0 = 0n;
  let t1 = 0n;
  let rssMaxKb = 0;
  let procStart: ReturnType<typeof readProc>;
  let procEnd: ReturnType<typeof readProc>;
  let cpuStart = process.cpuUsage();
  let cpuGen = process.cpuUsage(cpuStart);
  const sampler = setInterval(() => (rssMaxKb = Math.max(rssMaxKb, readProc(server.pid)?.rssKb ?? 0)), 500);

  const loop = async (): Promise<void> => {
    let connection: SMTPConnection | undefined;
    while (phase !== 'done' && !server.dead()) {
      try {
        connection ??= await openConnection(server);
        const started = process.hrtime.bigint();
        const response = await sendOne(connection, messages[next++ % messages.length]!);
        if (!/^250 Ok /.test(response)) throw new Error(`unexpected reply ${response}`);
        totalAccepted++;
        if (phase === 'measure') {
          accepted++;
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          const second = Math.floor(Number(process.hrtime.bigint() - t0) / 1e9);
          perSecond[second] = (perSecond[second] ?? 0) + 1;
        }
      } catch (err) {
        if (phase === 'measure') errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
        if (connection?.destroyed !== false) connection = undefined;
      }
    }
    connection?.quit();
  };

  const timeline = (async () => {
    await sleep(opts.warmupS * 1000);
    phase = 'measure';
    t0 = process.hrtime.bigint();
    procStart = readProc(server.pid);
    rssMaxKb = procStart?.rssKb ?? 0;
    cpuStart = process.cpuUsage();
    await sleep(opts.durationS * 1000);
    t1 = process.hrtime.bigint();
    procEnd = readProc(server.pid);
    cpuGen = process.cpuUsage(cpuStart);
    phase = 'done';
  })();
  await Promise.all([timeline, ...Array.from({ length: connections }, loop)]);
  clearInterval(sampler);
  if (server.dead()) throw new Error(`sesd exited during the run\n${server.stderrTail()}`);

  const elapsedS = Number(t1 - t0) / 1e9;
  const sorted = Float64Array.from(latencies).sort();
  const pct = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : NaN);
  return {
    name,
    rate: accepted / elapsedS,
    p50: pct(0.5),
    p99: pct(0.99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    errors,
    firstError,
    rssStartKb: procStart?.rssKb,
    rssEndKb: procEnd?.rssKb,
    rssMaxKb: rssMaxKb || undefined,
    serverCpu: procStart && procEnd ? ((procEnd.cpuTicks - procStart.cpuTicks) / CLK_TCK / elapsedS) * 100 : undefined,
    genCpu: ((cpuGen.user + cpuGen.system) / 1e6 / elapsedS) * 100,
    totalAccepted,
    perSecond: Array.from({ length: Math.round(elapsedS) }, (_, i) => perSecond[i] ?? 0),
  };
}

/** VmRSS (kB) and CPU ticks of a process; undefined without /proc. */
function emptyRow(name: string): SmtpBenchRow {
  return { name, rate: NaN, p50: NaN, p99: NaN, max: NaN, errors: 0, firstError: undefined, rssStartKb: undefined, rssEndKb: undefined, rssMaxKb: undefined, serverCpu: undefined, genCpu: NaN, totalAccepted: 0, perSecond: [] };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Standalone: npx tsx bench/smtp.ts

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { duration: { type: 'string' }, warmup: { type: 'string' }, connections: { type: 'string' } } });
  const load = () => os.loadavg().map((v) => v.toFixed(2)).join(', ');
  process.stdout.write(`sesd SMTP benchmark — node ${process.version}, ${os.availableParallelism()} CPUs, load average ${load()}\n`);
  const notes: string[] = [];
  const row = await benchSmtp({ durationS: Number(values.duration ?? 10), warmupS: Number(values.warmup ?? 1), connections: Number(values.connections ?? 20), notes });
  const f = (n: number, d: number) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  if (row.failed) process.stdout.write(`FAILED: ${row.failed}\n`);
  process.stdout.write(
    `${row.name}: ${f(row.rate, 0)} msg/s, p50 ${f(row.p50, 2)} ms, p99 ${f(row.p99, 2)} ms, max ${f(row.max, 1)} ms, ${row.errors} errors, ` +
      `cpu server ${row.serverCpu === undefined ? '-' : row.serverCpu.toFixed(0)}% / bench ${f(row.genCpu, 0)}%, rss ${row.rssStartKb ?? '-'}→${row.rssEndKb ?? '-'} kB\n`,
  );
  if (row.firstError) process.stdout.write(`first error: ${row.firstError}\n`);
  process.stdout.write(`per second: ${row.perSecond.join(' ')}\n${notes.join('\n')}\nend: load average ${load()}\n`);
  process.exit(row.failed ? 1 : 0);
}
