// Indexes for reading messages in bounded pieces. GET /_aws/ses pages in (created_at, id) order,
// after a cursor, optionally for one sender (LocalStack's `?email=`); the retention reaper walks the
// oldest messages first. (created_at, id) replaces the index on created_at alone, so each insert
// still maintains the same number of indexes plus the sender's.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('messages_created_id').on('messages').columns(['created_at', 'id']).execute();
  await db.schema.dropIndex('messages_created').execute();
  await db.schema.createIndex('messages_sender_created').on('messages').columns(['envelope_from', 'created_at', 'id']).execute();
}
