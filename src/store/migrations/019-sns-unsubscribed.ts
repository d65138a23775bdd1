// Unsubscribed SNS subscriptions, kept for a while: an HTTP/S subscriber is sent an
// UnsubscribeConfirmation whose SubscribeURL restores the subscription, as SNS does, and
// GetTopicAttributes counts them as SubscriptionsDeleted.
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('sns_unsubscribed')
    .addColumn('token', 'varchar(256)', (c) => c.primaryKey())
    .addColumn('topic_arn', 'varchar(512)', (c) => c.notNull())
    .addColumn('subscription', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sns_unsubscribed_topic').on('sns_unsubscribed').columns(['topic_arn', 'deleted_at']).execute();
}
