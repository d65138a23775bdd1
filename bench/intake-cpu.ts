// Intake's CPU per message, without sockets: the part of SES v2 SendEmail and SMTP submission that
// is sesd's own (prepare, the policy's reads, the rows, the group commit), driven in this process by
// 20 (by default) concurrent callers, as the listeners would call it. The end-to-end benches
// (send-email.ts, smtp.ts) swing ±15–30% from round to round on a shared 2-core machine, far more
// than a change to this path moves them; this one reads the API thread's own CPU (/proc, that
// thread only) and measures a few percent. It is a probe for work on the send path, not a row of
// `npm run bench`: it has no peer.
//
//   npx tsx bench/intake-cpu.ts [--messages 4000 --rounds 6 --concurrency 20 --kinds smtp,send-email]
//   npx tsx bench/intake-cpu.ts --compare-dist /tmp/before/dist   (another build, in alternating rounds)
//   npx tsx bench/intake-cpu.ts --database-url postgres://postgres@127.0.0.1:5432/test   (a fresh schema for each build)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { benchRawMessage, benchSendEmailInput } from './bench-messages.js';
import { readMainThreadTicks } from './process-stats.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REGION = 'us-east-1';
const ACCESS_KEY_ID = 'AKIABENCHINTAKECPU00';
const ACCOUNT_ID = '000000000000';
const CLK_TCK = 100;
// Distinct messages, built before any round (as the other benches build theirs), sent in turn.
const POOL_SIZE = 200;
const rawPool = Array.from({ length: POOL_SIZE }, (_, i) => benchRawMessage(i));
const sendEmailBodies = Array.from({ length: POOL_SIZE }, (_, i) => JSON.stringify(benchSendEmailInput(i)));

type Kind = 'smtp' | 'send-email';
type Send = (i: number) => Promise<unknown>;

/** One build's send path over a fresh store (SQLite, or a schema of its own on PostgreSQL): intake as app.ts wires it in capture mode. */
interface SendPath {
  label: string;
  send: Record<Kind, Send>;
  close(): Promise<void>;
}

