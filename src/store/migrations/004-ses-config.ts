// SES v2 configuration resources: email templates, custom verification email templates,
// configuration sets with their event destinations, contact lists and contacts, resource tags
// (by ARN, for every taggable resource), and sesd's own settings (the unsubscribe-link secret).
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bool = dialect === 'postgres' ? sql.raw('boolean') : sql.raw('integer');
  const scoped = (table: string) =>
    db.schema
      .createTable(table)
      .addColumn('account_id', 'varchar(12)', (c) => c.notNull())
      .addColumn('region', 'varchar(32)', (c) => c.notNull());

  await scoped('email_templates')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('text_part', 'text')
    .addColumn('html_part', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('email_templates_pk', ['account_id', 'region', 'name'])
    .execute();
  // ListEmailTemplates pages newest first.
  await db.schema.createIndex('email_templates_created').on('email_templates').columns(['account_id', 'region', 'created_at']).execute();

  await scoped('custom_verification_templates')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('from_email_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('success_redirection_url', 'text', (c) => c.notNull())
    .addColumn('failure_redirection_url', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('custom_verification_templates_pk', ['account_id', 'region', 'name'])
    .execute();

  await scoped('configuration_sets')
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('configuration_sets_pk', ['account_id', 'region', 'name'])
    .execute();

  await scoped('event_destinations')
    .addColumn('configuration_set', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_destinations_pk', ['account_id', 'region', 'configuration_set', 'name'])
    .execute();

  await scoped('contact_lists')
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('topics', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_lists_pk', ['account_id', 'region', 'name'])
    .execute();

  await scoped('contacts')
    .addColumn('contact_list', 'varchar(64)', (c) => c.notNull())
    .addColumn('email_address', 'varchar(320)', (c) => c.notNull())
    .addColumn('topic_preferences', 'text', (c) => c.notNull())
    .addColumn('unsubscribe_all', bool, (c) => c.notNull())
    .addColumn('attributes_data', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('contacts_pk', ['account_id', 'region', 'contact_list', 'email_address'])
    .execute();

  await db.schema
    .createTable('resource_tags')
    .addColumn('arn', 'text', (c) => c.notNull())
    .addColumn('tag_key', 'varchar(128)', (c) => c.notNull())
    .addColumn('tag_value', 'varchar(256)', (c) => c.notNull())
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('resource_tags_pk', ['arn', 'tag_key'])
    .execute();

  await db.schema
    .createTable('settings')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}
