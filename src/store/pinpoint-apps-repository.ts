// Pinpoint applications with their settings and their email channel. Deleting an application
// deletes its channel and endpoints in the same transaction.
import type { Kysely, Selectable } from 'kysely';
import type { AppCursor } from '../domain/pinpoint/apps-service.js';
import type { AppSettings, PinpointApp } from '../domain/pinpoint/app.js';
import type { EmailChannel } from '../domain/pinpoint/email-channel.js';
import type { Scope } from '../domain/identities/identity.js';
import type { Database, PinpointAppsTable, PinpointEmailChannelsTable } from './schema.js';

export class PinpointAppsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(app: PinpointApp): Promise<void> {
    await this.db
      .insertInto('pinpoint_apps')
      .values({
        account_id: app.accountId,
        region: app.region,
        id: app.id,
        name: app.name,
        tags: JSON.stringify(app.tags),
        settings: '{}',
        settings_updated_at: app.createdAt,
        created_at: app.createdAt,
      })
      .execute();
  }

  async get(scope: Scope, id: string): Promise<PinpointApp | undefined> {
    const row = await this.db
      .selectFrom('pinpoint_apps')
      .selectAll()
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toApp(row);
  }

  /** Oldest first; `after` is the last application of the previous page. */
  async list(scope: Scope, page: { after?: AppCursor; limit: number }): Promise<PinpointApp[]> {
    let q = this.db.selectFrom('pinpoint_apps').selectAll().where('account_id', '=', scope.accountId).where('region', '=', scope.region);
    const after = page.after;
    if (after) {
      q = q.where((eb) => eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)])]));
    }
    const rows = await q.orderBy('created_at').orderBy('id').limit(page.limit).execute();
    return rows.map(toApp);
  }

  async delete(scope: Scope, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      for (const table of ['pinpoint_endpoints', 'pinpoint_email_channels'] as const) {
        await trx.deleteFrom(table).where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('application_id', '=', id).execute();
      }
      const res = await trx
        .deleteFrom('pinpoint_apps')
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    });
  }

  async settings(scope: Scope, id: string): Promise<AppSettings | undefined> {
    const row = await this.db
      .selectFrom('pinpoint_apps')
      .select(['settings', 'settings_updated_at'])
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { settings: JSON.parse(row.settings) as Record<string, unknown>, updatedAt: Number(row.settings_updated_at) };
  }

  /** False when there is no such application. */
  async putSettings(scope: Scope, id: string, settings: AppSettings): Promise<boolean> {
    const res = await this.db
      .updateTable('pinpoint_apps')
      .set({ settings: JSON.stringify(settings.settings), settings_updated_at: settings.updatedAt })
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async emailChannel(scope: Scope, applicationId: string): Promise<EmailChannel | undefined> {
    const row = await this.db
      .selectFrom('pinpoint_email_channels')
      .selectAll()
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('application_id', '=', applicationId)
      .executeTakeFirst();
    return row && toChannel(row);
  }

  async putEmailChannel(c: EmailChannel): Promise<void> {
    const columns = {
      from_address: c.fromAddress,
      identity: c.identity,
      configuration_set: c.configurationSet ?? null,
      role_arn: c.roleArn ?? null,
      orchestration_sending_role_arn: c.orchestrationSendingRoleArn ?? null,
      enabled: c.enabled ? 1 : 0,
      version: c.version,
      updated_at: c.updatedAt,
    };
    await this.db
      .insertInto('pinpoint_email_channels')
      .values({ account_id: c.accountId, region: c.region, application_id: c.applicationId, ...columns, created_at: c.createdAt })
      .onConflict((oc) => oc.columns(['account_id', 'region', 'application_id']).doUpdateSet(columns))
      .execute();
  }

  async deleteEmailChannel(scope: Scope, applicationId: string): Promise<void> {
    await this.db
      .deleteFrom('pinpoint_email_channels')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('application_id', '=', applicationId)
      .execute();
  }
}

function toApp(r: Selectable<PinpointAppsTable>): PinpointApp {
  return { accountId: r.account_id, region: r.region, id: r.id, name: r.name, tags: JSON.parse(r.tags) as Record<string, string>, createdAt: Number(r.created_at) };
}

function toChannel(r: Selectable<PinpointEmailChannelsTable>): EmailChannel {
  const channel: EmailChannel = {
    accountId: r.account_id,
    region: r.region,
    applicationId: r.application_id,
    fromAddress: r.from_address,
    identity: r.identity,
    enabled: Boolean(r.enabled),
    version: Number(r.version),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
  if (r.configuration_set !== null) channel.configurationSet = r.configuration_set;
  if (r.role_arn !== null) channel.roleArn = r.role_arn;
  if (r.orchestration_sending_role_arn !== null) channel.orchestrationSendingRoleArn = r.orchestration_sending_role_arn;
  return channel;
}
