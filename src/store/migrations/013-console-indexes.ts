// Indexes for the console's queries (src/store/console-queries.ts). The message list pages newest
// first on (created_at, id). On SQLite that index also holds every column a search filters on, so
// a search scans the index instead of the table, whose rows carry the raw bodies (measured at
// 100,000 messages: a subject or free-text search 440–620 ms → see bench/console.ts). PostgreSQL
// keeps large rows' bodies out of line (TOAST) and caps a btree entry at ~2.7 kB, which a long
// recipient list would exceed, so there the index is (created_at, id) only.
// The change feed reads deliveries by updated_at; `status:` asks per message whether a recipient
// has that status; `to:` looks recipients up by address; the statistics read events by time.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') {
    await sql`create index messages_search on messages (created_at, id, account_id, region, configuration_set, envelope_from, from_header, subject, tags, destination)`.execute(db);
  } else {
    await db.schema.createIndex('messages_created_id').on('messages').columns(['created_at', 'id']).execute();
  }
  await db.schema.createIndex('deliveries_updated').on('deliveries').column('updated_at').execute();
  await db.schema.createIndex('deliveries_message_status').on('deliveries').columns(['message_id', 'status']).execute();
  await db.schema.createIndex('deliveries_recipient').on('deliveries').columns(['recipient', 'message_id']).execute();
  await db.schema.createIndex('events_created').on('events').columns(['created_at', 'type']).execute();
}
