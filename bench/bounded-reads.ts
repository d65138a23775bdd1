// How long GET /_aws/ses takes at a given store size, and what the worst templates cost the event
// loop: seeds N messages (default 20,000) through the repository into a fresh SQLite store (or
// PostgreSQL with --postgres URL), starts sesd in-process and times the first page, a page from the
// end, and the event loop's longest stall while the worst templates render.
//
//   npx tsx bench/bounded-reads.ts [--messages 20000] [--postgres postgres://...]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';
import { renderTemplate } from '../src/domain/templates/render.js';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '20000' }, postgres: { type: 'string', default: '' } } });
const count = Number(values.messages);
const dataDir = mkdtempSync(join(tmpdir(), 'sesd-bench-'));
const app = await startApp(
  loadConfig({ env: { SESD_HTTP_PORT: '0', SESD_SMTP_PORT: 'off', SESD_SMTPS_PORT: 'off', SESD_DATA_DIR: dataDir, SESD_DATABASE_URL: values.postgres, SESD_ROLE: 'api' } }),
  pino({ level: 'silent' }),
);
try {
  await app.store.messages.delete();
  const body = `Subject: bench\r\nContent-Type: text/plain\r\n\r\n${'Lorem ipsum dolor sit amet. '.repeat(40)}\r\n`;
  const seeded = Date.now();
  for (let i = 0; i < count; i += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, count - i) }, (_, j) =>
        app.store.messages.insert({
          id: `bench-${String(i + j).padStart(8, '0')}`,
          accountId: '000000000000',
          region: 'us-east-1',
          sourceApi: 'sesv2',
          envelopeFrom: 'from@example.com',
          fromHeader: 'from@example.com',
          subject: 'bench',
          destination: { ToAddresses: ['to@example.net'] },
          configurationSet: null,
          tags: [],
          raw: Buffer.from(body),
          createdAt: 1_700_000_000_000 + i + j,
          recipients: [],
          events: [],
        }),
      ),
    );
  }
  console.log(`seeded ${count} messages of ${body.length} bytes in ${Date.now() - seeded} ms (${app.store.dialect})`);

  const timed = async (label: string, url: string) => {
    const started = performance.now();
    const res = await fetch(url);
    const page = (await res.json()) as { messages: unknown[]; nextToken?: string };
    console.log(`${label}: ${(performance.now() - started).toFixed(0)} ms, ${page.messages.length} messages, ${res.headers.get('content-length') ?? '?'} bytes`);
    return page;
  };
  await timed('first page (warm-up)', `${app.httpUrl}/_aws/ses`);
  await timed('first page, limit 100', `${app.httpUrl}/_aws/ses`);
  await timed('first page, limit 1000', `${app.httpUrl}/_aws/ses?limit=1000`);
  const last = Buffer.from(JSON.stringify([1_700_000_000_000 + count - 101, `bench-${String(count - 101).padStart(8, '0')}`])).toString('base64url');
  await timed('last page, limit 100', `${app.httpUrl}/_aws/ses?after=${last}`);
  await timed('one sender, limit 100', `${app.httpUrl}/_aws/ses?email=from@example.com`);

  const worst: [string, string][] = [
    ['{{#if}} nested 10,000 deep', '{{#if a}}'.repeat(10_000) + 'x' + '{{/if}}'.repeat(10_000)],
    ['500 KB of {{#if}} blocks nested 100 deep', ('{{#if a}}'.repeat(100) + 'x' + '{{/if}}'.repeat(100)).repeat(300)],
    ['inline partials doubling 20 times (84 MB)', doubling()],
  ];
  await Promise.all([renderTemplate({ text: 'warm-up' }, {}), renderTemplate({ text: 'warm-up' }, {})]); // the threads' own start
  for (const [label, text] of worst) {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    const outcome = await renderTemplate({ text }, { a: 1 }).then(
      (r) => `rendered ${r.text.length} chars`,
      (err: Error) => err.message,
    );
    delay.disable();
    console.log(`${label}: ${(performance.now() - started).toFixed(0)} ms, event loop stalled at most ${(delay.max / 1e6).toFixed(0)} ms: ${outcome}`);
  }
} finally {
  await app.store.messages.delete();
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
}

function doubling(): string {
  let source = `{{#*inline "p0"}}${'x'.repeat(80)}{{/inline}}`;
  for (let i = 1; i <= 20; i++) source += `{{#*inline "p${i}"}}{{> p${i - 1}}}{{> p${i - 1}}}{{/inline}}`;
  return `${source}{{> p20}}`;
}
