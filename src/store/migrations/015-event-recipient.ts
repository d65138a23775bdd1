// events.recipient: the one recipient an Open or Click event is about. SES's open and click
// documents name no recipient (their `mail.destination` lists them all), yet GetMessageInsights
// shows each recipient's own opens and clicks. NULL for every other event.
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('events').addColumn('recipient', 'text').execute();
}
