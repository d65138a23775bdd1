// Storage per message: a fresh sesd (SQLite, capture mode) accepts N simple ~1.2 kB messages over
// SMTP (bench/smtp.ts's sessions), delivers them (a Send and a Delivery event each), stops; then
// the bench reads SQLite's dbstat and prints the bytes per message of each table and index next
// to the raw message size. Target: ≤ 1.5× the raw size.
//
//   npx tsx bench/storage.ts [--messages 5000] [--keep]   (after npm run build; --keep leaves the data directory for a look at its rows)
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { SmtpBenchSession } from './smtp-client.js';
import { makeMessages, sesdSession, startSesd } from './smtp.js';

const TARGET_RATIO = 1.5;
const SESSIONS = 10;
const DELIVERY_TIMEOUT_MS = 120_000;

const { values } = parseArgs({ options: { messages: { type: 'string' }, keep: { type: 'boolean' } } });
const count = Number(values.messages ?? 5000);
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sesd-bench-storage-'));
const dbFile = path.join(dataDir, 'sesd.db');
const server = await startSesd(dataDir);
try {
  process.stdout.write(`sesd storage benchmark — ${count} simple messages over SMTP, SQLite, capture mode\n`);
  const messages = makeMessages(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: SESSIONS }, async () => {
      const session = await SmtpBenchSession.open(sesdSession(server));
      while (next < messages.length) await session.send(messages[next++]!);
      session.quit();
    }),
  );
  const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
  while (pendingDeliveries() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await server.stop();

  const db = new Database(dbFile);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const stored = db.prepare(`SELECT count(*) AS n, avg(size) AS raw FROM messages`).get() as { n: number; raw: number };
  const events = db.prepare(`SELECT type, count(*) AS n, avg(length(payload)) AS bytes FROM events GROUP BY type ORDER BY type`).all() as { type: string; n: number; bytes: number }[];
  const objects = db.prepare(`SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC`).all() as { name: string; bytes: number }[];
  const tableOf = new Map((db.prepare(`SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')`).all() as { name: string; tbl_name: string }[]).map((r) => [r.name, r.tbl_name]));
  db.close();

  const perMessage = (bytes: number) => bytes / stored.n;
  const total = objects.reduce((sum, o) => sum + o.bytes, 0);
  const file = statSync(dbFile).size;
  process.stdout.write(`${stored.n} messages, raw ${stored.raw.toFixed(0)} bytes each; events: ${events.map((e) => `${e.n} ${e.type} (${e.bytes.toFixed(0)} bytes of payload each)`).join(', ')}\n`);
  process.stdout.write(`bytes per message by table and index (pages, incl. their free space):\n`);
  for (const o of objects) {
    const owner = tableOf.get(o.name);
    if (perMessage(o.bytes) >= 1) process.stdout.write(`  ${o.name.padEnd(40)} ${perMessage(o.bytes).toFixed(0).padStart(6)}${owner && owner !== o.name ? `  (index on ${owner})` : ''}\n`);
  }
  const ratio = perMessage(file) / stored.raw;
  process.stdout.write(`total: ${perMessage(total).toFixed(0)} bytes per message in pages, ${perMessage(file).toFixed(0)} in the file (${(file / 1e6).toFixed(1)} MB)\n`);
  process.stdout.write(`storage per message ${ratio.toFixed(2)}x the raw size: ${ratio <= TARGET_RATIO ? 'target met' : 'target not met'} (≤ ${TARGET_RATIO}x)\n`);
} finally {
  await server.stop();
  if (values.keep) process.stdout.write(`data directory kept: ${dataDir}\n`);
  else rmSync(dataDir, { recursive: true, force: true });
}

function pendingDeliveries(): number {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM deliveries WHERE status NOT IN ('delivered', 'bounced', 'suppressed')`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
