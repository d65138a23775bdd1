// Where an access key came from, so that keys provisioned from SESD_ACCESS_KEYS are managed by that
// list (a key removed from it stops working at the next start) while keys made with `sesd keys`
// or generated on first start are left alone. Keys from before this column count as `cli`.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('access_keys').addColumn('source', 'varchar(16)', (c) => c.notNull().defaultTo('cli')).execute();
}
