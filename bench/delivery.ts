// Delivery throughput: a queue of N messages (already accepted) is delivered by one sesd worker to
// a receiving SMTP server on 127.0.0.1 running in a child process (plain SMTP, no STARTTLS), over relay and over mx (with a
// DNS server this script runs), with and without DKIM. Measures the rate from the first claim to
// the last committed outcome, so it includes the queue's database work.
//
//   npx tsx bench/delivery.ts [--messages 5000] [--postgres URL] [--modes capture,relay,relay+dkim,mx+dkim,capture+events,capture+sns,relay+sns] [--skip-peer]
//
// `+events`: the messages are sent with a configuration set whose EventBridge destination is a
// receiver in the sink's process (PutEvents over HTTP, SigV4-signed); the event dispatcher runs
// beside delivery, and the row adds the rate at which it published the Send and Delivery events
// (from the first claim until no event is pending), next to the delivery rate of the same run.
//
// `+sns`: the same, to an SNS destination: a topic sesd hosts with one confirmed HTTP subscription
// to a receiver in the sink's process; sesd's SNS dispatcher signs each notification
// (SignatureVersion 1, SHA1withRSA, SNS's default) and POSTs it. This row runs a real sesd process
// (the built `sesd start`, so `npm run build` first) in the layout users run: delivery and the
// event dispatcher in its delivery thread, the SNS dispatcher on its main thread. Both rates count
// from its first committed outcome (not its startup); its events/s is the rate of signed
// notifications that reached the receiver until the last one arrived. The target: publishing keeps
// up with delivery, events/s ≥ delivered/s of the same row.
//
// The last row is the peer: the same number of messages through a private Postfix instance to the
// same sink (bench/postfix-peer.ts; skipped with a reason when Postfix is not installed).
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { loadConfig, type Config } from '../src/config/load-config.js';
import { SnsService } from '../src/sns/sns-service.js';
import { startDelivery, type DeliveryHooks } from '../src/delivery/delivery-service.js';
import { startEventDispatch } from '../src/events/event-service.js';
import { newMessageId, messageIdHeader } from '../src/domain/message-id.js';
import { mailObject, sendEvent } from '../src/events/mail-object.js';
import { splitMessage } from '../src/mime/headers.js';
import { openStore, type Store } from '../src/store/store.js';
import { startDnsServer } from '../test/support/dns-server.js';
import { benchPostfix } from './postfix-peer.js';
import { readProc } from './process-stats.js';
import { startSesd } from './smtp.js';

// The configuration set of the `+events` rows (declared before main() runs).
const BENCH_SET = 'bench';
const BENCH_SCOPE = { accountId: '000000000000', region: 'us-east-1' };
const CLK_TCK = 100; // /proc/<pid>/stat time unit on Linux
// What the sink looks for in the messages of bench/end-to-end.ts.
const BENCH_ID = /^X-Bench-Id: (\S+)/m;
const DKIM_SIGNATURE = /^DKIM-Signature:/im;

