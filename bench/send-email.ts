// SendEmail throughput benchmark: sesd against aws-ses-v2-local, in one run, with the same load.
//
//   npm run bench [-- --duration 12 --rounds 3 --concurrency 50 --warmup 5 --soak 20 --postgres URL]
//
// Each target is started as a child process on a free loopback port and gets the same pool of
// SigV4-signed SES v2 SendEmail requests (POST /v2/email/outbound-emails), sent by `concurrency`
// request loops: in each round every target in turn gets a window (a warm-up that is not counted,
// then the measured seconds), and a ratio is the median of the rounds' ratios. sesd then gets a
// longer soak at the same load, printing its RSS next to the mail accepted so far.
// With --postgres, sesd on PostgreSQL as one node, then as two API nodes and a delivery worker (three
// processes on one schema, the request loops split between the API nodes), with the CPU each
// accepted message costs in sesd and in PostgreSQL.
// See bench/README.md for how to read the output.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, randomBytes, type Hash, type Hmac } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, HttpRequest, SourceData } from '@smithy/types';
import { CONFIG_KEYS } from '../src/config/schema.js';
import { busyTicks, cpuTicksOf, idleShare, readMachineCpu, settle, ticksBetween, type MachineCpu } from './cpu-share.js';
import { countSqliteMessages, readMainThreadTicks, readProc } from './process-stats.js';
import { benchSendEmailInput } from './bench-messages.js';
import { mediansOfThirds } from './sample-stats.js';
import { sesdSettings } from './sesd-settings.js';
import { combineWindows, failedRow, overTime, REWARM_S, roundRatios, type BenchRow, type MeasuredWindow } from './windows.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SESD_MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const PEER_CLI = path.join(ROOT, 'node_modules', 'aws-ses-v2-local', 'dist', 'cli.js');
const SEND_PATH = '/v2/email/outbound-emails';
const REGION = 'us-east-1';
const ACCESS_KEY_ID = 'AKIABENCHBENCHBENCH0';
const SECRET_ACCESS_KEY = randomBytes(30).toString('base64').replace(/[+/]/g, 'x');
const SESD_LOG_LEVEL = 'warn';
const POOL_SIZE = 200;
const RESIGN_EVERY_MS = 60_000; // SigV4 signatures are accepted for 5 minutes
const RSS_EVERY_MS = 500;
const SOAK_REPORT_EVERY_MS = 5_000;
const START_TIMEOUT_MS = 30_000;
// Issue 18's target for the accept path: the in-memory peer's rate, while verifying SigV4 and committing durably.
const TARGET_RATIO = 1;
const TARGET_P99_MS = 20;
// "Flat" as bench/soak.ts defines it: the median RSS of the soak's last third of samples is at most
// 10% above that of its first third. A first and a last sample compared the GC's sawtooth rather
// than growth: one run measured +17.2% from a low point of the heap to a high one (247 → 289 MB,
// below the 303 MB peak before the soak), and a 60 s soak right after it -12.5%.
const FLAT_RSS_GROWTH = 0.1;
const CLK_TCK = 100; // /proc/<pid>/stat time unit on Linux
const PG_ONE_NODE = 'sesd (postgres)';
const PG_TWO_NODES = 'sesd (postgres, 2 nodes)';
const COMPARED = 'sesd (sqlite, compared)';
const COMPARED_PG = 'sesd (postgres, compared)';
const DELIVERY_THREAD_NICE = CONFIG_KEYS.find((key) => key.path === 'delivery.threadNice')!.default as number;
const TARGET_PG_VS_SQLITE = 0.8; // one node on PostgreSQL: at least 0.8x sesd on SQLite
const TARGET_TWO_NODES = 1.6; // two API nodes: at least 1.6x one node

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  durationS: number;
  rounds: number;
  warmupS: number;
  concurrency: number;
  soakS: number;
  postgresUrl: string | undefined;
  skipPeer: boolean;
  skipSesd: boolean;
  client: ClientKind;
  sesdNodeArgs: string[];
  /** SESD_* settings for the sesd under test, e.g. SESD_ROLE=api to measure intake without delivery. */
  sesdEnv: Record<string, string>;
  /** A second sesd (another build, other settings or node arguments), measured in the same rounds. */
  compare?: SesdVariant;
  /** The compared sesd runs on PostgreSQL (one node), and is compared with this build's one-node row. */
  comparePostgres: boolean;
  /** Each SendEmail carries an attachment of this many kB of random bytes (0: none). */
  attachmentKb: number;
}

/** What a sesd is started from: its main.js, SESD_* settings and node arguments. */
interface SesdVariant {
  main: string;
  env: Record<string, string>;
  nodeArgs: string[];
}

function usage(): string {
  return `usage: npm run bench -- [options]
  --duration <s>        measured seconds per target, split evenly between the rounds (BENCH_DURATION, default 12)
  --rounds <n>          rounds: each loads every target in turn for duration/rounds seconds; a ratio
                        is the median of the rounds' ratios (BENCH_ROUNDS, default 3)
  --warmup <s>          uncounted warm-up seconds before a target's first window (BENCH_WARMUP, default 5)
  --concurrency <n>     concurrent request loops / sockets (BENCH_CONCURRENCY, default 50)
  --soak <s>            sesd-only soak seconds after the measurement, 0 = none (BENCH_SOAK, default 20)
  --postgres <url>      also bench sesd on PostgreSQL, in a fresh schema (BENCH_DATABASE_URL)
  --skip-peer           do not run aws-ses-v2-local
  --skip-sesd           do not run sesd (to look at the peer alone)
  --client <http|raw>   raw: pre-built request bytes on one socket per loop, light on CPU (default);
                        http: node http.request over a keep-alive Agent (BENCH_CLIENT)
  --sesd-node-args=<a> extra node arguments for sesd, e.g. --sesd-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"
                        (BENCH_SESD_NODE_ARGS)
  --sesd-env <K=V>      a SESD_* setting for sesd, repeatable, e.g. --sesd-env SESD_ROLE=api
  --compare-main <path> also measure, in the same rounds, a sesd on SQLite started from another build's
                        dist/src/cli/main.js (e.g. a git worktree of the commit before a change)
  --compare-env <K=V>   a SESD_* setting for that sesd only, repeatable (with or without --compare-main)
  --compare-node-args=<a> node arguments for that sesd only, e.g. --compare-node-args="--max-semi-space-size=64"
  --compare-postgres    run that sesd on PostgreSQL (needs --postgres) and compare it with this build's one-node row
  --attachment-kb <n>   each SendEmail carries an attachment of n kB of random bytes (BENCH_ATTACHMENT_KB, default 0)`;
}

