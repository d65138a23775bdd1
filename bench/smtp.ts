// SMTP submission throughput, sesd against Postfix's smtpd in the same run: messages per second
// over 20 (by default) concurrent sessions, each sending pre-built ~1.2 kB messages one after
// another (MAIL, RCPT, DATA) with bench/smtp-client.ts, a client that does not wait on the
// server's delayed ACK. sesd gets authenticated STARTTLS sessions and answers `250` only after the
// commit; Postfix (a private instance, bench/postfix-peer.ts) gets plain sessions from a trusted
// network and answers `250` after its queue file is on disk, then discards the message. Target:
// sesd ≥ 2× Postfix's msg/s with p99 < 20 ms.
//
// Both servers run throughout and are measured in alternating rounds (each loads one, then the
// other); the ratio is the median of the rounds' ratios.
//
//   npx tsx bench/smtp.ts [--duration 12 --rounds 3 --warmup 5 --connections 20]   (after npm run build)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { smtpPassword } from '../src/smtp/smtp-password.js';
import { startPostfix } from './postfix-peer.js';
import { settle } from './cpu-share.js';
import { countSqliteMessages, readProc } from './process-stats.js';
import { sesdSettings } from './sesd-settings.js';
import { combineWindows, failedRow, REWARM_S, roundRatios, type BenchRow, type MeasuredWindow } from './windows.js';
import { benchRawMessage } from './bench-messages.js';
import { SmtpBenchSession, wireMessage, type SmtpSessionOptions, type WireMessage } from './smtp-client.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SESD_MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const ACCESS_KEY_ID = 'AKIABENCHSMTPBENCH00';
const SECRET_ACCESS_KEY = randomBytes(30).toString('base64').replace(/[+/]/g, 'x');
const REGION = 'us-east-1';
const POOL_SIZE = 200;
const START_TIMEOUT_MS = 30_000;
const CLK_TCK = 100;
const POSTFIX_DIR = '/tmp/sesd-bench-postfix-smtpd';
const TARGET_RATIO = 2;
const TARGET_P99_MS = 20;

export interface SmtpBenchOptions {
  /** Measured seconds per target, split evenly between the rounds. */
  durationS: number;
  /** Rounds: each loads every target in turn; the ratio is the median of the rounds' ratios. */
  rounds: number;
  /** Uncounted seconds before a target's first window (later ones: REWARM_S). */
  warmupS: number;
  /** Concurrent authenticated STARTTLS connections (20 unless told). */
  connections?: number;
  /** A second sesd measured in the same rounds: another build's main.js, and SESD_* settings over the bench's. */
  compare?: { main: string; env: Record<string, string> };
}

/** The machine under test as `measure` sees it. */
interface Target {
  name: string;
  open(): Promise<SmtpBenchSession>;
  /** The processes whose CPU counts as the server's. */
  pids(): number[];
  dead(): boolean;
  /** What a sesd wrote to stderr last, for the error when it died. */
  stderrTail?(): string;
}

/** One measured window of a target, with every message its sessions had answered 250 (warm-up included). */
type Window = MeasuredWindow & { totalAccepted: number };

/** A target measured in rounds (none when it did not start), and what its windows measured. */
interface Contender {
  name: string;
  /** sesd, the compared sesd (`compare`), or the peer. */
  role: 'sesd' | 'compared' | 'peer';
  target?: Target;
  windows: Window[];
  failed?: string;
}

/**
 * sesd (fresh, SQLite, authenticated STARTTLS sessions) and, unless `skipPeer`, Postfix's smtpd
 * with the same client: plain sessions from a trusted network (no TLS, no AUTH: work sesd does and
 * Postfix is spared), accepted mail discarded by Postfix's queue manager as sesd's capture mode only
 * marks it. Both run throughout; each round loads one, then the other, so that a slow spell of a
 * shared machine does not fall on one side only. With `compare`, a second sesd (another build, other
 * settings) is loaded in the same rounds. `notes` gets the stored-message checks and why Postfix was
 * skipped.
 */