// ---- the receiving side (child process): a minimal SMTP server (smtp-server itself takes ~9 ms a
// message, which would measure it rather than sesd), counting messages, reporting every 100 ms.
if (process.argv.includes('--sink')) {
  let received = 0;
  // Messages that carry an `X-Bench-Id` header (bench/end-to-end.ts's) are reported one by one with
  // the time they arrived, for latencies; the others are only counted.
  let arrivals: SinkArrival[] = [];
  const server = net.createServer({ noDelay: true }, (socket) => {
    let buffer = '';
    let inData = false;
    socket.write('220 bench sink ESMTP\r\n');
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const content = buffer.slice(0, end);
          const id = BENCH_ID.exec(content)?.[1];
          if (id !== undefined) arrivals.push({ id, at: performance.timeOrigin + performance.now(), dkim: DKIM_SIGNATURE.test(content) });
          buffer = buffer.slice(end + 5);
          inData = false;
          received++;
          socket.write('250 2.0.0 Ok: queued\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol).toUpperCase();
        buffer = buffer.slice(eol + 2);
        if (line.startsWith('EHLO')) socket.write('250-bench\r\n250-PIPELINING\r\n250 8BITMIME\r\n');
        else if (line === 'DATA') {
          inData = true;
          socket.write('354 End data with <CR><LF>.<CR><LF>\r\n');
        } else if (line === 'QUIT') socket.end('221 Bye\r\n');
        else socket.write('250 2.1.0 Ok\r\n');
      }
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send!({ port: typeof address === 'object' && address ? address.port : 0 });
  });
  // The EventBridge stand-in: counts the entries of each PutEvents and answers as EventBridge does;
  // and the SNS subscriber: counts notifications (a subscriber answers 200).
  let events = 0;
  let notifications = 0;
  const http = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const snsType = req.headers['x-amz-sns-message-type'];
      if (snsType) {
        if (snsType === 'Notification') notifications++;
        res.writeHead(200).end();
        return;
      }
      const entries = (JSON.parse(body) as { Entries: unknown[] }).Entries.length;
      events += entries;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ FailedEntryCount: 0, Entries: Array.from({ length: entries }, (_, i) => ({ EventId: `${events}-${i}` })) }));
    });
  });
  http.listen(0, '127.0.0.1', () => {
    const address = http.address();
    process.send!({ eventsPort: typeof address === 'object' && address ? address.port : 0 });
  });
  setInterval(() => {
    process.send!({ received, events, notifications, arrivals });
    arrivals = [];
  }, 100);
} else if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Run as a script, not imported for its sink (bench/end-to-end.ts).
  await main();
}

