// Pinpoint message templates (one row per name and type) and their numbered versions.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Scope } from '../domain/identities/identity.js';
import type { TemplateWithVersion } from '../domain/pinpoint/templates-service.js';
import type { EmailTemplateContent, PinpointTemplate, TemplateType, TemplateVersion } from '../domain/pinpoint/template.js';
import type { Database, PinpointTemplatesTable, PinpointTemplateVersionsTable } from './schema.js';

export class PinpointTemplatesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** False when a template of that name and type already exists. */
  async create(t: PinpointTemplate, first: TemplateVersion): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const res = await trx
        .insertInto('pinpoint_templates')
        .values({
          account_id: t.accountId,
          region: t.region,
          name: t.name,
          type: t.type,
          active_version: t.activeVersion,
          latest_version: t.latestVersion,
          tags: JSON.stringify(t.tags),
          created_at: t.createdAt,
        })
        .onConflict((oc) => oc.columns(['account_id', 'region', 'name', 'type']).doNothing())
        .executeTakeFirst();
      if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await trx.insertInto('pinpoint_template_versions').values(versionRow(t, t.name, t.type, first)).execute();
      return true;
    });
  }

  async get(scope: Scope, name: string, type: TemplateType): Promise<PinpointTemplate | undefined> {
    const row = await this.templates(scope, type).selectAll().where('name', '=', name).executeTakeFirst();
    return row && toTemplate(row);
  }

  async version(scope: Scope, name: string, type: TemplateType, version: number): Promise<TemplateVersion | undefined> {
    const row = await this.versionsOf(scope, name, type).selectAll().where('version', '=', version).executeTakeFirst();
    return row && toVersion(row);
  }

  /** Oldest first; `after` is the last version of the previous page. */
  async versions(scope: Scope, name: string, type: TemplateType, page: { after?: number; limit: number }): Promise<TemplateVersion[]> {
    let q = this.versionsOf(scope, name, type).selectAll();
    if (page.after !== undefined) q = q.where('version', '>', page.after);
    const rows = await q.orderBy('version').limit(page.limit).execute();
    return rows.map(toVersion);
  }

  /** By name, each with its active version; `after` is the last name of the previous page. */
  async list(scope: Scope, page: { type: TemplateType; prefix?: string; after?: string; limit: number }): Promise<TemplateWithVersion[]> {
    let q = this.db
      .selectFrom('pinpoint_templates as t')
      .innerJoin('pinpoint_template_versions as v', (join) =>
        join
          .onRef('v.account_id', '=', 't.account_id')
          .onRef('v.region', '=', 't.region')
          .onRef('v.name', '=', 't.name')
          .onRef('v.type', '=', 't.type')
          .onRef('v.version', '=', 't.active_version'),
      )
      .selectAll('t')
      .select(['v.version', 'v.content', 'v.created_at as version_created_at', 'v.updated_at as version_updated_at'])
      .where('t.account_id', '=', scope.accountId)
      .where('t.region', '=', scope.region)
      .where('t.type', '=', page.type);
    // Not LIKE: a template name may contain its wildcard `_`. Not a range either: PostgreSQL's
    // collation may order `-` and `_` in ways a range would cut wrongly.
    const prefix = page.prefix;
    if (prefix) q = q.where(sql<boolean>`substr(${sql.ref('t.name')}, 1, ${prefix.length}) = ${prefix}`);
    if (page.after !== undefined) q = q.where('t.name', '>', page.after);
    const rows = await q.orderBy('t.name').limit(page.limit).execute();
    return rows.map((r) => ({
      template: toTemplate(r),
      version: toVersion({ version: r.version, content: r.content, created_at: r.version_created_at, updated_at: r.version_updated_at }),
    }));
  }

  async addVersion(t: PinpointTemplate, v: TemplateVersion): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('pinpoint_template_versions').values(versionRow(t, t.name, t.type, v)).execute();
      await trx
        .updateTable('pinpoint_templates')
        .set({ latest_version: v.version })
        .where('account_id', '=', t.accountId)
        .where('region', '=', t.region)
        .where('name', '=', t.name)
        .where('type', '=', t.type)
        .execute();
    });
  }

  async overwriteVersion(scope: Scope, name: string, type: TemplateType, version: number, content: EmailTemplateContent, updatedAt: number): Promise<void> {
    await this.db
      .updateTable('pinpoint_template_versions')
      .set({ content: JSON.stringify(content), updated_at: updatedAt })
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('name', '=', name)
      .where('type', '=', type)
      .where('version', '=', version)
      .execute();
  }

  async setActiveVersion(scope: Scope, name: string, type: TemplateType, version: number): Promise<void> {
    await this.templatesUpdate(scope, name, type).set({ active_version: version }).execute();
  }

  async delete(scope: Scope, name: string, type: TemplateType): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const table of ['pinpoint_template_versions', 'pinpoint_templates'] as const) {
        await trx
          .deleteFrom(table)
          .where('account_id', '=', scope.accountId)
          .where('region', '=', scope.region)
          .where('name', '=', name)
          .where('type', '=', type)
          .execute();
      }
    });
  }

  /**
   * Deletes one version. The last version takes the template with it; otherwise the active and the
   * latest version fall back to the newest remaining one when they were the deleted version.
   */
  async deleteVersion(t: PinpointTemplate, version: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const versions = new PinpointTemplatesRepository(trx);
      await trx
        .deleteFrom('pinpoint_template_versions')
        .where('account_id', '=', t.accountId)
        .where('region', '=', t.region)
        .where('name', '=', t.name)
        .where('type', '=', t.type)
        .where('version', '=', version)
        .execute();
      const { newest } = await versions
        .versionsOf(t, t.name, t.type)
        .select((eb) => eb.fn.max<number | null>('version').as('newest'))
        .executeTakeFirstOrThrow();
      if (newest === null) {
        await trx.deleteFrom('pinpoint_templates').where('account_id', '=', t.accountId).where('region', '=', t.region).where('name', '=', t.name).where('type', '=', t.type).execute();
        return;
      }
      const remaining = Number(newest);
      await versions
        .templatesUpdate(t, t.name, t.type)
        .set({ latest_version: remaining, active_version: t.activeVersion === version ? remaining : t.activeVersion })
        .execute();
    });
  }

  private templates(scope: Scope, type: TemplateType) {
    return this.db.selectFrom('pinpoint_templates').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('type', '=', type);
  }

  private templatesUpdate(scope: Scope, name: string, type: TemplateType) {
    return this.db
      .updateTable('pinpoint_templates')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('name', '=', name)
      .where('type', '=', type);
  }

  private versionsOf(scope: Scope, name: string, type: TemplateType) {
    return this.db
      .selectFrom('pinpoint_template_versions')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('name', '=', name)
      .where('type', '=', type);
  }
}

function versionRow(scope: Scope, name: string, type: TemplateType, v: TemplateVersion) {
  return {
    account_id: scope.accountId,
    region: scope.region,
    name,
    type,
    version: v.version,
    content: JSON.stringify(v.content),
    created_at: v.createdAt,
    updated_at: v.updatedAt,
  };
}

function toTemplate(r: Selectable<PinpointTemplatesTable>): PinpointTemplate {
  return {
    accountId: r.account_id,
    region: r.region,
    name: r.name,
    type: r.type as TemplateType,
    activeVersion: Number(r.active_version),
    latestVersion: Number(r.latest_version),
    tags: JSON.parse(r.tags) as Record<string, string>,
    createdAt: Number(r.created_at),
  };
}

function toVersion(r: Pick<Selectable<PinpointTemplateVersionsTable>, 'version' | 'content' | 'created_at' | 'updated_at'>): TemplateVersion {
  return { version: Number(r.version), content: JSON.parse(r.content) as EmailTemplateContent, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) };
}
