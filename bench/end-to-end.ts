// End to end: from SMTP submission to the receiving server, sesd against Postfix's same path in the
// same run. sesd (the built `sesd start`, SQLite, in relay mode to the sink of bench/delivery.ts,
// which runs in a child process on 127.0.0.1) gets N messages (3000) over authenticated STARTTLS
// submission sessions (10) with bench/smtp-client.ts's client, from bench@example.com, a domain
// identity with Easy DKIM, so every message is DKIM-signed on its way out. The clock runs from the
// first message submitted to the last one the sink received: messages/s, and each message's
// latency from the start of its submission (MAIL FROM) to the sink's receipt of its final dot
// (p50/p99). Every message carries an `X-Bench-Id` header, and the sink reports when each arrived
// and whether it was signed. Before the clock starts, sesd gets a warm-up round (1000 messages,
// delivered to the sink): a fresh Node process spends its first seconds compiling its hot code
// (measured: V8's compiler and GC threads took ~1.4 ms of CPU per message over a cold 3000-message
// run, ~0.5 ms over 12000), which is not what the path costs.
//
// The peer: Postfix's smtp-source → a private Postfix instance's smtpd → relay → the same sink
// (bench/postfix-peer.ts), the same number of messages over as many sessions, without DKIM (Postfix
// signs nothing without a milter) and without TLS or AUTH; skipped with the reason when Postfix is
// not installed or this is not root. smtp-source does not say when each message was submitted, so
// its row has a rate and no latencies.
//
//   npx tsx bench/end-to-end.ts [--messages 3000] [--connections 10] [--warmup 1000] [--skip-peer]   (after npm run build)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createResolver } from '../src/dns/resolver.js';
import { IdentitiesService } from '../src/domain/identities/identities-service.js';
import { openStore } from '../src/store/store.js';
import { startSink, type Sink, type SinkArrival } from './delivery.js';
import { benchPostfix } from './postfix-peer.js';
import { readProc } from './process-stats.js';
import { SmtpBenchSession, type WireMessage } from './smtp-client.js';
import { makeMessages, sesdSession, startSesd, type SesdProcess } from './smtp.js';

// The account and region of bench/smtp.ts's access key, and the domain of makeMessages' sender.
const SCOPE = { accountId: '000000000000', region: 'us-east-1' };
const SENDER_DOMAIN = 'example.com';
const CLK_TCK = 100; // /proc/<pid>/stat time unit on Linux
// Gives up waiting for the sink when nothing more arrived for this long.
const STALL_MS = 30_000;

interface Row {
  name: string;
  messages: number;
  received: number;
  /** Of the received, how many carried a DKIM-Signature; undefined where the sink cannot tell. */
  signed?: number;
  rate: number;
  /** The rate at which submission was answered 250 (sesd only). */
  submittedRate?: number;
  p50?: number;
  p99?: number;
  /** sesd's CPU time over the run, in cores. */
  cpuCores?: number;
  /** Messages the sink received in each second from the first submission (sesd only). */
  perSecond?: number[];
  /** The second (from the first submission) in which the last submission was answered. */
  submittedBySecond?: number;
  errors?: number;
  firstError?: string;
}

// Wall-clock milliseconds with sub-millisecond precision, comparable with the sink's SinkArrival.at.
const now = () => performance.timeOrigin + performance.now();

// `npm run bench -- <options>` hands its options to every script: keep only ours.
const ours = new Set(['--messages', '--connections', '--warmup']);
const argv = process.argv.slice(2);
const args = argv.flatMap((a, i) => (ours.has(a.split('=')[0]!) ? (a.includes('=') ? [a] : [a, argv[i + 1] ?? '']) : []));
const { values } = parseArgs({ args, options: { messages: { type: 'string', default: '3000' }, connections: { type: 'string', default: '10' }, warmup: { type: 'string', default: '1000' } } });
const count = Number(values.messages);
const warmupCount = Number(values.warmup);
const connections = Number(values.connections);
const load = () => os.loadavg().map((v) => v.toFixed(2)).join(', ');

