// SES v2 resources of the identity and policy side: identities (with verification and DKIM state),
// their sending-authorization policies, the account-level suppression list and account settings.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bool = dialect === 'postgres' ? sql.raw('boolean') : sql.raw('integer');

  await db.schema
    .createTable('identities')
    .addColumn('account_id', 'varchar(12)', (c) => c.notNull())
    .addColumn('region', 'varchar(32)', (c) => c.notNull())
    .addColumn('identity', 'varchar(320)', (c) => c.notNull())
    .addColumn('type', 'varchar(20)', (c) => c.notNull())
    .addColumn('verification_status', 'varchar(20)', (c) => c.notNull())
    .addColumn('verification_token', 'varchar(128)', (c) => c.notNull())
    .addColumn('dkim_origin', 'varchar(20)', (c) => c.notNull())
    .addColumn('dkim_signing_enabled', bool, (c) => c.notNull())
    .addColumn('dkim_status', 'varchar(20)', (c) => c.notNull())
    .addColumn('dkim_tokens', 'text', (c) => c.notNull())
    .addColumn('dkim_private_key', 'text')
    .addColumn('dkim_public_key', 'text')
    .addColumn('dkim_key_length', 'varchar(16)')
    .addColumn('mail_from_domain', 'text')
    .addColumn('mail_from_behavior', 'varchar(32)', (c) => c.notNull())
    .addColumn('feedback_forwarding', bool, (c) => c.notNull())
    .addColumn('configuration_set', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('verified_at', 'bigint')
    .addColumn('checked_at', 'bigint')
    .addPrimaryKeyConstraint('identities_pk', ['account_id', 'region', 'identity'])
    .execute();
  await db.schema.createIndex('identities_pending').on('identities').columns(['verification_status', 'checked_at']).execute();
  await db.schema.createIndex('identities_token').on('identities').column('verification_token').execute();

  await db.schema
    .createTable('identity_policies')
    .addColumn('account_id', 'varchar(12)', (c) => c.notNull())
    .addColumn('region', 'varchar(32)', (c) => c.notNull())
    .addColumn('identity', 'varchar(320)', (c) => c.notNull())
    .addColumn('policy_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('policy', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('identity_policies_pk', ['account_id', 'region', 'identity', 'policy_name'])
    .execute();

  await db.schema
    .createTable('suppressed_destinations')
    .addColumn('account_id', 'varchar(12)', (c) => c.notNull())
    .addColumn('region', 'varchar(32)', (c) => c.notNull())
    .addColumn('email_address', 'varchar(320)', (c) => c.notNull())
    .addColumn('reason', 'varchar(16)', (c) => c.notNull())
    .addColumn('message_id', 'varchar(128)')
    .addColumn('feedback_id', 'varchar(128)')
    .addColumn('last_update', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('suppressed_destinations_pk', ['account_id', 'region', 'email_address'])
    .execute();

  await db.schema
    .createTable('account_settings')
    .addColumn('account_id', 'varchar(12)', (c) => c.notNull())
    .addColumn('region', 'varchar(32)', (c) => c.notNull())
    .addColumn('sending_enabled', bool, (c) => c.notNull())
    .addColumn('production_access', bool, (c) => c.notNull())
    .addColumn('max_send_rate', 'double precision', (c) => c.notNull())
    .addColumn('max_24_hour_send', 'double precision', (c) => c.notNull())
    .addColumn('suppressed_reasons', 'text', (c) => c.notNull())
    .addColumn('details', 'text')
    .addPrimaryKeyConstraint('account_settings_pk', ['account_id', 'region'])
    .execute();
}
