// sesd's SNS service: topics, subscriptions, the outbox of messages to deliver to subscriptions
// (one row per message and subscription, claimed under a lease like the mail queue) and the log of
// every delivery attempt.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const idColumn = dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key autoincrement`;

  await db.schema
    .createTable('sns_topics')
    .addColumn('arn', 'varchar(512)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(12)', (c) => c.notNull())
    .addColumn('region', 'varchar(32)', (c) => c.notNull())
    .addColumn('name', 'varchar(256)', (c) => c.notNull())
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sns_topics_scope').on('sns_topics').columns(['account_id', 'region', 'arn']).execute();

  await db.schema
    .createTable('sns_subscriptions')
    .addColumn('arn', 'varchar(600)', (c) => c.primaryKey())
    .addColumn('topic_arn', 'varchar(512)', (c) => c.notNull())
    .addColumn('account_id', 'varchar(12)', (c) => c.notNull())
    .addColumn('region', 'varchar(32)', (c) => c.notNull())
    .addColumn('protocol', 'varchar(16)', (c) => c.notNull())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('owner', 'varchar(12)', (c) => c.notNull())
    .addColumn('confirmed', 'integer', (c) => c.notNull())
    .addColumn('token', 'varchar(256)', (c) => c.notNull())
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sns_subscriptions_topic').on('sns_subscriptions').columns(['topic_arn', 'arn']).execute();
  await db.schema.createIndex('sns_subscriptions_scope').on('sns_subscriptions').columns(['account_id', 'region', 'arn']).execute();
  await db.schema.createIndex('sns_subscriptions_token').on('sns_subscriptions').column('token').execute();

  await db.schema
    .createTable('sns_deliveries')
    .addColumn('id', idColumn)
    .addColumn('subscription_arn', 'varchar(600)', (c) => c.notNull())
    .addColumn('message_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('type', 'varchar(32)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_by', 'varchar(64)')
    .addColumn('locked_until', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // The dispatcher claims due pending rows; the reaper looks for expired leases.
  await db.schema.createIndex('sns_deliveries_due').on('sns_deliveries').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('sns_deliveries_lease').on('sns_deliveries').column('locked_until').execute();
  await db.schema.createIndex('sns_deliveries_subscription').on('sns_deliveries').columns(['subscription_arn', 'id']).execute();
  await db.schema.createIndex('sns_deliveries_message').on('sns_deliveries').column('message_id').execute();

  await db.schema
    .createTable('sns_delivery_attempts')
    .addColumn('id', idColumn)
    .addColumn('delivery_id', 'bigint', (c) => c.notNull())
    .addColumn('subscription_arn', 'varchar(600)', (c) => c.notNull())
    .addColumn('message_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sns_delivery_attempts_subscription').on('sns_delivery_attempts').columns(['subscription_arn', 'id']).execute();
  await db.schema.createIndex('sns_delivery_attempts_message').on('sns_delivery_attempts').column('message_id').execute();
}