function parseClient(v: string): ClientKind {
  if (v === 'http' || v === 'raw') return v;
  throw new Error(`--client must be http or raw: ${v}`);
}

function parseOptions(): Options {
  try {
    return parseOptionsOrThrow();
  } catch (err) {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n${usage()}\n`);
    process.exit(2);
  }
}

function parseOptionsOrThrow(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      soak: { type: 'string' },
      postgres: { type: 'string' },
      'skip-peer': { type: 'boolean' },
      'skip-sesd': { type: 'boolean' },
      client: { type: 'string' },
      'sesd-node-args': { type: 'string' },
      'sesd-env': { type: 'string', multiple: true },
      'compare-main': { type: 'string' },
      'compare-env': { type: 'string', multiple: true },
      'compare-node-args': { type: 'string' },
      'compare-postgres': { type: 'boolean' },
      'attachment-kb': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(usage() + '\n');
    process.exit(0);
  }
  const env = process.env;
  const num = (name: string, raw: string | undefined, fallback: number, min: number): number => {
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}: ${raw}`);
    return n;
  };
  const nodeArgs = values['sesd-node-args'] ?? env.BENCH_SESD_NODE_ARGS ?? '';
  const splitArgs = (args: string) => args.split(/\s+/).filter(Boolean);
  const sesdEnv = sesdSettings('sesd-env', values['sesd-env']);
  const comparing = values['compare-main'] !== undefined || values['compare-env'] !== undefined || values['compare-node-args'] !== undefined;
  const compareMain = path.resolve(values['compare-main'] ?? SESD_MAIN);
  if (comparing && !existsSync(compareMain)) throw new Error(`--compare-main: ${compareMain} does not exist`);
  const postgresUrl = values.postgres ?? (env.BENCH_DATABASE_URL || undefined);
  const comparePostgres = values['compare-postgres'] ?? false;
  if (comparePostgres && !(comparing && postgresUrl)) throw new Error('--compare-postgres needs --postgres and a compared sesd (--compare-main, --compare-env or --compare-node-args)');
  return {
    durationS: num('duration', values.duration ?? env.BENCH_DURATION, 12, 0.1),
    rounds: Math.floor(num('rounds', values.rounds ?? env.BENCH_ROUNDS, 3, 1)),
    // Measured: sesd reaches its steady rate after ~4 s of this load (the JIT), the peer after ~1 s.
    warmupS: num('warmup', values.warmup ?? env.BENCH_WARMUP, 5, 0),
    concurrency: Math.floor(num('concurrency', values.concurrency ?? env.BENCH_CONCURRENCY, 50, 1)),
    soakS: num('soak', values.soak ?? env.BENCH_SOAK, 20, 0),
    postgresUrl,
    skipPeer: values['skip-peer'] ?? false,
    skipSesd: values['skip-sesd'] ?? false,
    // raw by default: on a 2-core machine the http client's own CPU (25–46% measured) is taken from
    // the servers it measures, from sesd's threads more than from the single-threaded peer.
    client: parseClient(values.client ?? env.BENCH_CLIENT ?? 'raw'),
    sesdNodeArgs: splitArgs(nodeArgs),
    sesdEnv,
    ...(comparing && {
      compare: {
        main: compareMain,
        env: { ...sesdEnv, ...sesdSettings('compare-env', values['compare-env']) },
        nodeArgs: splitArgs(values['compare-node-args'] ?? nodeArgs),
      },
    }),
    comparePostgres,
    attachmentKb: num('attachment-kb', values['attachment-kb'] ?? env.BENCH_ATTACHMENT_KB, 0, 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Cleanup: children are killed and temporary directories removed on every way out.

const children = new Set<ChildProcess>();
const tmpDirs = new Set<string>();
const asyncCleanups = new Set<() => Promise<void>>();
let interrupted = false;

function killAllNow(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
}

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}, stopping servers\n`);
    for (const child of children) child.kill('SIGKILL');
    const cleanups = [...asyncCleanups].map((f) => f().catch(() => undefined));
    const deadline = new Promise((resolve) => setTimeout(resolve, 5_000).unref());
    void Promise.race([Promise.all(cleanups), deadline]).finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// SigV4 signing with node:crypto, and the pool of signed requests

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The Hash/Checksum shape SignatureV4 wants (SHA-256, or HMAC-SHA-256 when given a secret). */
class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.make();
  }
  private make(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.make();
  }
}

const signer = new SignatureV4({
  service: 'ses',
  region: REGION,
  credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
  sha256: NodeSha256,
});

/**
 * Distinct SendEmail bodies (recipient, subject, text; with `attachmentKb`, an attachment of random
 * bytes, which compression does not shrink); the same bytes go to every target.
 */
function makeBodies(n: number, attachmentKb: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => {
    const input = benchSendEmailInput(i);
    const attachments = attachmentKb > 0 ? { Attachments: [{ FileName: `bench-${i}.bin`, RawContent: randomBytes(attachmentKb * 1024).toString('base64') }] } : {};
    return Buffer.from(JSON.stringify({ ...input, Content: { Simple: { ...input.Content.Simple, ...attachments } } }));
  });
}

interface SignedRequest {
  options: http.RequestOptions;
  body: Buffer;
  /** The whole HTTP/1.1 request (request line, headers, body) for the raw client. */
  wire: Buffer;
}

/** A pool of signed requests for one host:port, re-signed in the background before it expires. */
class SignedPool {
  entries: SignedRequest[] = [];
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly bodies: Buffer[],
    readonly port: number,
    private readonly agent: http.Agent,
  ) {}

  static async create(bodies: Buffer[], port: number, agent: http.Agent): Promise<SignedPool> {
    const pool = new SignedPool(bodies, port, agent);
    await pool.sign();
    pool.timer = setInterval(() => {
      pool.sign().catch((err: unknown) => process.stderr.write(`bench: re-signing failed: ${String(err)}\n`));
    }, RESIGN_EVERY_MS);
    pool.timer.unref();
    return pool;
  }

  private async sign(): Promise<void> {
    const host = `127.0.0.1:${this.port}`;
    const signingDate = new Date();
    const entries: SignedRequest[] = [];
    for (const body of this.bodies) {
      const request: HttpRequest = {
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: this.port,
        path: SEND_PATH,
        query: {},
        headers: {
          host,
          'content-type': 'application/json',
          'content-length': String(body.length),
          'user-agent': 'sesd-bench/1',
        },
        body,
      };
      const signed = await signer.sign(request, { signingDate });
      const head = Object.entries(signed.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      entries.push({
        options: { host: '127.0.0.1', port: this.port, method: 'POST', path: SEND_PATH, headers: signed.headers, agent: this.agent },
        body,
        wire: Buffer.concat([Buffer.from(`POST ${SEND_PATH} HTTP/1.1\r\n${head}connection: keep-alive\r\n\r\n`, 'latin1'), body]),
      });
    }
    this.entries = entries;
  }

  close(): void {
    clearInterval(this.timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Load generation

interface Reply {
  status: number;
  /** Only kept for non-200 answers and transport errors. */
  body?: string;
}

function send(req: SignedRequest): Promise<Reply> {
  return new Promise((resolve) => {
    const r = http.request(req.options, (res) => {
      const status = res.statusCode ?? 0;
      if (status === 200) {
        res.on('end', () => resolve({ status }));
        res.on('error', (err) => resolve({ status: 0, body: err.message }));
        res.resume();
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => resolve({ status: 0, body: err.message }));
    });
    r.on('error', (err) => resolve({ status: 0, body: `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}` }));
    r.end(req.body);
  });
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * `--client raw`: one keep-alive connection per request loop that writes the pre-built request bytes
 * and reads just enough of the answer (status line, Content-Length, body). Several times cheaper per
 * request than http.request, for when the load generator's CPU would otherwise cap the result.
 */
class RawConnection {
  private socket: net.Socket | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private pending: ((reply: Reply) => void) | undefined;

  constructor(private readonly port: number) {}

  request(wire: Buffer): Promise<Reply> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.buf = Buffer.alloc(0);
      (this.socket ?? this.connect()).write(wire);
    });
  }

  private connect(): net.Socket {
    const socket = net.connect({ host: '127.0.0.1', port: this.port, noDelay: true });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (why: string): void => {
      if (this.socket === socket) this.socket = undefined;
      socket.destroy();
      this.settle({ status: 0, body: why });
    };
    socket.on('error', (err: NodeJS.ErrnoException) => fail(`${err.code ?? ''} ${err.message}`));
    socket.on('close', () => fail('connection closed by the server'));
    this.socket = socket;
    return socket;
  }

  private settle(reply: Reply): void {
    const resolve = this.pending;
    this.pending = undefined;
    resolve?.(reply);
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const end = this.buf.indexOf(HEADER_END);
    if (end < 0) return;
    const head = this.buf.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!cl) {
      this.socket?.destroy();
      this.socket = undefined;
      this.settle({ status: 0, body: `raw client: answer without Content-Length: ${head.slice(0, 300)}` });
      return;
    }
    const bodyEnd = end + 4 + Number(cl[1]);
    if (this.buf.length < bodyEnd) return;
    const body = status === 200 ? undefined : this.buf.toString('utf8', end + 4, bodyEnd);
    this.buf = Buffer.alloc(0);
    if (/\r\nconnection:\s*close/i.test(head)) {
      this.socket?.removeAllListeners('close');
      this.socket?.destroy();
      this.socket = undefined;
    }
    this.settle({ status, body });
  }

  close(): void {
    this.socket?.removeAllListeners('close');
    this.socket?.destroy();
    this.socket = undefined;
  }
}

const nowNs = (): bigint => process.hrtime.bigint();

type ClientKind = 'http' | 'raw';

/**
 * Runs `concurrency` request loops until `stop()` says so; reports every completed request. With
 * several pools (one per API node), the loops are dealt out evenly between them.
 */
async function drive(
  pools: readonly SignedPool[],
  client: ClientKind,
  concurrency: number,
  stop: () => boolean,
  onReply: (reply: Reply, latencyMs: number) => void,
): Promise<void> {
  let next = 0;
  const loop = async (_: unknown, i: number): Promise<void> => {
    const pool = pools[i % pools.length]!;
    const raw = client === 'raw' ? new RawConnection(pool.port) : undefined;
    try {
      while (!stop()) {
        const entries = pool.entries;
        const req = entries[next++ % entries.length]!;
        const t0 = nowNs();
        const reply = raw ? await raw.request(req.wire) : await send(req);
        onReply(reply, Number(nowNs() - t0) / 1e6);
      }
    } finally {
      raw?.close();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
}

// ---------------------------------------------------------------------------------------------
// Child processes and /proc sampling

interface Server {
  name: string;
  child: ChildProcess;
  port: number;
  stderrTail(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Spawns a server and resolves once `ready` matches a stdout line (the match gives the port). */
function startServer(name: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp, portFrom: (m: RegExpExecArray) => number): Promise<Server> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stderr = '';
  let stdout = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    stderr = (stderr + s).slice(-16_384);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const server = (port: number): Server => ({
    name,
    child,
    port,
    stderrTail: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      children.delete(child);
    },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not report readiness within ${START_TIMEOUT_MS / 1000} s\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`));
    }, START_TIMEOUT_MS);
    let ok = false;
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      if (ok) return; // keep draining the pipe
      stdout += s;
      const m = ready.exec(stdout);
      if (m) {
        ok = true;
        clearTimeout(timer);
        resolve(server(portFrom(m)));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!ok) reject(new Error(`${name} exited (${signal ?? code}) before it was ready\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // A developer's own sesd settings or SMTP forwarding must not change what is measured.
    if (!k.startsWith('SESD_') && k !== 'SMTP_TRANSPORT' && k !== 'NODE_OPTIONS') env[k] = v;
  }
  return { ...env, NODE_ENV: 'production', ...extra };
}

type SesdServer = Server & { dataDir: string };

/** One `sesd start` with its own data dir; SESD_ROLE=worker has no listener and is ready once its worker runs (port 0). */
async function startSesd(label: string, databaseUrl: string, { main, nodeArgs, env: sesdEnv }: SesdVariant): Promise<SesdServer> {
  if (!existsSync(main)) throw new Error(`${main} does not exist: run \`npm run build\` first (npm run bench does)`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sesd-bench-'));
  tmpDirs.add(dataDir);
  const env = cleanEnv({
    SESD_HTTP_PORT: '0',
    SESD_HTTP_HOST: '127.0.0.1',
    SESD_SMTP_PORT: 'off',
    SESD_SMTPS_PORT: 'off',
    SESD_DATA_DIR: dataDir,
    SESD_DATABASE_URL: databaseUrl,
    SESD_ACCESS_KEYS: `${ACCESS_KEY_ID}:${SECRET_ACCESS_KEY}`,
    SESD_LOG_LEVEL,
    ...sesdEnv,
  });
  const args = [...nodeArgs, main, 'start'];
  const server =
    sesdEnv.SESD_ROLE === 'worker'
      ? await startServer(label, args, env, /sesd delivery worker \S+ running/, () => 0)
      : await startServer(label, args, env, /sesd listening http=http:\/\/[^\s]*:(\d+)/, (m) => Number(m[1]));
  return { ...server, dataDir };
}

/**
 * The sesd processes of one row, each added to `started` as soon as it runs (so that a failed start
 * still stops the others): one `sesd start` as --sesd-env says, or `apiNodes` API nodes and one
 * delivery worker, separate processes on the same database.
 */
async function startSesdTarget(label: string, databaseUrl: string, variant: SesdVariant, apiNodes: number, started: SesdServer[]): Promise<Target> {
  const start = async (name: string, env: Record<string, string>): Promise<SesdServer> => {
    const server = await startSesd(name, databaseUrl, { ...variant, env: { ...variant.env, ...env } });
    started.push(server);
    return server;
  };
  if (apiNodes === 0) return singleServer(await start(label, {}));
  const entries: SesdServer[] = [];
  // One after the other: the first migrates the fresh schema.
  for (let i = 1; i <= apiNodes; i++) entries.push(await start(`${label} api ${i}`, { SESD_ROLE: 'api' }));
  const worker = await start(`${label} worker`, { SESD_ROLE: 'worker' });
  // The delivery thread of a one-node sesd runs at delivery.threadNice so that answering goes first
  // when the CPU is short; the worker gets the same, or the two rows would weigh intake against
  // delivery differently. All its threads: on Linux a nice value is per thread.
  reniceThreads(worker.child.pid!, Number(variant.env.SESD_DELIVERY_THREAD_NICE ?? DELIVERY_THREAD_NICE));
  return { name: label, entries, processes: [...entries, worker] };
}

function reniceThreads(pid: number, nice: number): void {
  let tids: string[] = [String(pid)];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    // no /proc: the process's main thread only
  }
  for (const tid of tids) {
    try {
      os.setPriority(Number(tid), nice);
    } catch {
      // a thread that ended meanwhile
    }
  }
}

