// Accounts, access keys, messages (raw MIME stored once), one delivery row per recipient, and the
// event outbox.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  // Auto-increment ids and blobs are where the dialects differ; events need ids for outbox order.
  const idColumn = dialect === 'postgres' ? sql`bigserial primary key` : sql`integer primary key autoincrement`;
  const blob = dialect === 'postgres' ? 'bytea' : 'blob';

  await db.schema
    .createTable('accounts')
    .addColumn('id', 'varchar(12)', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('access_keys')
    .addColumn('access_key_id', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('secret_access_key', 'varchar(128)', (c) => c.notNull())
    .addColumn('account_id', 'varchar(12)', (c) => c.notNull().references('accounts.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(12)', (c) => c.notNull())
    .addColumn('region', 'varchar(32)', (c) => c.notNull())
    .addColumn('source_api', 'varchar(16)', (c) => c.notNull())
    .addColumn('envelope_from', 'text', (c) => c.notNull())
    .addColumn('from_header', 'text')
    .addColumn('subject', 'text')
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('configuration_set', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('raw', sql.raw(blob), (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messages_account_created').on('messages').columns(['account_id', 'created_at']).execute();
  await db.schema.createIndex('messages_created').on('messages').column('created_at').execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', idColumn)
    .addColumn('message_id', 'varchar(128)', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'bigint')
    .addColumn('last_response', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('deliveries_message').on('deliveries').column('message_id').execute();
  await db.schema.createIndex('deliveries_due').on('deliveries').columns(['status', 'next_attempt_at']).execute();

  await db.schema
    .createTable('events')
    .addColumn('id', idColumn)
    .addColumn('message_id', 'varchar(128)', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('account_id', 'varchar(12)', (c) => c.notNull())
    .addColumn('type', 'varchar(32)', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_message').on('events').column('message_id').execute();
}
