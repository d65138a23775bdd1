// Events looked up by message and type (delivery reads each claimed message's Send event, the
// event dispatcher the Send events of the messages it publishes for). With an index on message_id
// alone, PostgreSQL planned `message_id in (...) and type = 'Send'` on events_created's second column
// while its statistics lagged a growing table: a scan of every Send event (measured: 5–7 ms per
// 100 messages, a tenth of PostgreSQL's time under SendEmail load). An index on both columns is the
// plan whatever the statistics say; it serves lookups by message alone as the old one did.
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.createIndex('events_message_type').on('events').columns(['message_id', 'type']).execute();
  await db.schema.dropIndex('events_message').execute();
}