console.log(`sesd end-to-end benchmark (SMTP submission → relay → sink) — node ${process.version}, ${os.availableParallelism()} CPUs, load average ${load()}; sesd warmed up with ${warmupCount} messages`);
const sink = await startSink();
let sesd: Row;
let peer: Awaited<ReturnType<typeof benchPostfix>>;
try {
  sesd = await benchSesd(sink);
  peer = process.argv.includes('--skip-peer') ? { skipped: '--skip-peer' } : await benchPostfix(count, sink.port, () => sink.received(), connections);
} finally {
  sink.child.kill();
}
const rows = [sesd];
if ('skipped' in peer) console.log(`Postfix peer skipped: ${peer.skipped}`);
else rows.push({ name: `Postfix smtp-source → smtpd → relay (plain, ${connections} sessions, no DKIM)`, messages: count, received: peer.received, rate: peer.rate });
printTable(rows);
if (sesd.perSecond) console.log(`sesd: received by the sink per second: ${sesd.perSecond.join(' ')} (submission ended in second ${sesd.submittedBySecond! + 1})`);
if (sesd.firstError) console.log(`sesd: ${sesd.errors} submissions failed, the first: ${sesd.firstError}`);
if ('skipped' in peer) console.log('ratio sesd/Postfix: – (no peer)');
else console.log(`ratio sesd/Postfix: ${(sesd.rate / peer.rate).toFixed(2)}x messages/s (sesd signs each message with DKIM and takes it over STARTTLS+AUTH; Postfix does neither)`);
console.log(`end: load average ${load()}`);
// Every message must arrive, signed.
process.exit(sesd.received < count || sesd.signed !== sesd.received ? 1 : 0);

