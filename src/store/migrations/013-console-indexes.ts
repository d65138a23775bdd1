// Indexes for the console's queries (src/store/console-queries.ts): the newest-first message list
// pages on (created_at, id); the change feed reads deliveries by updated_at; `to:` and `status:`
// look recipients up by address and by status per message; statistics read events by time.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('messages_created_id').on('messages').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('deliveries_updated').on('deliveries').column('updated_at').execute();
  await db.schema.createIndex('deliveries_recipient').on('deliveries').columns(['recipient', 'message_id']).execute();
  await db.schema.createIndex('events_created').on('events').columns(['created_at', 'type']).execute();
}