async function startPeer(): Promise<Server> {
  const port = await freePort();
  return startServer(
    'aws-ses-v2-local',
    [PEER_CLI, '--host', '127.0.0.1', '--port', String(port)],
    cleanEnv({}),
    /aws-ses-v2-local: server running at/,
    () => port,
  );
}

/** Reads VmRSS (kB) and CPU ticks of a server's processes from /proc, summed; undefined where /proc is missing. */
class ProcSampler {
  maxKb = 0;
  /** RSS of every sample since resetWindow() (one per RSS_EVERY_MS): the soak's verdict. */
  rssKbSeries: number[] = [];
  private timer: NodeJS.Timeout;
  constructor(private readonly pids: readonly number[]) {
    this.sample();
    this.timer = setInterval(() => this.sample(), RSS_EVERY_MS);
  }
  sample(): { rssKb: number; cpuTicks: number } | undefined {
    let sum: { rssKb: number; cpuTicks: number } | undefined = { rssKb: 0, cpuTicks: 0 };
    for (const pid of this.pids) {
      const p = readProc(pid);
      sum = p && sum && { rssKb: sum.rssKb + p.rssKb, cpuTicks: sum.cpuTicks + p.cpuTicks };
    }
    if (sum && sum.rssKb > this.maxKb) this.maxKb = sum.rssKb;
    if (sum) this.rssKbSeries.push(sum.rssKb);
    return sum;
  }
  resetWindow(): void {
    this.maxKb = 0;
    this.rssKbSeries = [];
    this.sample();
  }
  close(): void {
    clearInterval(this.timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Targets measured in alternating rounds: each round gives every target one window of the same
// length, one after the other, so that a ratio compares windows seconds apart. Measured one after
// the other in a single window each, a slow spell of a shared machine landed on one side: the peer
// once answered 2,054/s where it had answered 3,641/s minutes before, and the ratio read 1.02x.

interface Row extends BenchRow {
  soak?: { startKb: number; endKb: number; maxKb: number; firstThirdKb: number; lastThirdKb: number; accepted: number; verdictFlat: boolean } | undefined;
  /** CPU of the PostgreSQL processes serving the row (its backends and the server's own), 100% = one core. */
  pgCpu?: number | undefined;
  /** Share (0–1) of the machine's CPU time left idle over the window. */
  idle?: number | undefined;
  /** CPU the whole machine spent over the window, 100% = one core. */
  machineCpu?: number | undefined;
  /** CPU of the busiest main thread among the servers answering the requests, 100% = one core. */
  mainThreadCpu?: number | undefined;
}

/** What one row measures: the servers the request loops are split between, and every process whose CPU and RSS count. */
interface Target {
  name: string;
  entries: Server[];
  processes: Server[];
  /** The PostgreSQL processes working for the target, when it has a database (see PgSchema.backendPids). */
  pgPids?: () => Promise<number[]>;
}

const singleServer = (server: Server): Target => ({ name: server.name, entries: [server], processes: [server] });

const mb = (kb: number | undefined): string => (kb === undefined ? '-' : (kb / 1024).toFixed(0));

/** One measured window of a target, with the CPU of PostgreSQL and of the machine over it. */
interface Window extends MeasuredWindow {
  pgCpu: number | undefined;
  idle: number | undefined;
  machineCpu: number;
  mainThreadCpu: number | undefined;
}

/** A target under load: its signed request pools, its /proc sampler, and what its windows measured. */
class Contender {
  readonly windows: Window[] = [];
  /** Every 200 it answered: warm-ups and the soak included (each must be in the store). */
  totalAccepted = 0;
  soak: Row['soak'];
  failed: string | undefined;

  private constructor(
    readonly target: Target,
    private readonly pools: SignedPool[],
    private readonly sampler: ProcSampler,
    private readonly agent: http.Agent,
  ) {}

  static async create(target: Target, bodies: Buffer[], opts: Options): Promise<Contender> {
    const c = opts.concurrency;
    const agent = new http.Agent({ keepAlive: true, maxSockets: c, maxFreeSockets: c });
    // Each API node gets requests signed for its own Host (the port is part of the signature).
    const pools = await Promise.all(target.entries.map((server) => SignedPool.create(bodies, server.port, agent)));
    return new Contender(target, pools, new ProcSampler(target.processes.map((server) => server.child.pid!)), agent);
  }

  get name(): string {
    return this.target.name;
  }

  close(): void {
    this.sampler.close();
    for (const pool of this.pools) pool.close();
    this.agent.destroy();
  }

  private dead(): boolean {
    return this.target.processes.some((server) => server.child.exitCode !== null || server.child.signalCode !== null);
  }

  private stderrTail(): string {
    const { processes } = this.target;
    return processes.length === 1 ? processes[0]!.stderrTail() : processes.map((server) => `--- ${server.name} ---\n${server.stderrTail()}`).join('\n');
  }

  /** `warmupS` seconds of load not counted, then `durationS` measured. */
  async window(opts: Options, warmupS: number, durationS: number): Promise<Window> {
    const { target, sampler } = this;
    let errors = 0;
    let firstError: string | undefined;
    let accepted = 0;
    let latencies = new Float64Array(1 << 16);
    let phase: 'warmup' | 'measure' | 'done' = 'warmup';
    const perSecond: number[] = [];
    let t0 = 0n;
    let t1 = 0n;
    const onReply = (reply: Reply, ms: number): void => {
      if (reply.status === 200) this.totalAccepted++;
      if (phase !== 'measure') return;
      if (reply.status === 200) {
        if (accepted === latencies.length) {
          const bigger = new Float64Array(latencies.length * 2);
          bigger.set(latencies);
          latencies = bigger;
        }
        latencies[accepted++] = ms;
        const second = Math.floor(Number(nowNs() - t0) / 1e9);
        perSecond[second] = (perSecond[second] ?? 0) + 1;
      } else {
        errors++;
        firstError ??= `HTTP ${reply.status}: ${(reply.body ?? '').slice(0, 500)}`;
      }
    };
    let procStart: ReturnType<typeof readProc>;
    let procEnd: ReturnType<typeof readProc>;
    let machineStart: MachineCpu | undefined;
    let machineEnd: MachineCpu | undefined;
    let mainStart: (number | undefined)[] = [];
    let mainEnd: (number | undefined)[] = [];
    const mainThreads = (): (number | undefined)[] => target.entries.map((server) => readMainThreadTicks(server.child.pid!));
    // PostgreSQL's pids need a query: read a few ms after the window's edges, while the load goes on (start) or has stopped (end).
    let pgStart: Promise<Map<number, number> | undefined> = Promise.resolve(undefined);
    let pgEnd: Promise<Map<number, number> | undefined> = Promise.resolve(undefined);
    let cpuStart = process.cpuUsage();
    let cpuGen = process.cpuUsage(cpuStart);
    const started = new Promise<void>((resolve) =>
      setTimeout(() => {
        phase = 'measure';
        t0 = nowNs();
        sampler.resetWindow();
        procStart = sampler.sample();
        mainStart = mainThreads();
        machineStart = readMachineCpu();
        pgStart = pgTicks(target.pgPids);
        cpuStart = process.cpuUsage();
        resolve();
      }, warmupS * 1000),
    );
    const ended = started.then(
      () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            phase = 'done';
            t1 = nowNs();
            procEnd = sampler.sample();
            mainEnd = mainThreads();
            machineEnd = readMachineCpu();
            pgEnd = pgTicks(target.pgPids);
            cpuGen = process.cpuUsage(cpuStart);
            resolve();
          }, durationS * 1000),
        ),
    );
    await drive(this.pools, opts.client, opts.concurrency, () => phase === 'done' || this.dead(), onReply);
    if (this.dead()) throw new Error(`${target.name} exited during the run\n${this.stderrTail()}`);
    await ended;
    const elapsedS = Number(t1 - t0) / 1e9;
    const [pgTicksStart, pgTicksEnd] = await Promise.all([pgStart, pgEnd]);
    const window: Window = {
      elapsedS,
      rate: accepted / elapsedS,
      latencies: latencies.slice(0, accepted),
      errors,
      firstError,
      rssStartKb: procStart?.rssKb,
      rssEndKb: procEnd?.rssKb,
      rssMaxKb: sampler.maxKb || undefined,
      serverCpu: procStart && procEnd ? ((procEnd.cpuTicks - procStart.cpuTicks) / CLK_TCK / elapsedS) * 100 : undefined,
      genCpu: ((cpuGen.user + cpuGen.system) / 1e6 / elapsedS) * 100,
      pgCpu: pgTicksStart && pgTicksEnd ? (ticksBetween(pgTicksStart, pgTicksEnd) / CLK_TCK / elapsedS) * 100 : undefined,
      idle: idleShare(machineStart, machineEnd),
      machineCpu: ((busyTicks(machineStart, machineEnd) ?? NaN) / CLK_TCK / elapsedS) * 100,
      mainThreadCpu: busiestThread(mainStart, mainEnd, elapsedS),
      perSecond: Array.from({ length: Math.round(elapsedS) }, (_, i) => perSecond[i] ?? 0),
    };
    this.windows.push(window);
    return window;
  }

