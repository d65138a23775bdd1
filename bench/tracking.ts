// Open and click tracking's cost: SendEmail accepted per second (capture mode, SQLite, in-process)
// with tracking off and on (the cost sits at intake: a copy per recipient, each HTML part rewritten),
// for 1 and 10 recipients; then the click redirect's rate, whose events are queued, not written.
// The clicks go round the links of the last tracked messages: sesd records at most 100 events per
// link and recipient an hour, and one link clicked thousands of times would measure the refusal.
//
//   npx tsx bench/tracking.ts [--seconds 5] [--concurrency 20]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateConfigurationSetCommand, CreateConfigurationSetEventDestinationCommand, SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { pino } from 'pino';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';

const KEY = { accessKeyId: 'AKIABENCHTRACKING000', secretAccessKey: 'bench-tracking-secret-000000000000000000' };
// A newsletter-sized HTML part: ~20 KB, 40 links.
const HTML = `<html><body>${Array.from({ length: 40 }, (_, i) => `<p>Item ${i}: some text about it &amp; more. <a href="https://shop.example/item/${i}?utm_source=mail" ses:tags="item:${i}">See item ${i}</a></p>${'<span>filler </span>'.repeat(20)}`).join('\n')}</body></html>`;

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, concurrency: { type: 'string', default: '20' } } });
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const dir = mkdtempSync(join(tmpdir(), 'sesd-bench-tracking-'));
const app = await startApp(
  loadConfig({
    env: { SESD_HTTP_PORT: '0', SESD_SMTP_PORT: 'off', SESD_SMTPS_PORT: 'off', SESD_DATA_DIR: dir, SESD_AUTO_VERIFY: 'true', SESD_ACCESS_KEYS: `${KEY.accessKeyId}:${KEY.secretAccessKey}`, SESD_ROLE: 'api' },
  }),
  pino({ level: 'warn' }),
);
const ses = new SESv2Client({ endpoint: app.httpUrl, region: 'us-east-1', credentials: KEY });
await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'tracked' }));
await ses.send(
  new CreateConfigurationSetEventDestinationCommand({
    ConfigurationSetName: 'tracked',
    EventDestinationName: 'bus',
    EventDestination: { Enabled: true, MatchingEventTypes: ['OPEN', 'CLICK'], EventBridgeDestination: { EventBusArn: 'arn:aws:events:us-east-1:000000000000:event-bus/default' } },
  }),
);

async function rate(call: () => Promise<unknown>): Promise<number> {
  let done = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await call();
        done++;
      }
    }),
  );
  return done / seconds;
}

const rows: string[][] = [];
const trackedMessageIds: string[] = [];
for (const recipients of [1, 10]) {
  for (const tracked of [false, true]) {
    const perSecond = await rate(async () => {
      const out = await ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'news@example.com',
          Destination: { ToAddresses: Array.from({ length: recipients }, (_, i) => `r${i}@example.net`) },
          ConfigurationSetName: tracked ? 'tracked' : undefined,
          Content: { Simple: { Subject: { Data: 'News' }, Body: { Html: { Data: HTML }, Text: { Data: 'News' } } } },
        }),
      );
      if (tracked) trackedMessageIds.push(out.MessageId!);
    });
    rows.push([`SendEmail, ${recipients} recipient(s)`, tracked ? 'on' : 'off', perSecond.toFixed(0)]);
  }
}
// The stored copies (the first recipient's) of the last tracked messages have 40 click links each.
const links: string[] = [];
for (const id of trackedMessageIds.slice(-20)) {
  const captured = (await (await fetch(`${app.httpUrl}/_aws/ses?id=${id}`)).json()) as { messages: { Body: { html_part: string } }[] };
  for (const m of captured.messages[0]!.Body.html_part.matchAll(/href="([^"]+\/_sesd\/track\/click\/[^"]+)"/g)) links.push(m[1]!);
}
let next = 0;
const clicks = await rate(async () => {
  const res = await fetch(links[next++ % links.length]!, { redirect: 'manual' });
  await res.arrayBuffer();
});
rows.push(['click redirect (302 + queued event)', 'on', clicks.toFixed(0)]);
await app.close();
rmSync(dir, { recursive: true, force: true });

console.log(`\n| what | tracking | per second |\n|---|---|---|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
