// Email templates and custom verification email templates, per account and region.
import type { Kysely, Selectable } from 'kysely';
import type { CustomVerificationTemplate } from '../domain/templates/custom-verification-template.js';
import type { EmailTemplate } from '../domain/templates/email-template.js';
import type { TemplateContent } from '../domain/templates/render.js';
import type { Scope } from '../domain/identities/identity.js';
import { countNamed, deleteNamed } from './named-rows.js';
import type { CustomVerificationTemplatesTable, Database, EmailTemplatesTable } from './schema.js';

/** Where a page of ListEmailTemplates ends: templates are listed newest first. */
export interface TemplateCursor {
  createdAt: number;
  name: string;
}

export class TemplatesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The stored template (what intake renders), or undefined. */
  async get(scope: Scope, name: string): Promise<EmailTemplate | undefined> {
    const row = await this.db
      .selectFrom('email_templates')
      .selectAll()
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('name', '=', name)
      .executeTakeFirst();
    return row && toTemplate(row);
  }

  async exists(scope: Scope, name: string): Promise<boolean> {
    return (await this.get(scope, name)) !== undefined;
  }

  /** False when a template of that name already exists. */
  async create(t: EmailTemplate): Promise<boolean> {
    const res = await this.db
      .insertInto('email_templates')
      .values({
        account_id: t.accountId,
        region: t.region,
        name: t.name,
        ...contentColumns(t.content),
        created_at: t.createdAt,
        updated_at: t.updatedAt,
      })
      .onConflict((oc) => oc.columns(['account_id', 'region', 'name']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async update(scope: Scope, name: string, content: TemplateContent, updatedAt: number): Promise<boolean> {
    const res = await this.db
      .updateTable('email_templates')
      .set({ ...contentColumns(content), updated_at: updatedAt })
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async delete(scope: Scope, name: string): Promise<boolean> {
    return deleteNamed(this.db, 'email_templates', scope, name);
  }

  async count(scope: Scope): Promise<number> {
    return countNamed(this.db, 'email_templates', scope);
  }

  /** Newest first; `after` is the last template of the previous page. */
  async list(scope: Scope, page: { after?: TemplateCursor; limit: number }): Promise<EmailTemplate[]> {
    let q = this.db
      .selectFrom('email_templates')
      .selectAll()
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region);
    const after = page.after;
    if (after) {
      q = q.where((eb) =>
        eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('name', '>', after.name)])]),
      );
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('name').limit(page.limit).execute();
    return rows.map(toTemplate);
  }
}

function contentColumns(c: TemplateContent) {
  return { subject: c.subject ?? null, text_part: c.text ?? null, html_part: c.html ?? null };
}

function toTemplate(r: Selectable<EmailTemplatesTable>): EmailTemplate {
  const content: TemplateContent = {};
  if (r.subject !== null) content.subject = r.subject;
  if (r.text_part !== null) content.text = r.text_part;
  if (r.html_part !== null) content.html = r.html_part;
  return { accountId: r.account_id, region: r.region, name: r.name, content, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) };
}

export class CustomVerificationTemplatesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(scope: Scope, name: string): Promise<CustomVerificationTemplate | undefined> {
    const row = await this.db
      .selectFrom('custom_verification_templates')
      .selectAll()
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('name', '=', name)
      .executeTakeFirst();
    return row && toCustomVerificationTemplate(row);
  }

  async exists(scope: Scope, name: string): Promise<boolean> {
    return (await this.get(scope, name)) !== undefined;
  }

  async create(t: CustomVerificationTemplate): Promise<boolean> {
    const res = await this.db
      .insertInto('custom_verification_templates')
      .values({ account_id: t.accountId, region: t.region, name: t.name, ...cvColumns(t), created_at: t.createdAt })
      .onConflict((oc) => oc.columns(['account_id', 'region', 'name']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async update(t: CustomVerificationTemplate): Promise<boolean> {
    const res = await this.db
      .updateTable('custom_verification_templates')
      .set(cvColumns(t))
      .where('account_id', '=', t.accountId)
      .where('region', '=', t.region)
      .where('name', '=', t.name)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async delete(scope: Scope, name: string): Promise<boolean> {
    return deleteNamed(this.db, 'custom_verification_templates', scope, name);
  }

  async count(scope: Scope): Promise<number> {
    return countNamed(this.db, 'custom_verification_templates', scope);
  }

  /** By name; `after` is the last name of the previous page. */
  async list(scope: Scope, page: { after?: string; limit: number }): Promise<CustomVerificationTemplate[]> {
    let q = this.db
      .selectFrom('custom_verification_templates')
      .selectAll()
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region);
    if (page.after !== undefined) q = q.where('name', '>', page.after);
    const rows = await q.orderBy('name').limit(page.limit).execute();
    return rows.map(toCustomVerificationTemplate);
  }
}

function toCustomVerificationTemplate(r: Selectable<CustomVerificationTemplatesTable>): CustomVerificationTemplate {
  return {
    accountId: r.account_id,
    region: r.region,
    name: r.name,
    fromEmailAddress: r.from_email_address,
    subject: r.subject,
    content: r.content,
    successRedirectionUrl: r.success_redirection_url,
    failureRedirectionUrl: r.failure_redirection_url,
    createdAt: Number(r.created_at),
  };
}

function cvColumns(t: CustomVerificationTemplate) {
  return {
    from_email_address: t.fromEmailAddress,
    subject: t.subject,
    content: t.content,
    success_redirection_url: t.successRedirectionUrl,
    failure_redirection_url: t.failureRedirectionUrl,
  };
}