  /** The same load for `soakS` more seconds, printing RSS next to the mail accepted so far: whether memory tracks the store. */
  async soakFor(opts: Options, soakS: number): Promise<void> {
    const { sampler } = this;
    process.stdout.write(`  ${this.name}: soak ${soakS} s at concurrency ${opts.concurrency} (RSS every ${SOAK_REPORT_EVERY_MS / 1000} s)\n`);
    process.stdout.write(`      ${'t s'.padStart(5)}  ${'accepted so far'.padStart(15)}  ${'rate/s'.padStart(7)}  ${'rss MB'.padStart(7)}\n`);
    sampler.resetWindow();
    const startKb = sampler.sample()?.rssKb ?? 0;
    const soakStart = Date.now();
    let lastCount = this.totalAccepted;
    let lastT = soakStart;
    const line = (): void => {
      const now = Date.now();
      const rate = ((this.totalAccepted - lastCount) * 1000) / Math.max(1, now - lastT);
      const rss = sampler.sample()?.rssKb;
      process.stdout.write(
        `      ${((now - soakStart) / 1000).toFixed(0).padStart(5)}  ${String(this.totalAccepted).padStart(15)}  ${(now === soakStart ? '' : rate.toFixed(0)).padStart(7)}  ${mb(rss).padStart(7)}\n`,
      );
      lastCount = this.totalAccepted;
      lastT = now;
    };
    line();
    const ticker = setInterval(line, SOAK_REPORT_EVERY_MS);
    let soakErrors = 0;
    await drive(this.pools, opts.client, opts.concurrency, () => this.dead() || Date.now() - soakStart >= soakS * 1000, (reply) => {
      if (reply.status === 200) this.totalAccepted++;
      else soakErrors++;
    });
    clearInterval(ticker);
    if ((Date.now() - soakStart) % SOAK_REPORT_EVERY_MS > 500) line();
    const endKb = sampler.sample()?.rssKb ?? 0;
    const { first: firstThirdKb, last: lastThirdKb } = mediansOfThirds(sampler.rssKbSeries);
    this.soak = {
      startKb,
      endKb,
      maxKb: sampler.maxKb,
      firstThirdKb,
      lastThirdKb,
      accepted: this.totalAccepted,
      verdictFlat: firstThirdKb > 0 && lastThirdKb <= firstThirdKb * (1 + FLAT_RSS_GROWTH),
    };
    if (this.dead()) throw new Error(`${this.name} exited during the soak\n${this.stderrTail()}`);
    if (soakErrors > 0) process.stdout.write(`      soak errors: ${soakErrors}\n`);
  }

