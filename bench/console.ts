// The console's list and search at scale: seeds N messages (default 100,000; each with a ~1.5 kB
// raw body, one or two recipients in a realistic mix of statuses, a Send event and an outcome
// event), starts sesd on that database (role api: nothing is delivered meanwhile), and times the
// console API's first page and each kind of search over HTTP, as the console asks for them.
//
//   npx tsx bench/console.ts [--messages 100000] [--runs 7] [--postgres URL]
//
// Prints the median and the slowest of --runs answers per query (after one uncounted warm-up).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';
import { sql, type Insertable } from 'kysely';
import { openDatabase } from '../src/store/database.js';
import type { Database } from '../src/store/schema.js';

const { values: opts } = parseArgs({
  options: { messages: { type: 'string', default: '100000' }, runs: { type: 'string', default: '7' }, postgres: { type: 'string', default: process.env.BENCH_DATABASE_URL ?? '' } },
});
const N = Number(opts.messages);
const RUNS = Number(opts.runs);

const dataDir = mkdtempSync(join(tmpdir(), 'sesd-bench-console-'));
let databaseUrl = '';
let dropSchema: (() => Promise<void>) | undefined;
if (opts.postgres) {
  const schema = `bench_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: opts.postgres });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(opts.postgres);
  url.searchParams.set('options', `-c search_path=${schema}`);
  databaseUrl = url.toString();
  dropSchema = async () => {
    const c = new pg.Client({ connectionString: opts.postgres });
    await c.connect();
    await c.query(`drop schema ${schema} cascade`);
    await c.end();
  };
}

const T0 = Date.UTC(2026, 0, 1);
const BODY = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(20);
const STATUSES = [...Array<string>(90).fill('delivered'), ...Array<string>(5).fill('bounced'), ...Array<string>(3).fill('deferred'), 'queued', 'suppressed'];

async function seed(): Promise<void> {
  const opened = await openDatabase({ databaseUrl, dataDir });
  const db = opened.db;
  const started = Date.now();
  const BATCH = 500;
  for (let start = 0; start < N; start += BATCH) {
    const messages: Insertable<Database['messages']>[] = [];
    const bodies: Insertable<Database['message_bodies']>[] = [];
    const deliveries: Insertable<Database['deliveries']>[] = [];
    const events: Insertable<Database['events']>[] = [];
    for (let i = start; i < Math.min(N, start + BATCH); i++) {
      const id = `0100bench${String(i).padStart(10, '0')}-000000`;
      const createdAt = T0 + i * 1000;
      const to = [`user${i}@example${i % 50}.net`, ...(i % 4 === 0 ? [`copy${i}@example.org`] : [])];
      const subject = `Order ${i} confirmation ${i % 7 === 0 ? 'urgent' : 'normal'}`;
      const raw = Buffer.from(`From: shop${i % 20}@example.com\r\nTo: ${to.join(', ')}\r\nSubject: ${subject}\r\nMessage-ID: <${id}@bench>\r\n\r\n${BODY}\r\n`);
      messages.push({
        seq: i + 1,
        id,
        account_id: '000000000000',
        region: i % 10 === 0 ? 'eu-west-1' : 'us-east-1',
        source_api: 'sesv2',
        envelope_from: `shop${i % 20}@example.com`,
        from_header: `Shop ${i % 20} <shop${i % 20}@example.com>`,
        subject,
        destination: JSON.stringify({ ToAddresses: to }),
        configuration_set: i % 3 === 0 ? 'marketing' : null,
        tags: JSON.stringify([{ Name: 'campaign', Value: `c${i % 100}` }, { Name: 'kind', Value: i % 2 ? 'receipt' : 'notice' }]),
        size: raw.length,
        created_at: createdAt,
      });
      bodies.push({ seq: i + 1, raw, raw_deflated: null });
      for (const recipient of to) {
        const status = STATUSES[(i * 7 + recipient.length) % STATUSES.length]!;
        deliveries.push({ message_seq: i + 1, recipient, status, attempts: 1, next_attempt_at: createdAt + 60_000, locked_by: null, locked_until: null, last_response: '250 ok', updated_at: createdAt + 500 });
        const outcome = status === 'delivered' ? 'Delivery' : status === 'bounced' ? 'Bounce' : status === 'deferred' ? 'DeliveryDelay' : undefined;
        if (outcome) events.push({ message_seq: i + 1, account_id: '000000000000', type: outcome, payload: JSON.stringify({ eventType: outcome }), created_at: createdAt + 500 });
      }
      events.push({ message_seq: i + 1, account_id: '000000000000', type: 'Send', payload: JSON.stringify({ eventType: 'Send' }), created_at: createdAt });
    }
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('messages').values(messages).execute();
      await trx.insertInto('message_bodies').values(bodies).execute();
      await trx.insertInto('deliveries').values(deliveries).execute();
      await trx.insertInto('events').values(events).execute();
    });
  }
  // A running database has statistics (PostgreSQL's autovacuum analyzes, SQLite uses its own
  // heuristics); a table filled a second ago has none yet, and the planner would guess.
  if (opts.postgres) await sql`analyze`.execute(db);
  console.log(`seeded ${N} messages in ${((Date.now() - started) / 1000).toFixed(1)} s (${opts.postgres ? 'postgres' : 'sqlite'})`);
  await opened.close();
}

await seed();
const app = await startApp(
  loadConfig({ env: { SESD_HTTP_PORT: '0', SESD_SMTP_PORT: '0', SESD_SMTPS_PORT: '0', SESD_DATA_DIR: dataDir, SESD_DATABASE_URL: databaseUrl, SESD_ROLE: 'api' } }),
  pino({ level: 'silent' }),
);
const QUERIES: [string, string][] = [
  ['first page (50)', ''],
  ['second page', 'CURSOR'],
  ['to: whole address', 'to:user77777@example27.net'],
  ['to: part', 'to:copy9999'],
  ['from:', 'from:shop7@'],
  ['subject:', 'subject:"Order 4242 "'],
  ['tag:name=value', 'tag:campaign=c42'],
  ['set:', 'set:marketing'],
  ['status:bounced', 'status:bounced'],
  ['status:delivered', 'status:delivered'],
  ['status:queued + to: part', 'status:queued to:example3'],
  ['after:/before:', 'after:2026-01-01T10:00:00Z before:2026-01-01T11:00:00Z'],
  ['free text, rare', 'confirmation 99999'],
  ['free text, no match', 'nothing-matches-this'],
];
const first = (await (await fetch(`${app.httpUrl}/_sesd/api/messages`)).json()) as { nextCursor: string };
// Wall time depends on what else the machine runs; CPU time of this process (sesd answers in it,
// SQLite queries run on its thread) much less so.
console.log(`| query | median ms | slowest ms | median CPU ms | found |\n|---|---|---|---|---|`);
for (const [name, q] of QUERIES) {
  const url = q === 'CURSOR' ? `${app.httpUrl}/_sesd/api/messages?cursor=${first.nextCursor}` : `${app.httpUrl}/_sesd/api/messages?q=${encodeURIComponent(q)}`;
  let found = 0;
  const times: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r <= RUNS; r++) {
    const t = performance.now();
    const c = process.cpuUsage();
    const res = await fetch(url);
    const body = (await res.json()) as { messages: unknown[] };
    if (res.status !== 200) throw new Error(`${name}: ${res.status} ${JSON.stringify(body)}`);
    const used = process.cpuUsage(c);
    if (r > 0) {
      times.push(performance.now() - t);
      cpu.push((used.user + used.system) / 1000);
    }
    found = body.messages.length;
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`| ${name} | ${median(times).toFixed(1)} | ${Math.max(...times).toFixed(1)} | ${median(cpu).toFixed(1)} | ${found} |`);
}
await app.close();
await dropSchema?.();
rmSync(dataDir, { recursive: true, force: true });