async function main(): Promise<void> {
  // `npm run bench -- <options>` hands its options to this script too (it runs after send-email.ts):
  // keep only ours.
  const ours = new Set(['--messages', '--postgres', '--modes', '--concurrency', '--connections']);
  const skipPeer = process.argv.includes('--skip-peer');
  const argv = process.argv.slice(2);
  const args = argv.flatMap((a, i) => (ours.has(a.split('=')[0]!) ? (a.includes('=') ? [a] : [a, argv[i + 1] ?? '']) : []));
  const { values } = parseArgs({
    args,
    options: {
      messages: { type: 'string', default: process.env.BENCH_MESSAGES ?? '5000' },
      postgres: { type: 'string', default: process.env.BENCH_DATABASE_URL },
      modes: { type: 'string', default: 'capture,relay,relay+dkim,mx+dkim,capture+events,capture+sns,relay+sns' },
      concurrency: { type: 'string', default: '100' },
      connections: { type: 'string', default: '10' },
    },
  });
  const count = Number(values.messages);
  const dbs = [{ label: 'sqlite', url: '' }, ...(values.postgres ? [{ label: 'postgres', url: values.postgres }] : [])];
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dkimHooks: DeliveryHooks = { dkimKeys: { keyFor: () => ({ domain: 'example.com', selector: 'bench', privateKey }) } };
  const dns = await startDnsServer({ 'example.net': { MX: [{ preference: 10, exchange: 'mx.example.net' }] }, 'mx.example.net': { A: ['127.0.0.1'] } });
  const sink = await startSink();
  const rows: string[][] = [];
  try {
    for (const db of dbs) {
      for (const mode of values.modes!.split(',')) {
        const [delivery, extra] = mode.split('+') as ['capture' | 'relay' | 'mx', string | undefined];
        const dkim = extra === 'dkim';
        const events = extra === 'events' || extra === 'sns' ? extra : undefined;
        const target = await freshDatabase(db.url);
        const store = await openStore({ databaseUrl: target.url, dataDir: target.dir });
        try {
          if (events === 'events') await eventBridgeDestination(store);
          if (events === 'sns') await snsDestination(store, `http://127.0.0.1:${sink.eventsPort}/sns`);
          await fillQueue(store, count, events ? BENCH_SET : undefined);
          await new Promise((r) => setTimeout(r, 250)); // the sink's count is reported every 100 ms
          const before = sink.received();
          const notifiedBefore = sink.notifications();
          const settings = {
            SESD_DATA_DIR: target.dir,
            SESD_DATABASE_URL: target.url,
            SESD_HOSTNAME: 'sesd.bench',
            SESD_DELIVERY_MODE: delivery,
            SESD_RELAY_URL: `smtp://127.0.0.1:${sink.port}`,
            SESD_DNS_SERVERS: dns.address,
            SESD_MX_PORT: String(sink.port),
            // The sink is on 127.0.0.1, which mx mode reaches only when allowed.
            SESD_DELIVERY_ALLOW_PRIVATE_ADDRESSES: 'true',
            SESD_DELIVERY_CONCURRENCY: values.concurrency!,
            SESD_MAX_CONNECTIONS_PER_DOMAIN: values.connections!,
            SESD_QUEUE_POLL_INTERVAL: '10ms',
            SESD_EVENTBRIDGE_URL: `http://127.0.0.1:${sink.eventsPort}`,
            SESD_EVENTS_AWS_ACCESS_KEY_ID: 'AKIDBENCH',
            SESD_EVENTS_AWS_SECRET_ACCESS_KEY: 'bench-secret',
            // The SNS subscriber is on 127.0.0.1, which sesd refuses outside capture mode unless allowed.
            SESD_SNS_ALLOW_PRIVATE_ENDPOINTS: 'true',
          };
          const published = 2 * count; // Send and Delivery per message
          const measured =
            events === 'sns'
              ? await measureSesdProcess(target.dir, settings, store, count, published, () => sink.notifications() - notifiedBefore)
              : await measureInProcess(loadConfig({ env: settings }), store, count, published, events, dkim ? dkimHooks : {});
          const { rate, eventRate, cpuCores } = measured;
          await new Promise((r) => setTimeout(r, 250));
          const received = delivery === 'capture' ? '–' : String(sink.received() - before);
          const verdict = eventRate === undefined ? '–' : `${(eventRate / rate).toFixed(2)} ${eventRate >= rate ? 'met' : 'not met'}`;
          rows.push([db.label, mode, String(count), received, rate.toFixed(0), eventRate === undefined ? '–' : eventRate.toFixed(0), verdict, cpuCores.toFixed(2)]);
          process.stderr.write(`bench: ${db.label} ${mode}: ${rate.toFixed(0)} msg/s\n`);
        } finally {
          await store.close();
          await target.drop();
        }
      }
    }
    // The peer: the same number of messages through Postfix to the same sink.
    await new Promise((r) => setTimeout(r, 250));
    const postfix = skipPeer ? { skipped: '--skip-peer' } : await benchPostfix(count, sink.port, () => sink.received());
    if ('skipped' in postfix) process.stderr.write(`bench: Postfix peer skipped: ${postfix.skipped}\n`);
    else rows.push(['–', 'Postfix relay (peer)', String(count), String(postfix.received), postfix.rate.toFixed(0), '–', '–', '–']);
  } finally {
    sink.child.kill();
    await dns.close();
  }
  const header = ['database', 'mode', 'messages', 'received', 'delivered/s', 'events published/s', 'events/s : delivered/s (target ≥ 1)', 'sesd CPU (cores)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
}

/** A message with an `X-Bench-Id` header as the sink received it. */
export interface SinkArrival {
  id: string;
  /** When its final dot arrived: ms since the epoch, sub-millisecond (performance.timeOrigin + now()). */
  at: number;
  /** Whether it carried a DKIM-Signature header. */
  dkim: boolean;
}

export interface Sink {
  port: number;
  eventsPort: number;
  child: ChildProcess;
  received(): number;
  notifications(): number;
  /** Every message with an `X-Bench-Id` received so far, reported by the sink up to 100 ms late. */
  arrivals(): readonly SinkArrival[];
}

/** The receiving SMTP server (and event receivers) in a child process; `child.kill()` stops it. */
export async function startSink(): Promise<Sink> {
  const child = fork(new URL(import.meta.url).pathname, ['--sink'], { execArgv: ['--import', 'tsx'] });
  let received = 0;
  let notifications = 0;
  let eventsPort = 0;
  const arrivals: SinkArrival[] = [];
  const port = await new Promise<number>((resolve) => {
    let smtpPort = 0;
    child.on('message', (m: { port?: number; eventsPort?: number; received?: number; notifications?: number; arrivals?: SinkArrival[] }) => {
      if (m.port) smtpPort = m.port;
      if (m.eventsPort) eventsPort = m.eventsPort;
      if (smtpPort && eventsPort) resolve(smtpPort);
      if (m.received !== undefined) received = m.received;
      if (m.notifications !== undefined) notifications = m.notifications;
      if (m.arrivals) arrivals.push(...m.arrivals);
    });
  });
  return {
    port,
    eventsPort,
    child,
    // The sink reports every 100 ms; wait for a fresh report.
    received: () => received,
    notifications: () => notifications,
    arrivals: () => arrivals,
  };
}

/** The configuration set of the `+events` rows: one EventBridge destination for Send and Delivery. */
async function eventBridgeDestination(store: Store): Promise<void> {
  await store.configurationSets.create({ ...BENCH_SCOPE, name: BENCH_SET, options: { DeliveryOptions: {}, ReputationOptions: { ReputationMetricsEnabled: false }, SendingOptions: { SendingEnabled: true } }, createdAt: Date.now() });
  await store.configurationSets.createEventDestination(
    BENCH_SCOPE,
    BENCH_SET,
    { Name: 'bus', Enabled: true, MatchingEventTypes: ['SEND', 'DELIVERY'], EventBridgeDestination: { EventBusArn: 'arn:aws:events:us-east-1:000000000000:event-bus/default' } },
    Date.now(),
  );
}

/**
 * The configuration set of the `+sns` rows: one SNS destination for Send and Delivery, a topic sesd
 * hosts, one HTTP subscription to the receiver, confirmed.
 */
async function snsDestination(store: Store, endpoint: string): Promise<void> {
  await store.accounts.ensureAccount(BENCH_SCOPE.accountId);
  const service = new SnsService({ store: store.sns, upstreamTopics: [], defaultRetryDelaySeconds: 20 });
  const topicArn = await service.createTopic(BENCH_SCOPE, 'bench-events');
  const subscriptionArn = await service.subscribe(BENCH_SCOPE, { topicArn, protocol: 'http', endpoint, returnSubscriptionArn: true });
  await store.sns.confirmSubscription(subscriptionArn);
  await store.configurationSets.create({ ...BENCH_SCOPE, name: BENCH_SET, options: { DeliveryOptions: {}, ReputationOptions: { ReputationMetricsEnabled: false }, SendingOptions: { SendingEnabled: true } }, createdAt: Date.now() });
  await store.configurationSets.createEventDestination(BENCH_SCOPE, BENCH_SET, { Name: 'topic', Enabled: true, MatchingEventTypes: ['SEND', 'DELIVERY'], SnsDestination: { TopicArn: topicArn } }, Date.now());
}

interface Measured {
  /** Messages delivered per second. */
  rate: number;
  /** Events published per second, for the rows with events. */
  eventRate?: number;
  /** sesd's CPU time over the run, in cores. */
  cpuCores: number;
}

/** Delivery (and the event dispatcher) in this process, as the delivery thread runs them, from the first claim. */
async function measureInProcess(config: Config, store: Store, count: number, published: number, events: 'events' | undefined, hooks: DeliveryHooks): Promise<Measured> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const log = pino({ level: process.env.BENCH_LOG ?? 'warn' });
  const service = startDelivery(config, store.deliveries, log, hooks);
  const dispatch = events ? startEventDispatch(config, store, log, undefined) : undefined;
  await until(async () => ((await store.deliveries.countByStatus()).delivered ?? 0) >= count, 50);
  const seconds = (performance.now() - started) / 1000;
  let eventRate: number | undefined;
  if (events) {
    await until(async () => (await store.eventDispatch.pending(Date.now())).count === 0, 50);
    eventRate = published / ((performance.now() - started) / 1000);
  }
  await dispatch?.stop();
  const used = process.cpuUsage(cpu);
  await service.stop();
  return { rate: count / seconds, eventRate, cpuCores: (used.user + used.system) / 1e6 / seconds };
}