/** A fresh schema on `baseUrl` for one send path: its URL (the schema as search_path) and its removal. */
async function pgSchema(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { default: pg } = await import('pg');
  const name = `bench_intake_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${name}`);
  return {
    url: `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${name}`)}`,
    drop: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      await admin.end();
    },
  };
}

async function openSendPath(label: string, dist: string, databaseUrl: string | undefined): Promise<SendPath> {
  const load = <T>(module: string): Promise<T> => import(path.join(dist, 'src', module)) as Promise<T>;
  const { openStore } = await load<typeof import('../src/store/store.js')>('store/store.js');
  const { provisionAccessKeys } = await load<typeof import('../src/domain/provision-access-keys.js')>('domain/provision-access-keys.js');
  const { SendingPolicy } = await load<typeof import('../src/domain/sending-policy.js')>('domain/sending-policy.js');
  const { createIntake } = await load<typeof import('../src/intake/accept.js')>('intake/accept.js');
  const { storeDeliveryHooks } = await load<typeof import('../src/delivery/store-hooks.js')>('delivery/store-hooks.js');
  const { submissionRequest } = await load<typeof import('../src/smtp/submission.js')>('smtp/submission.js');
  const { sendEmailHandler } = await load<typeof import('../src/api/sesv2/send-email.js')>('api/sesv2/send-email.js');

  const log = pino({ level: 'silent' });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sesd-intake-cpu-'));
  const schema = databaseUrl ? await pgSchema(databaseUrl) : undefined;
  const store = await openStore({ databaseUrl: schema?.url ?? '', dataDir, log });
  await provisionAccessKeys(store.accounts, { list: `${ACCESS_KEY_ID}:${'x'.repeat(40)}:${ACCOUNT_ID}`, dataDir });
  // As app.ts wires it for `sesd start` in capture mode (SESD_AUTO_VERIFY=auto: any sender).
  const policy = new SendingPolicy({
    identities: store.identities,
    accountSettings: store.accountSettings,
    suppression: store.suppression,
    configurationSets: store.configurationSets,
    autoVerify: 'any',
  });
  const intake = createIntake({
    messages: store.messages,
    policy,
    templates: store.templates,
    listManagement: { contacts: store.contacts, baseUrl: () => 'http://127.0.0.1' },
    tracking: { configurationSets: store.configurationSets, secret: () => store.tracking.secret(), baseUrl: () => 'http://127.0.0.1' },
    hostname: 'bench.sesd.local',
    log,
    delivery: { mode: 'capture', policy: storeDeliveryHooks(store).policy },
  });
  const user = { accessKeyId: ACCESS_KEY_ID, accountId: ACCOUNT_ID };
  const sendEmail = sendEmailHandler(intake);
  const ctx = { requestId: 'bench', accountId: ACCOUNT_ID, accessKeyId: ACCESS_KEY_ID, region: REGION, sourceIp: '127.0.0.1', log };
  return {
    label,
    send: {
      smtp: (i) => {
        const { raw, from, to } = rawPool[i % POOL_SIZE]!;
        return intake(submissionRequest({ raw, mailFrom: from, rcptTo: [to], user, sourceIp: '127.0.0.1', region: REGION }));
      },
      // A decoded body of its own for each request, as the router hands the handler.
      'send-email': (i) => sendEmail(ctx, JSON.parse(sendEmailBodies[i % POOL_SIZE]!)),
    },
    async close() {
      await store.close();
      await schema?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** CPU ticks (user + system) of this process's main thread, which runs intake. */
const mainThreadTicks = (): number => readMainThreadTicks(process.pid) ?? NaN;

interface Round {
  mainUs: number;
  processUs: number;
  rate: number;
}

/** `messages` sends by `concurrency` callers, each sending its next when the last is answered. */
async function measure(send: Send, messages: number, concurrency: number): Promise<Round> {
  let next = 0;
  const ticks = mainThreadTicks();
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < messages) await send(next++);
    }),
  );
  const elapsedMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return {
    mainUs: (((mainThreadTicks() - ticks) / CLK_TCK) * 1e6) / messages,
    processUs: (used.user + used.system) / messages,
    rate: messages / (elapsedMs / 1000),
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '4000' },
      rounds: { type: 'string', default: '6' },
      concurrency: { type: 'string', default: '20' },
      kinds: { type: 'string', default: 'smtp,send-email' },
      'compare-dist': { type: 'string' },
      'database-url': { type: 'string' },
    },
  });
  const messages = Number(values.messages);
  const rounds = Number(values.rounds);
  const concurrency = Number(values.concurrency);
  const kinds = values.kinds.split(',') as Kind[];
  for (const k of kinds) if (k !== 'smtp' && k !== 'send-email') throw new Error(`--kinds: smtp or send-email, not ${k}`);

  // The store's writer thread does not hold the process open (a server's listeners do): this does.
  const keepAlive = setInterval(() => {}, 60_000);
  const databaseUrl = values['database-url'];
  const paths = [await openSendPath('this build', path.join(ROOT, 'dist'), databaseUrl)];
  if (values['compare-dist']) paths.push(await openSendPath(`compared (${values['compare-dist']})`, path.resolve(values['compare-dist']), databaseUrl));
  const database = databaseUrl ? 'PostgreSQL' : 'SQLite';
  process.stdout.write(`sesd intake CPU per message — node ${process.version}, ${os.cpus().length} CPUs, ${messages} messages a round, ${concurrency} callers, ${database}\n`);
  try {
    for (const kind of kinds) {
      // Warm-up: the JIT and the store's statement cache, for every build.
      for (const p of paths) await measure(p.send[kind], Math.min(messages, 2000), concurrency);
      const results = new Map<SendPath, Round[]>(paths.map((p) => [p, []]));
      for (let round = 1; round <= rounds; round++) {
        // Alternate which build goes first, so that neither always follows the other's garbage.
        for (const p of round % 2 ? paths : [...paths].reverse()) results.get(p)!.push(await measure(p.send[kind], messages, concurrency));
      }
      for (const p of paths) {
        const rs = results.get(p)!;
        process.stdout.write(
          `${kind} (${p.label}): API thread ${median(rs.map((r) => r.mainUs)).toFixed(0)} µs a message (rounds ${rs.map((r) => r.mainUs.toFixed(0)).join(' ')}), ` +
            `process ${median(rs.map((r) => r.processUs)).toFixed(0)} µs, ${median(rs.map((r) => r.rate)).toFixed(0)}/s\n`,
        );
      }
      if (paths.length === 2) {
        const [a, b] = paths.map((p) => results.get(p)!);
        const ratios = a!.map((r, i) => b![i]!.mainUs / r.mainUs);
        process.stdout.write(`${kind}: compared/this API thread µs by round ${ratios.map((x) => x.toFixed(2)).join(' ')} (median ${median(ratios).toFixed(2)})\n`);
      }
    }
  } finally {
    for (const p of paths) await p.close();
    clearInterval(keepAlive);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