  /** The row of all its windows. */
  row(): Row {
    const ws = this.windows;
    if (this.failed !== undefined || ws.length === 0) return failedRow(this.name, this.failed);
    return {
      ...combineWindows(this.name, ws),
      pgCpu: overTime(ws, (w) => w.pgCpu),
      idle: overTime(ws, (w) => w.idle),
      machineCpu: overTime(ws, (w) => w.machineCpu),
      mainThreadCpu: overTime(ws, (w) => w.mainThreadCpu),
      totalAccepted: this.totalAccepted,
      soak: this.soak,
    };
  }
}

/** The largest share of a core one of these threads used between two readings (same order); undefined when none was read twice. */
function busiestThread(start: (number | undefined)[], end: (number | undefined)[], elapsedS: number): number | undefined {
  const shares = end.flatMap((ticks, i) => (ticks === undefined || start[i] === undefined ? [] : [((ticks - start[i]!) / CLK_TCK / elapsedS) * 100]));
  return shares.length > 0 ? Math.max(...shares) : undefined;
}

/** The PostgreSQL processes' CPU ticks by pid, read when `pgPids` is given. */
async function pgTicks(pgPids: (() => Promise<number[]>) | undefined): Promise<Map<number, number> | undefined> {
  if (!pgPids) return undefined;
  const ticks = cpuTicksOf(await pgPids());
  return ticks.size > 0 ? ticks : undefined; // none readable: PostgreSQL runs elsewhere (another host, a container)
}