/**
 * A real sesd process (`sesd start`, the built one), as users run it: delivery and the event
 * dispatcher in its delivery thread, the SNS dispatcher on its main thread beside intake. It
 * delivers the filled queue from its start; the clock starts at its first committed outcome
 * (startup is not part of the rate), and counts what was delivered and published after it.
 */
async function measureSesdProcess(dataDir: string, settings: Record<string, string>, store: Store, count: number, published: number, notified: () => number): Promise<Measured> {
  const delivered = async () => (await store.deliveries.countByStatus()).delivered ?? 0;
  const sesd = await startSesd(dataDir, settings);
  try {
    await until(async () => (await delivered()) > 0, 5);
    const started = performance.now();
    const cpu = readProc(sesd.pid);
    const [deliveredBefore, notifiedBefore] = [await delivered(), notified()];
    await until(async () => (await delivered()) >= count, 50);
    const seconds = (performance.now() - started) / 1000;
    // Arrived at the receiver, as the sink reports every 100 ms: at most 100 ms late.
    await until(async () => notified() >= published, 20);
    const eventSeconds = (performance.now() - started) / 1000;
    const used = readProc(sesd.pid);
    const cpuCores = cpu && used ? (used.cpuTicks - cpu.cpuTicks) / CLK_TCK / eventSeconds : NaN;
    return { rate: (count - deliveredBefore) / seconds, eventRate: (published - notifiedBefore) / eventSeconds, cpuCores };
  } catch (err) {
    process.stderr.write(sesd.stderrTail());
    throw err;
  } finally {
    await sesd.stop();
  }
}

