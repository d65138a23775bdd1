// The reaper looks for expired leases; without an index that is a scan of every delivery ever made.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('deliveries_lease').on('deliveries').column('locked_until').execute();
}
