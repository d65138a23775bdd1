// Amazon Pinpoint's email side: applications (projects) with their settings, one email channel per
// application, endpoints, and message templates with their versions.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bool = dialect === 'postgres' ? sql.raw('boolean') : sql.raw('integer');
  const scoped = (table: string) =>
    db.schema
      .createTable(table)
      .addColumn('account_id', 'varchar(12)', (c) => c.notNull())
      .addColumn('region', 'varchar(32)', (c) => c.notNull());

  await scoped('pinpoint_apps')
    .addColumn('id', 'varchar(32)', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('settings_updated_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('pinpoint_apps_pk', ['account_id', 'region', 'id'])
    .execute();
  // GetApps pages in creation order.
  await db.schema.createIndex('pinpoint_apps_created').on('pinpoint_apps').columns(['account_id', 'region', 'created_at', 'id']).execute();

  await scoped('pinpoint_email_channels')
    .addColumn('application_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('from_address', 'text', (c) => c.notNull())
    .addColumn('identity', 'text', (c) => c.notNull())
    .addColumn('configuration_set', 'text')
    .addColumn('role_arn', 'text')
    .addColumn('orchestration_sending_role_arn', 'text')
    .addColumn('enabled', bool, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('pinpoint_email_channels_pk', ['account_id', 'region', 'application_id'])
    .execute();

  await scoped('pinpoint_endpoints')
    .addColumn('application_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('id', 'varchar(256)', (c) => c.notNull())
    .addColumn('channel_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('endpoint_status', 'varchar(16)', (c) => c.notNull())
    .addColumn('opt_out', 'varchar(16)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(256)')
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('cohort_id', 'varchar(4)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('pinpoint_endpoints_pk', ['account_id', 'region', 'application_id', 'id'])
    .execute();
  // SendUsersMessages finds a user's endpoints; an update deactivates other endpoints with its address.
  await db.schema.createIndex('pinpoint_endpoints_user').on('pinpoint_endpoints').columns(['account_id', 'region', 'application_id', 'user_id']).execute();
  await db.schema.createIndex('pinpoint_endpoints_address').on('pinpoint_endpoints').columns(['account_id', 'region', 'application_id', 'address']).execute();

  await scoped('pinpoint_templates')
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('active_version', 'integer', (c) => c.notNull())
    .addColumn('latest_version', 'integer', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('pinpoint_templates_pk', ['account_id', 'region', 'name', 'type'])
    .execute();

  await scoped('pinpoint_template_versions')
    .addColumn('name', 'varchar(128)', (c) => c.notNull())
    .addColumn('type', 'varchar(16)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('pinpoint_template_versions_pk', ['account_id', 'region', 'name', 'type', 'version'])
    .execute();
}
