// Event publishing: each outbox event's dispatch state (a lease like the delivery queue's, the next
// attempt, when it was done), every publish attempt per destination, and the counters behind
// GET /metrics (shared through the database, so every node's and thread's figures add up).
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('events').addColumn('dispatched_at', 'bigint').execute();
  // Where bounce and complaint notices go by email (feedback forwarding) when it is not the
  // envelope sender: SES v1 ReturnPath, else v2 FeedbackForwardingEmailAddress.
  await db.schema.alterTable('messages').addColumn('feedback_address', 'text').execute();
  await db.schema.alterTable('events').addColumn('next_dispatch_at', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('events').addColumn('dispatch_attempts', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('events').addColumn('locked_by', 'text').execute();
  await db.schema.alterTable('events').addColumn('locked_until', 'bigint').execute();
  // Events written before sesd published anything were never meant to be published: publishing a
  // database's whole history at the first start of this version would flood every destination.
  await sql`update events set dispatched_at = created_at`.execute(db);
  // The dispatcher's claim reads only pending events; a partial index keeps that small however long
  // the history grows (both dialects have partial indexes).
  await sql`create index events_pending on events (next_dispatch_at, id) where dispatched_at is null`.execute(db);

  await db.schema
    .createTable('event_publications')
    .addColumn('id', dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key autoincrement`)
    .addColumn('event_id', 'bigint', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'varchar(12)', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    /** Which destination: `configuration-set/<set>/<destination>` or `identity/<identity>/<Bounce|Complaint|Delivery>`. */
    .addColumn('destination', 'text', (c) => c.notNull())
    /** sns | eventbridge | firehose | cloudwatch | pinpoint */
    .addColumn('kind', 'text', (c) => c.notNull())
    /** Topic ARN, endpoint URL or metric name. */
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    /** published | failed (tried again later) | undeliverable (given up, with the reason) */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    /** The destination's id for what it received (SNS MessageId, EventBridge EventId, Firehose RecordId). */
    .addColumn('remote_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('event_publications_message').on('event_publications').columns(['message_id', 'id']).execute();
  await db.schema.createIndex('event_publications_event').on('event_publications').columns(['event_id']).execute();

  await db.schema
    .createTable('metric_counters')
    .addColumn('name', 'text', (c) => c.notNull())
    /** Canonical JSON of the label set ({} for none), sorted by key. */
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('metric_counters_pk', ['name', 'labels'])
    .execute();
}
