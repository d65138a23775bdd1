// deliveries_message (message_id), from migration 001, is the prefix of migration 013's
// deliveries_message_status (message_id, status), which serves every lookup by message_id (and the
// foreign key's) as well; keeping both cost 79 bytes per message on disk (bench/storage.ts) and a
// second index write per recipient.
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.dropIndex('deliveries_message').ifExists().execute();
}