// ---------------------------------------------------------------------------------------------
// Stored-message check: every accepted message must be in the store after sesd stops.

interface PgSchema {
  /** The base URL with the schema as search_path, and its name as application_name (to find sesd's backends). */
  url: string;
  name: string;
  count(): Promise<number>;
  /** Pids of sesd's backends on this schema and of the server's own processes (WAL writer, checkpointer, autovacuum). */
  backendPids(): Promise<number[]>;
  drop(): Promise<void>;
}

async function createPgSchema(baseUrl: string): Promise<PgSchema> {
  const { default: pg } = await import('pg');
  const name = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${name}`);
  let dropped = false;
  const drop = async (): Promise<void> => {
    if (dropped) return;
    dropped = true;
    asyncCleanups.delete(drop);
    try {
      await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    } finally {
      await admin.end();
    }
  };
  asyncCleanups.add(drop);
  const url = `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${name}`)}&application_name=${name}`;
  return {
    url,
    name,
    count: async () => Number((await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}.messages`)).rows[0]!.n),
    // Other sessions' backends on a shared server are left out; the server's own processes serve them
    // too, but under this load mostly the bench.
    backendPids: async () =>
      (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 OR backend_type <> 'client backend'`, [name])).rows.map(
        (r) => r.pid,
      ),
    drop,
  };
}

// ---------------------------------------------------------------------------------------------
// Main

/**
 * What a row's messages cost: CPU of the server's processes, of its busiest main thread and (for a
 * PostgreSQL row) of PostgreSQL's per accepted message; then the machine's idle share (near 0: the
 * CPUs are the limit) and the CPU of everything else on it (a shared machine's other work and the
 * kernel's, not this bench's).
 */
function cpuPerMessage(r: Row): string {
  const perMessage = (cpu: number | undefined): string =>
    cpu === undefined || !(r.rate > 0) ? '-' : `${((cpu / 100 / r.rate) * 1000).toFixed(3)} ms (${cpu.toFixed(0)}%)`;
  const others = (r.machineCpu ?? NaN) - (r.serverCpu ?? NaN) - (r.pgCpu ?? 0) - r.genCpu;
  const idle = r.idle === undefined ? '-' : `${(r.idle * 100).toFixed(0)}%`;
  const postgres = r.pgCpu === undefined ? '' : `   postgres ${perMessage(r.pgCpu)}`;
  return `server ${perMessage(r.serverCpu)}   main thread ${perMessage(r.mainThreadCpu)}${postgres}   machine idle ${idle}, other processes ${Number.isFinite(others) ? `${Math.max(0, others).toFixed(0)}%` : '-'}`;
}

/** A ratio beside its verdict, rounded down: 0.797 against a target of 0.8 reads 0.79, not 0.80. */
const ratioShown = (ratio: number): string => (Number.isFinite(ratio) ? (Math.floor(ratio * 100) / 100).toFixed(2) : '-');

// Below this share of idle CPU the machine's CPUs are what limits a row.
const MACHINE_BUSY_IDLE = 0.1;

/**
 * A row's main thread and idle CPU, beside its verdict; named the limit only when the machine has
 * no CPU left. A main thread short of a full core is not proof of a wait: at 80% (SQLite) and 68%
 * (PostgreSQL) doubling the concurrency left both rates where they were (bench/README.md).
 */
function cpuNote(r: Row | undefined): string {
  if (!r || r.failed || r.idle === undefined || r.mainThreadCpu === undefined) return '';
  const figures = `main thread ${r.mainThreadCpu.toFixed(0)}% of a core, machine ${(r.idle * 100).toFixed(0)}% idle`;
  return r.idle < MACHINE_BUSY_IDLE ? `; limit: the machine's CPUs (${figures})` : `; ${figures}`;
}

function loadLine(): string {
  const [l1, l5, l15] = os.loadavg().map((v) => v.toFixed(2));
  return `load average ${l1}, ${l5}, ${l15} on ${os.availableParallelism()} CPUs`;
}