/** sesd's row: a fresh sesd relaying to the sink, fed over submission sessions opened beforehand. */
async function benchSesd(target: Sink): Promise<Row> {
  const name = `sesd submission → relay, DKIM (sqlite, STARTTLS+AUTH, ${connections} sessions)`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sesd-bench-e2e-'));
  let server: SesdProcess | undefined;
  try {
    await createSigningIdentity(dataDir);
    // Relay mode verifies senders as SES does (SESD_AUTO_VERIFY=auto is `off` there): the domain
    // identity created above is what lets bench@example.com send, and what DKIM signs with.
    server = await startSesd(dataDir, { SESD_DELIVERY_MODE: 'relay', SESD_RELAY_URL: `smtp://127.0.0.1:${target.port}` });
    if (warmupCount > 0) {
      const before = target.arrivals().length;
      const warm = makeMessages(warmupCount).map((m, i) => withBenchId(m, `warmup-${i}`));
      const { accepted: warmed } = await submitAll(server, await openSessions(server), warm, new Float64Array(warmupCount));
      await waitForArrivals(target, before, warmed, server);
    }
    const messages = makeMessages(count).map(withBenchId);
    const sessions = await openSessions(server);
    const arrivedBefore = target.arrivals().length;
    const cpuBefore = readProc(server.pid);
    const submittedAt = new Float64Array(count);
    const started = now();
    const { accepted, errors, firstError } = await submitAll(server, sessions, messages, submittedAt);
    const submitted = now();
    const arrivals = await waitForArrivals(target, arrivedBefore, accepted, server);
    const cpuAfter = readProc(server.pid);
    if (arrivals.length === 0) throw new Error(`no message reached the sink (${accepted} accepted, ${errors} failed: ${firstError ?? 'no error'})\n${server.stderrTail()}`);
    const last = Math.max(...arrivals.map((a) => a.at));
    const seconds = (last - started) / 1000;
    const latencies = Float64Array.from(arrivals, (a) => a.at - submittedAt[Number(a.id)]!).sort();
    if (server.dead()) throw new Error(`sesd exited during the run\n${server.stderrTail()}`);
    return {
      name,
      messages: count,
      received: arrivals.length,
      signed: arrivals.filter((a) => a.dkim).length,
      rate: arrivals.length / seconds,
      submittedRate: accepted / ((submitted - started) / 1000),
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      cpuCores: cpuBefore && cpuAfter ? (cpuAfter.cpuTicks - cpuBefore.cpuTicks) / CLK_TCK / ((now() - started) / 1000) : undefined,
      errors,
      firstError,
      perSecond: perSecond(arrivals, started),
      submittedBySecond: Math.floor((submitted - started) / 1000),
    };
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** `connections` authenticated submission sessions, opened before a clock starts. */
function openSessions(server: SesdProcess): Promise<SmtpBenchSession[]> {
  return Promise.all(Array.from({ length: connections }, () => SmtpBenchSession.open(sesdSession(server))));
}

/**
 * Submits the messages over the sessions, each sending one message after the other, and quits them;
 * `submittedAt[i]` is when message i began (MAIL FROM). A session that breaks is replaced.
 */
async function submitAll(server: SesdProcess, sessions: SmtpBenchSession[], messages: WireMessage[], submittedAt: Float64Array): Promise<{ accepted: number; errors: number; firstError?: string }> {
  let next = 0;
  let accepted = 0;
  let errors = 0;
  let firstError: string | undefined;
  await Promise.all(
    sessions.map(async (first) => {
      let session = first;
      while (next < messages.length && !server.dead()) {
        const i = next++;
        submittedAt[i] = now();
        try {
          await session.send(messages[i]!);
          accepted++;
        } catch (err) {
          errors++;
          firstError ??= err instanceof Error ? err.message : String(err);
          if (session.broken) session = await SmtpBenchSession.open(sesdSession(server));
        }
      }
      session.quit();
    }),
  );
  return { accepted, errors, firstError };
}

/**
 * The sender's domain identity, verified, with Easy DKIM (a 2048-bit key, SES's default), written
 * to the store before sesd starts: the state a domain reaches once its owner published the records.
 */
async function createSigningIdentity(dataDir: string): Promise<void> {
  const store = await openStore({ databaseUrl: '', dataDir });
  try {
    const identities = new IdentitiesService({
      identities: store.identities,
      dns: createResolver(''),
      cnameDomain: 'dkim.sesd.local',
      autoVerify: 'identities', // created verified, DKIM included: no DNS to publish records in
      sendVerificationEmail: async () => undefined, // for addresses; this is a domain
    });
    await identities.create(SCOPE, { identity: SENDER_DOMAIN });
  } finally {
    await store.close();
  }
}

/** The message with `X-Bench-Id: <index>` as its first header line, for the sink to report. */
function withBenchId(message: WireMessage, index: number | string): WireMessage {
  return { ...message, data: Buffer.concat([Buffer.from(`X-Bench-Id: ${index}\r\n`), message.data]) };
}

/** The first arrival of each message after `from`, once `expected` arrived or nothing did for STALL_MS. */
async function waitForArrivals(target: Sink, from: number, expected: number, server: SesdProcess): Promise<SinkArrival[]> {
  const firsts = new Map<string, SinkArrival>();
  let seen = from;
  let progressAt = Date.now();
  while (firsts.size < expected && Date.now() - progressAt < STALL_MS && !server.dead()) {
    await new Promise((r) => setTimeout(r, 50));
    const all = target.arrivals();
    if (all.length > seen) progressAt = Date.now();
    for (; seen < all.length; seen++) if (!firsts.has(all[seen]!.id)) firsts.set(all[seen]!.id, all[seen]!);
  }
  return [...firsts.values()];
}

function perSecond(arrivals: SinkArrival[], started: number): number[] {
  const counts: number[] = [];
  for (const a of arrivals) {
    const second = Math.floor((a.at - started) / 1000);
    counts[second] = (counts[second] ?? 0) + 1;
  }
  return Array.from(counts, (n) => n ?? 0);
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : NaN;
}

function printTable(rows: Row[]): void {
  const f = (n: number | undefined, digits: number) => (n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits));
  const header = ['path', 'messages', 'received', 'DKIM-signed', 'msg/s (first submitted → last received)', 'submitted/s', 'latency p50 ms', 'p99 ms', 'sesd CPU (cores)'];
  const cells = rows.map((r) => [r.name, String(r.messages), String(r.received), r.signed === undefined ? '–' : String(r.signed), f(r.rate, 0), f(r.submittedRate, 0), f(r.p50, 1), f(r.p99, 1), f(r.cpuCores, 2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => '| ' + c.map((s, i) => s.padEnd(widths[i]!)).join(' | ') + ' |';
  console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n'));
}
