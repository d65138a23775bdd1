// The delivery queue's two indexes hold only the rows the queue looks for. deliveries_due served the
// claim (recipients queued or deferred, soonest due first) and deliveries_lease the reaper (leases
// that ran out); yet every recipient had an entry in both, though most are settled at once
// (captured, suppressed) or soon (delivered, bounced) and never looked for again. Their entries
// were 2 of the ~18 index insertions a simple captured message costs, on the writer's thread and,
// on PostgreSQL, in the backend whose CPU limits a node. The claim's and the console's conditions
// name the statuses as literals (a bound parameter cannot prove a partial index's condition), and
// `locked_until < ?` implies `locked_until is not null` on both databases. The columns stay as they
// were, so the queries' plans do not change.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index deliveries_due`.execute(db);
  await sql`create index deliveries_due on deliveries (status, next_attempt_at) where status in ('queued', 'deferred')`.execute(db);
  await sql`drop index deliveries_lease`.execute(db);
  await sql`create index deliveries_lease on deliveries (locked_until) where locked_until is not null`.execute(db);
}