async function until(condition: () => Promise<boolean>, everyMs: number): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, everyMs));
}

async function fillQueue(store: Store, count: number, configurationSet?: string): Promise<void> {
  const body = 'Hello from the delivery benchmark. '.repeat(40);
  const inserts: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const id = newMessageId();
    const now = Date.now();
    const raw = Buffer.from(
      [
        'From: Bench <sender@example.com>',
        `To: r${i}@example.net`,
        `Subject: bench ${i}`,
        `Date: ${new Date(now).toUTCString()}`,
        `Message-ID: ${messageIdHeader(id, 'sesd.bench')}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        body,
        '',
      ].join('\r\n'),
    );
    const mail = mailObject({ messageId: id, timestamp: new Date(now), source: 'sender@example.com', sourceDomain: 'example.com', accountId: '000000000000', region: 'us-east-1', destination: [`r${i}@example.net`], headers: splitMessage(raw).headers, tags: configurationSet ? { 'ses:configuration-set': [configurationSet] } : {} });
    inserts.push(
      store.messages.insert({
        id,
        accountId: '000000000000',
        region: 'us-east-1',
        sourceApi: 'sesv2',
        envelopeFrom: 'sender@example.com',
        fromHeader: 'Bench <sender@example.com>',
        subject: `bench ${i}`,
        destination: { ToAddresses: [`r${i}@example.net`] },
        configurationSet: configurationSet ?? null,
        tags: [],
        raw,
        createdAt: now,
        recipients: [{ address: `r${i}@example.net`, status: 'queued' }],
        events: [sendEvent(mail)],
      }),
    );
  }
  await Promise.all(inserts);
}

async function freshDatabase(url: string): Promise<{ url: string; dir: string; drop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sesd-bench-delivery-'));
  if (!url) return { url: '', dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  const schema = `bench_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: scoped.toString(),
    dir,
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