async function benchSmtpRounds(opts: SmtpBenchOptions, skipPeer: boolean, notes: string[]): Promise<Contender[]> {
  const connections = opts.connections ?? 20;
  const contenders: Contender[] = [];
  const sesds: { contender: Contender; server?: SesdProcess; dataDir: string }[] = [];
  let postfix: { stop(): void } | undefined;
  const enterSesd = async (name: string, role: Contender['role'], env: Record<string, string> = {}, main = SESD_MAIN): Promise<void> => {
    const contender: Contender = { name, role, windows: [] };
    const entry: (typeof sesds)[number] = { contender, dataDir: mkdtempSync(path.join(os.tmpdir(), 'sesd-bench-smtp-')) };
    sesds.push(entry);
    contenders.push(contender);
    try {
      const server = (entry.server = await startSesd(entry.dataDir, env, main));
      const session = sesdSession(server);
      contender.target = { name, open: () => SmtpBenchSession.open(session), pids: () => [server.pid], dead: server.dead, stderrTail: server.stderrTail };
    } catch (err) {
      contender.failed = errorText(err);
    }
  };
  try {
    await enterSesd(`sesd smtp (sqlite, STARTTLS+AUTH, ${connections} conn)`, 'sesd');
    if (opts.compare) await enterSesd('sesd smtp (compared)', 'compared', opts.compare.env, opts.compare.main);
    if (skipPeer) notes.push('postfix smtpd: skipped (--skip-peer)');
    else {
      const name = `postfix smtpd (plain, ${connections} conn)`;
      const instance = await startPostfix(POSTFIX_DIR, ['default_transport = discard:bench', 'smtpd_tls_security_level = none']);
      if ('skipped' in instance) notes.push(`postfix smtpd: skipped (${instance.skipped})`);
      else {
        postfix = instance;
        const session: SmtpSessionOptions = { host: '127.0.0.1', port: instance.port };
        contenders.push({ name, role: 'peer', target: { name, open: () => SmtpBenchSession.open(session), pids: instance.pids, dead: () => false }, windows: [] });
      }
    }
    const windowS = opts.durationS / opts.rounds;
    for (let round = 1; round <= opts.rounds; round++) {
      for (const c of contenders) {
        const target = c.target;
        if (!target || c.failed !== undefined) continue;
        const warmupS = round === 1 ? opts.warmupS : REWARM_S;
        process.stdout.write(`  round ${round}/${opts.rounds}  ${c.name}: warm-up ${warmupS} s, measuring ${+windowS.toFixed(2)} s ...`);
        try {
          const window = await measure(target, connections, warmupS, windowS);
          if (target.dead()) throw new Error(`${c.name} exited during the run\n${target.stderrTail?.() ?? ''}`);
          c.windows.push(window);
          const settledS = await settle(target.pids);
          process.stdout.write(` ${window.rate.toFixed(0)}/s${settledS >= 0.5 ? ` (idle again after ${settledS.toFixed(1)} s)` : ''}\n`);
        } catch (err) {
          c.failed = errorText(err);
          process.stdout.write(' FAILED\n');
        }
      }
    }
    for (const { contender, server, dataDir } of sesds) {
      if (!server || contender.failed !== undefined) continue;
      await server.stop();
      const answered = contender.windows.reduce((n, w) => n + w.totalAccepted, 0);
      const stored = await countSqliteMessages(dataDir);
      const ok = stored >= answered;
      notes.push(`${contender.name}: ${stored} messages in the store after stop, ${answered} answered 250 — ${ok ? 'all accepted mail stored' : 'MISSING ACCEPTED MAIL'}`);
      if (!ok) contender.failed = `${answered - stored} accepted messages missing from the store`;
    }
    return contenders;
  } finally {
    for (const { server, dataDir } of sesds) {
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    postfix?.stop();
  }
}

/** The row of a target's windows. */
function combined(c: Contender): BenchRow {
  if (c.failed !== undefined || c.windows.length === 0) return failedRow(c.name, c.failed);
  return { ...combineWindows(c.name, c.windows), totalAccepted: c.windows.reduce((n, w) => n + w.totalAccepted, 0) };
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

// ---------------------------------------------------------------------------------------------

export interface SesdProcess {
  pid: number;
  host: string;
  port: number;
  dead(): boolean;
  stderrTail(): string;
  stop(): Promise<void>;
}

/** `env`: settings over the bench's own (SESD_*); `main`: the sesd build to start (this one's unless told). */
export function startSesd(dataDir: string, env: Record<string, string> = {}, main = SESD_MAIN): Promise<SesdProcess> {
  if (!existsSync(main)) throw new Error(`${main} does not exist: run \`npm run build\` first`);
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SESD_') && k !== 'NODE_OPTIONS') childEnv[k] = v;
  Object.assign(childEnv, {
    NODE_ENV: 'production',
    SESD_HTTP_PORT: '0',
    SESD_SMTP_PORT: '0',
    SESD_SMTPS_PORT: 'off',
    SESD_DATA_DIR: dataDir,
    SESD_ACCESS_KEYS: `${ACCESS_KEY_ID}:${SECRET_ACCESS_KEY}`,
    SESD_REGION: REGION,
    SESD_LOG_LEVEL: 'warn',
    ...env,
  });
  // e.g. BENCH_SESD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile sesd under the load.
  const nodeArgs = (process.env.BENCH_SESD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, main, 'start'], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
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

/** An authenticated STARTTLS session with the bench's access key. */
export function sesdSession(server: SesdProcess): SmtpSessionOptions {
  return { host: server.host, port: server.port, starttls: true, auth: { user: ACCESS_KEY_ID, pass: smtpPassword(SECRET_ACCESS_KEY, REGION) } };
}

export function makeMessages(n: number): WireMessage[] {
  return Array.from({ length: n }, (_, i) => {
    const { raw, from, to } = benchRawMessage(i);
    return wireMessage(from, to, raw);
  });
}

/** Sum of the CPU ticks of `pids` now, by pid (a process that exits meanwhile takes its ticks along). */
function cpuTicks(pids: number[]): Map<number, number> {
  return new Map(pids.flatMap((pid) => {
    const proc = readProc(pid);
    return proc ? [[pid, proc.cpuTicks] as const] : [];
  }));
}

/** `connections` sessions sending one message after another: `warmupS` seconds not counted, then `durationS` measured. */
async function measure(target: Target, connections: number, warmupS: number, durationS: number): Promise<Window> {
  const messages = makeMessages(POOL_SIZE);
  const mainPid = target.pids()[0];
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
  const rss = () => (mainPid === undefined ? undefined : readProc(mainPid)?.rssKb);
  let rssStartKb: number | undefined;
  let rssEndKb: number | undefined;
  let ticksStart = new Map<number, number>();
  let serverTicks = 0;
  let cpuStart = process.cpuUsage();
  let cpuGen = process.cpuUsage(cpuStart);
  const sampler = setInterval(() => (rssMaxKb = Math.max(rssMaxKb, rss() ?? 0)), 500);

  const loop = async (): Promise<void> => {
    let session: SmtpBenchSession | undefined;
    while (phase !== 'done' && !target.dead()) {
      try {
        session ??= await target.open();
        const started = process.hrtime.bigint();
        const response = await session.send(messages[next++ % messages.length]!);
        if (!/^250 /.test(response)) throw new Error(`unexpected reply ${response}`);
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
        if (session?.broken !== false) {
          session?.destroy();
          session = undefined;
        }
      }
    }
    session?.quit();
  };

  const timeline = (async () => {
    await sleep(warmupS * 1000);
    phase = 'measure';
    t0 = process.hrtime.bigint();
    ticksStart = cpuTicks(target.pids());
    rssStartKb = rss();
    rssMaxKb = rssStartKb ?? 0;
    cpuStart = process.cpuUsage();
    await sleep(durationS * 1000);
    t1 = process.hrtime.bigint();
    for (const [pid, ticks] of cpuTicks(target.pids())) serverTicks += ticks - (ticksStart.get(pid) ?? 0);
    rssEndKb = rss();
    cpuGen = process.cpuUsage(cpuStart);
    phase = 'done';
  })();
  await Promise.all([timeline, ...Array.from({ length: connections }, loop)]);
  clearInterval(sampler);

  const elapsedS = Number(t1 - t0) / 1e9;
  return {
    elapsedS,
    latencies: Float64Array.from(latencies).sort(),
    rate: accepted / elapsedS,
    errors,
    firstError,
    rssStartKb,
    rssEndKb,
    rssMaxKb: rssMaxKb || undefined,
    serverCpu: ticksStart.size ? (serverTicks / CLK_TCK / elapsedS) * 100 : undefined,
    genCpu: ((cpuGen.user + cpuGen.system) / 1e6 / elapsedS) * 100,
    totalAccepted,
    perSecond: Array.from({ length: Math.round(elapsedS) }, (_, i) => perSecond[i] ?? 0),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Standalone: npx tsx bench/smtp.ts

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'skip-peer': { type: 'boolean' },
      // As bench/send-email.ts's: a second sesd (another build, other settings) in the same rounds.
      'compare-main': { type: 'string' },
      'compare-env': { type: 'string', multiple: true },
    },
  });
  const load = () => os.loadavg().map((v) => v.toFixed(2)).join(', ');
  process.stdout.write(`sesd SMTP benchmark — node ${process.version}, ${os.availableParallelism()} CPUs, load average ${load()}\n`);
  const notes: string[] = [];
  const opts: SmtpBenchOptions = {
    durationS: Number(values.duration ?? 12),
    rounds: Math.max(1, Math.floor(Number(values.rounds ?? 3))),
    // sesd reaches its steady rate after ~4 s of load (the JIT; bench/README.md): measured from 1 s,
    // its first window read 1,351/s against 1,820–1,830/s in the next two.
    warmupS: Number(values.warmup ?? 5),
    connections: Number(values.connections ?? 20),
    ...((values['compare-main'] !== undefined || values['compare-env'] !== undefined) && {
      compare: { main: path.resolve(values['compare-main'] ?? SESD_MAIN), env: sesdSettings('compare-env', values['compare-env']) },
    }),
  };
  const contenders = await benchSmtpRounds(opts, values['skip-peer'] ?? false, notes);
  const f = (n: number, d: number) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  const rows = contenders.map(combined);
  for (const row of rows) {
    if (row.failed) process.stdout.write(`${row.name} FAILED: ${row.failed}\n`);
    process.stdout.write(
      `${row.name}: ${f(row.rate, 0)} msg/s, p50 ${f(row.p50, 2)} ms, p99 ${f(row.p99, 2)} ms, max ${f(row.max, 1)} ms, ${row.errors} errors, ` +
        `cpu server ${row.serverCpu === undefined ? '-' : row.serverCpu.toFixed(0)}% / bench ${f(row.genCpu, 0)}%, rss ${row.rssStartKb ?? '-'}→${row.rssEndKb ?? '-'} kB\n`,
    );
    if (row.firstError) process.stdout.write(`  first error: ${row.firstError}\n`);
    process.stdout.write(`  per second: ${row.perSecond.join(' ')}\n`);
  }
  for (const note of notes) process.stdout.write(`${note}\n`);
  // The median of the rounds' ratios, each of two windows seconds apart.
  const windowsOf = (role: Contender['role']) => contenders.find((c) => c.role === role && c.failed === undefined)?.windows;
  const sesd = windowsOf('sesd');
  const peer = windowsOf('peer');
  const compared = roundRatios(windowsOf('compared'), sesd);
  if (compared.each.length > 0) process.stdout.write(`ratio compared/sesd by round: ${compared.each.map((x) => x.toFixed(2)).join(' ')} (median ${f(compared.median, 2)}x)\n`);
  const { each, median: ratio } = roundRatios(sesd, peer);
  const sesdRow = rows[contenders.findIndex((c) => c.role === 'sesd')]!;
  if (each.length > 0) process.stdout.write(`ratio sesd/postfix by round: ${each.map((x) => x.toFixed(2)).join(' ')}\n`);
  const verdict = Number.isFinite(ratio) ? (ratio >= TARGET_RATIO && sesdRow.p99 < TARGET_P99_MS && sesdRow.errors === 0 ? 'target met' : 'target not met') : 'target not checked (no peer)';
  process.stdout.write(`ratio sesd/postfix ${f(ratio, 2)}x (median of the rounds), sesd p99 ${f(sesdRow.p99, 2)} ms: ${verdict} (sesd ≥ ${TARGET_RATIO}x Postfix with p99 < ${TARGET_P99_MS} ms, no errors)\n`);
  process.stdout.write(`cpu: server = sesd's process / Postfix's master and its children; 100% = one core\nend: load average ${load()}\n`);
  process.exit(rows.some((row) => row.failed) ? 1 : 0);
}
