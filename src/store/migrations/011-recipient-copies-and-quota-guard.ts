// Two things intake needs to keep its word:
// - deliveries.raw: a recipient's own copy of the message, when it differs from the one stored with
//   the message (list-managed mail: each recipient's unsubscribe link names that recipient). NULL:
//   the message's copy.
// - account_settings' quota guard: intake's transaction sets these flags from a count of the
//   recipients accepted in the window, and the CHECK constraints refuse a flag of 0, which aborts the
//   transaction that would go over the quota (see store/quota-guard.ts). The constraint names are
//   what the store recognises in the error.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('deliveries').addColumn('raw', dialect === 'postgres' ? 'bytea' : 'blob').execute();
  await sql`alter table account_settings add column daily_quota_ok integer not null default 1 constraint daily_quota check (daily_quota_ok = 1)`.execute(db);
  await sql`alter table account_settings add column send_rate_ok integer not null default 1 constraint send_rate check (send_rate_ok = 1)`.execute(db);
}
