// SES v1 identity notification settings (SNS topics per notification type, headers in
// notifications), kept as one JSON column.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('identities').addColumn('notifications', 'text', (c) => c.notNull().defaultTo('{}')).execute();
}