async function main(): Promise<number> {
  const opts = parseOptions();
  const bodies = makeBodies(POOL_SIZE, opts.attachmentKb);
  const out = (s = ''): void => void process.stdout.write(s + '\n');

  out(`sesd SendEmail benchmark — ${new Date().toISOString()}`);
  out(`  node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}`);
  out(`  start: ${loadLine()}`);
  out(
    `  load: POST ${SEND_PATH}, SigV4 (ses/${REGION}), ${POOL_SIZE} distinct pre-signed requests of ~${Math.round(bodies.reduce((a, b) => a + b.length, 0) / bodies.length)} B body, ` +
      `${opts.client} client, concurrency ${opts.concurrency}, warm-up ${opts.warmupS} s, measured ${opts.durationS} s per target in ${opts.rounds} round(s)`,
  );
  const thisBuild: SesdVariant = { main: SESD_MAIN, env: opts.sesdEnv, nodeArgs: opts.sesdNodeArgs };
  const startedWith = ({ env, nodeArgs }: SesdVariant): string =>
    Object.entries(env).map(([k, v]) => `, ${k}=${v}`).join('') + (nodeArgs.length ? `, node ${nodeArgs.join(' ')}` : '');
  out(`  sesd: SESD_LOG_LEVEL=${SESD_LOG_LEVEL}${startedWith(thisBuild)}, fresh data dir, SQLite WAL + synchronous=FULL (group commit)`);
  const comparedLabel = opts.comparePostgres ? COMPARED_PG : COMPARED;
  if (opts.compare) out(`  ${comparedLabel}: ${opts.compare.main}${startedWith(opts.compare)}, measured in the same rounds`);
  out();

  const notes: string[] = [];
  let failed = false;

  // Every target is started first (sesd on SQLite, the peer, then sesd on PostgreSQL if asked, one
  // node and two); then each round loads them one after the other, so that no two share the CPUs.
  interface Entry {
    label: string;
    servers: Server[];
    schema?: PgSchema;
    contender?: Contender;
    startFailure?: string;
    soakS: number;
    /** Messages in its store once stopped (sesd), each 200 it answered must be there. */
    stored?: () => Promise<number>;
  }
  const entries: Entry[] = [];
  const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
  const enter = async (entry: Entry, start: () => Promise<Target>): Promise<void> => {
    entries.push(entry);
    try {
      entry.contender = await Contender.create(await start(), bodies, opts);
    } catch (err) {
      entry.startFailure = errorText(err);
      failed = true;
    }
  };
  const enterSesd = (label: string, pgUrl: string | undefined, apiNodes = 0, variant = thisBuild): Promise<void> => {
    const servers: SesdServer[] = [];
    // The soak is about one process's memory: the scale-out row and the compared sesd skip it.
    const entry: Entry = { label, servers, soakS: apiNodes > 0 || variant !== thisBuild ? 0 : opts.soakS };
    entry.stored = () => (entry.schema ? entry.schema.count() : countSqliteMessages(servers[0]!.dataDir));
    return enter(entry, async () => {
      if (pgUrl) entry.schema = await createPgSchema(pgUrl);
      const target = await startSesdTarget(label, entry.schema?.url ?? '', variant, apiNodes, servers);
      target.pgPids = entry.schema?.backendPids;
      return target;
    });
  };
  const enterPeer = (): Promise<void> => {
    const entry: Entry = { label: 'aws-ses-v2-local', servers: [], soakS: 0 };
    return enter(entry, async () => {
      const peer = await startPeer();
      entry.servers.push(peer);
      return singleServer(peer);
    });
  };

  const windowS = opts.durationS / opts.rounds;
  try {
    if (!opts.skipSesd) await enterSesd('sesd (sqlite)', undefined);
    if (!opts.skipSesd && opts.compare && !opts.comparePostgres) await enterSesd(COMPARED, undefined, 0, opts.compare);
    if (!opts.skipPeer) await enterPeer();
    if (!opts.skipSesd && opts.postgresUrl) {
      await enterSesd(PG_ONE_NODE, opts.postgresUrl);
      if (opts.compare && opts.comparePostgres) await enterSesd(COMPARED_PG, opts.postgresUrl, 0, opts.compare);
      await enterSesd(PG_TWO_NODES, opts.postgresUrl, 2);
    }
    for (let round = 1; round <= opts.rounds && !interrupted; round++) {
      for (const { contender: c } of entries) {
        if (!c || c.failed !== undefined || interrupted) continue;
        // The first window of each warms the JIT up; later ones only open their sockets again.
        const warmupS = round === 1 ? opts.warmupS : REWARM_S;
        process.stdout.write(`  round ${round}/${opts.rounds}  ${c.name}: warm-up ${warmupS} s, measuring ${+windowS.toFixed(2)} s ...`);
        try {
          const { rate } = await c.window(opts, warmupS, windowS);
          const settledS = await settle(async () => [...c.target.processes.map((server) => server.child.pid!), ...((await c.target.pgPids?.()) ?? [])]);
          process.stdout.write(` ${rate.toFixed(0)}/s${settledS >= 0.5 ? ` (idle again after ${settledS.toFixed(1)} s)` : ''}\n`);
        } catch (err) {
          c.failed = errorText(err);
          failed = true;
          process.stdout.write(' FAILED\n');
        }
      }
    }
    for (const { contender: c, soakS } of entries) {
      if (!c || c.failed !== undefined || soakS === 0 || interrupted) continue;
      try {
        await c.soakFor(opts, soakS);
      } catch (err) {
        c.failed = errorText(err);
        failed = true;
      }
    }
    for (const entry of entries) {
      const c = entry.contender;
      await Promise.all(entry.servers.map((server) => server.stop()));
      if (!c || !entry.stored || interrupted) continue;
      const stored = await entry.stored();
      const ok = stored >= c.totalAccepted;
      if (!ok) failed = true;
      notes.push(`${entry.label}: ${stored} messages in the store after stop, ${c.totalAccepted} answered 200 (warm-ups, windows${c.soak ? ', soak' : ''}) — ${ok ? 'all accepted mail stored' : 'MISSING ACCEPTED MAIL'}`);
      for (const server of entry.servers) {
        if (c.windows.every((w) => w.errors === 0) && (server.child.exitCode ?? 0) === 0) continue;
        const tail = server.stderrTail().trim();
        if (tail) notes.push(`${server.name} stderr (tail):\n${tail.split('\n').slice(-10).join('\n')}`);
      }
    }
  } finally {
    for (const entry of entries) {
      entry.contender?.close();
      for (const server of entry.servers) {
        await server.stop();
        const { dataDir } = server as Partial<SesdServer>;
        if (dataDir) {
          rmSync(dataDir, { recursive: true, force: true });
          tmpDirs.delete(dataDir);
        }
      }
      await entry.schema?.drop().catch((err: unknown) => notes.push(`could not drop schema ${entry.schema?.name}: ${String(err)}`));
    }
  }
  const rows: Row[] = entries.map((e) => (e.contender ? e.contender.row() : failedRow(e.label, e.startFailure)));
  // The windows of a target measured to the end (a failed one has no ratios).
  const contender = (label: string): Window[] | undefined => {
    const c = entries.find((e) => e.label === label)?.contender;
    return c && c.failed === undefined ? c.windows : undefined;
  };

  if (interrupted) return 130;

  // ---- report
  out();
  const header = ['target', 'accepted/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'rss MB (start→end, max)', 'cpu server (main thread) / bench'];
  const fmt = (n: number, d: number): string => (Number.isFinite(n) ? n.toFixed(d) : '-');
  const table = rows.map((r) =>
    r.failed
      ? [r.name, 'FAILED', '', '', '', '', '', '']
      : [
          r.name,
          fmt(r.rate, 0),
          fmt(r.p50, 2),
          fmt(r.p99, 2),
          fmt(r.max, 1),
          String(r.errors),
          `${mb(r.rssStartKb)}→${mb(r.rssEndKb)}, ${mb(r.rssMaxKb)}`,
          `${r.serverCpu === undefined ? '-' : r.serverCpu.toFixed(0)}% (${r.mainThreadCpu === undefined ? '-' : r.mainThreadCpu.toFixed(0)}%) / ${fmt(r.genCpu, 0)}%`,
        ],
  );
  const sqlite = rows.find((r) => r.name === 'sesd (sqlite)' && !r.failed);
  // Every ratio is the median of its rounds' ratios (each of two windows seconds apart).
  const sqliteC = contender('sesd (sqlite)');
  const peerC = contender('aws-ses-v2-local');
  const pgC = contender(PG_ONE_NODE);
  const ratios: [string, ReturnType<typeof roundRatios>][] = [
    ['sesd/peer', roundRatios(sqliteC, peerC)],
    ['sesd(pg)/peer', roundRatios(pgC, peerC)],
    ['sesd(pg)/sesd', roundRatios(pgC, sqliteC)],
    ['sesd(pg, 2 nodes)/sesd(pg)', roundRatios(contender(PG_TWO_NODES), pgC)],
    ['compared/sesd', roundRatios(contender(COMPARED), sqliteC)],
    ['compared/sesd(pg)', roundRatios(contender(COMPARED_PG), pgC)],
  ];
  const ratioOf = (name: string): number => ratios.find(([n]) => n === name)![1].median;
  for (const [name, { median: m }] of ratios.slice(0, 2)) if (Number.isFinite(m)) table.push([`ratio ${name}`, `${m.toFixed(2)}x`, '', '', '', '', '', '']);
  const all = [header, ...table];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  for (const r of all) {
    out(r.map((cell, i) => (i === 0 || i >= 6 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   ').trimEnd());
  }
  out();
  for (const r of rows) {
    if (r.failed) out(`${r.name} FAILED: ${r.failed}`);
    else if (r.firstError) out(`${r.name} first error: ${r.firstError}`);
  }
  for (const r of rows) if (!r.failed) out(`${r.name} accepted per second: ${r.perSecond.join(' ')}`);
  for (const [name, { each, median: m }] of ratios) {
    if (each.length > 0) out(`ratio ${name} by round: ${each.map((x) => x.toFixed(2)).join(' ')} (median ${m.toFixed(2)}x)`);
  }
  for (const n of notes) out(n);
  for (const r of rows) {
    if (r.soak) {
      const growth = r.soak.firstThirdKb > 0 ? ((r.soak.lastThirdKb - r.soak.firstThirdKb) / r.soak.firstThirdKb) * 100 : NaN;
      out(
        `${r.name} soak: RSS ${mb(r.soak.firstThirdKb)} → ${mb(r.soak.lastThirdKb)} MB (median of the first and last third of the samples, ${growth >= 0 ? '+' : ''}${fmt(growth, 1)}%; ` +
          `first and last sample ${mb(r.soak.startKb)} → ${mb(r.soak.endKb)}, max ${mb(r.soak.maxKb)}) while the store grew to ${r.soak.accepted} messages`,
      );
    }
  }
  out(`end: ${loadLine()}`);
  out('cpu: server = the server process(es) (all threads; not PostgreSQL); main thread = the busiest main thread among them, the one that reads, parses and answers the requests (it stays short of 100% even where it is the limit: bench/README.md); bench = this load generator; 100% = one core');
  out();
  const measured = rows.filter((r) => !r.failed);
  if (measured.length > 0) {
    out('CPU per accepted message over the measured windows (in parentheses: % of one core), and the machine\'s idle CPU:');
    const nameWidth = Math.max(...measured.map((r) => r.name.length));
    for (const r of measured) out(`  ${r.name.padEnd(nameWidth)}   ${cpuPerMessage(r)}`);
    out();
  }

  // ---- targets
  const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'n/a' : ok ? 'MET' : 'MISSED').padEnd(6);
  const soak = sqlite?.soak;
  const checks: [boolean | undefined, string, string][] = [
    [
      Number.isFinite(ratioOf('sesd/peer')) ? ratioOf('sesd/peer') >= TARGET_RATIO : undefined,
      `accepted/s ≥ ${TARGET_RATIO}x aws-ses-v2-local (median of the rounds)`,
      `${ratioShown(ratioOf('sesd/peer'))}x${cpuNote(sqlite)}`,
    ],
    [
      sqlite ? sqlite.p99 < TARGET_P99_MS && sqlite.errors === 0 : undefined,
      `p99 < ${TARGET_P99_MS} ms, no errors`,
      sqlite ? `${fmt(sqlite.p99, 2)} ms, ${sqlite.errors} errors` : '-',
    ],
    [
      soak ? soak.verdictFlat : undefined,
      `RSS flat over the soak (≤ +${FLAT_RSS_GROWTH * 100}%, median of the last third vs the first)`,
      soak ? `${mb(soak.firstThirdKb)} → ${mb(soak.lastThirdKb)} MB over ${soak.accepted} messages` : opts.soakS === 0 ? 'no soak' : '-',
    ],
  ];
  const printChecks = (title: string, list: typeof checks): void => {
    const w = Math.max(...list.map((c) => c[1].length));
    out(title);
    for (const [ok, what, seen] of list) out(`  ${verdict(ok)}  ${what.padEnd(w)}  (${seen})`);
  };
  printChecks('targets (sesd on SQLite):', checks);
  if (opts.postgresUrl && !opts.skipSesd) {
    const vsSqlite = ratioOf('sesd(pg)/sesd');
    const scaleOut = ratioOf('sesd(pg, 2 nodes)/sesd(pg)');
    printChecks('targets (sesd on PostgreSQL):', [
      [Number.isFinite(vsSqlite) ? vsSqlite >= TARGET_PG_VS_SQLITE : undefined, `one node ≥ ${TARGET_PG_VS_SQLITE}x sesd on SQLite`, `${ratioShown(vsSqlite)}x${cpuNote(rows.find((r) => r.name === PG_ONE_NODE))}`],
      [Number.isFinite(scaleOut) ? scaleOut >= TARGET_TWO_NODES : undefined, `two API nodes ≥ ${TARGET_TWO_NODES}x one node`, `${ratioShown(scaleOut)}x${cpuNote(rows.find((r) => r.name === PG_TWO_NODES))}`],
    ]);
  }
  if (failed) out('bench: some runs failed (see above)');
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
    killAllNow();
    // Keep-alive sockets or the re-sign timer must not hold the process open.
    setTimeout(() => process.exit(code), 100).unref();
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    killAllNow();
    process.exit(1);
  },
);
