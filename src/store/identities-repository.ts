// Identities and their sending-authorization policies.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Identity, Scope, VerificationStatus } from '../domain/identities/identity.js';
import type { Dialect } from './database.js';
import { CoalescedReads, type KeyedRead } from './coalesced-reads.js';
import { keyedSelects } from './keyed-selects.js';
import type { Database, IdentitiesTable } from './schema.js';

export class IdentitiesRepository {
  // Read on every send, the identities that may authorize it, the reads of concurrent sends
  // coalesced (coalesced-reads.ts, its statements in keyed-selects.ts).
  private readonly readMany: KeyedRead<Selectable<IdentitiesTable>>;

  /** `reads`: shared with the other repositories that send reads from (store.ts), so that a turn's reads are one. */
  constructor(
    private readonly db: Kysely<Database>,
    dialect: Dialect,
    reads = new CoalescedReads(keyedSelects(db, dialect)),
  ) {
    this.readMany = reads.reader({ table: 'identities', keyColumn: 'identity' }, (row) => row.identity);
  }

  /** Inserts; resolves false when the identity already exists in this account and region. */
  async create(identity: Identity): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const res = await trx
        .insertInto('identities')
        .values(toRow(identity))
        .onConflict((oc) => oc.columns(['account_id', 'region', 'identity']).doNothing())
        .executeTakeFirst();
      const created = Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
      if (created) await syncEasyDkimTokens(trx, identity);
      return created;
    });
  }

  async get(scope: Scope, identity: string): Promise<Identity | undefined> {
    const row = await this.db.selectFrom('identities').selectAll().where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('identity', '=', identity).executeTakeFirst();
    return row && fromRow(row);
  }

  /** The identities among `names` (exact identity strings) that exist, for policy checks. */
  async getMany(scope: Scope, names: string[]): Promise<Identity[]> {
    if (names.length === 0) return [];
    return (await this.readMany(scope, names)).map(fromRow);
  }

  /** A page of identities ordered by name, starting after `after`. */
  async list(scope: Scope, opts: { after?: string; limit: number }): Promise<Identity[]> {
    let q = this.db.selectFrom('identities').selectAll().where('account_id', '=', scope.accountId).where('region', '=', scope.region);
    if (opts.after !== undefined) q = q.where('identity', '>', opts.after);
    const rows = await q.orderBy('identity').limit(opts.limit).execute();
    return rows.map(fromRow);
  }

  async update(identity: Identity): Promise<void> {
    const { account_id, region, identity: name, ...rest } = toRow(identity);
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('identities').set(rest).where('account_id', '=', account_id).where('region', '=', region).where('identity', '=', name).execute();
      await syncEasyDkimTokens(trx, identity);
    });
  }

  /**
   * Saves what a DNS check decides (verification and DKIM status, when checked) and nothing else, so
   * a check that read the identity before a concurrent change (MAIL FROM, DKIM keys) does not undo it.
   */
  async saveCheck(identity: Identity): Promise<void> {
    const row = toRow(identity);
    await this.db
      .updateTable('identities')
      .set({ verification_status: row.verification_status, verified_at: row.verified_at, dkim_status: row.dkim_status, mail_from_status: row.mail_from_status, checked_at: row.checked_at })
      .where('account_id', '=', row.account_id)
      .where('region', '=', row.region)
      .where('identity', '=', row.identity)
      // Keys replaced since the check read them (new tokens, or a rotation behind the same tokens): the check is void.
      .where('dkim_tokens', '=', row.dkim_tokens)
      .where((eb) => (row.dkim_public_key === null ? eb('dkim_public_key', 'is', null) : eb('dkim_public_key', '=', row.dkim_public_key)))
      .where((eb) => (row.mail_from_domain === null ? eb('mail_from_domain', 'is', null) : eb('mail_from_domain', '=', row.mail_from_domain)))
      .execute();
  }

  /**
   * The public key (base64 DER) of the Easy DKIM key whose token is `token`, for sesd's DNS zone
   * (`TOKEN.<dkim.cnameDomain>`), whatever its account and region; undefined when no identity has it.
   */
  async easyDkimPublicKey(token: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('easy_dkim_tokens as t')
      .innerJoin('identities as i', (j) => j.onRef('i.account_id', '=', 't.account_id').onRef('i.region', '=', 't.region').onRef('i.identity', '=', 't.identity'))
      .select('i.dkim_public_key')
      .where('t.token', '=', token)
      .where('i.dkim_origin', '=', 'AWS_SES')
      .executeTakeFirst();
    return row?.dkim_public_key ?? undefined;
  }

  async delete(scope: Scope, identity: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('easy_dkim_tokens').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('identity', '=', identity).execute();
      await trx.deleteFrom('identity_policies').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('identity', '=', identity).execute();
      const res = await trx.deleteFrom('identities').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('identity', '=', identity).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    });
  }

  /** Identities whose verification (or DKIM) is pending and were not checked since `checkedBefore`. */
  async pending(checkedBefore: number, limit: number): Promise<Identity[]> {
    const rows = await this.db
      .selectFrom('identities')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([eb('type', '=', 'DOMAIN'), eb.or([eb('verification_status', 'in', ['PENDING', 'TEMPORARY_FAILURE']), eb('dkim_status', 'in', ['PENDING', 'TEMPORARY_FAILURE'])])]),
          eb.and([eb('mail_from_domain', 'is not', null), eb('mail_from_status', 'in', ['PENDING', 'TEMPORARY_FAILURE'])]),
        ]),
      )
      .where((eb) => eb.or([eb('checked_at', 'is', null), eb('checked_at', '<', checkedBefore)]))
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }

  async findByVerificationToken(token: string): Promise<Identity | undefined> {
    const row = await this.db.selectFrom('identities').selectAll().where('verification_token', '=', token).where('type', '=', 'EMAIL_ADDRESS').executeTakeFirst();
    return row && fromRow(row);
  }

  async setVerification(scope: Scope, identity: string, status: VerificationStatus, at: number): Promise<void> {
    await this.db
      .updateTable('identities')
      .set({ verification_status: status, verified_at: status === 'SUCCESS' ? at : null })
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('identity', '=', identity)
      .execute();
  }

  async putPolicy(scope: Scope, identity: string, name: string, policy: string): Promise<void> {
    await this.db
      .insertInto('identity_policies')
      .values({ account_id: scope.accountId, region: scope.region, identity, policy_name: name, policy })
      .onConflict((oc) => oc.columns(['account_id', 'region', 'identity', 'policy_name']).doUpdateSet({ policy }))
      .execute();
  }

  async policies(scope: Scope, identity: string): Promise<Record<string, string>> {
    const rows = await this.db.selectFrom('identity_policies').select(['policy_name', 'policy']).where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('identity', '=', identity).orderBy('policy_name').execute();
    return Object.fromEntries(rows.map((r) => [r.policy_name, r.policy]));
  }

  async deletePolicy(scope: Scope, identity: string, name: string): Promise<boolean> {
    const res = await this.db.deleteFrom('identity_policies').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('identity', '=', identity).where('policy_name', '=', name).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}

const flag = (b: boolean): number => (b ? 1 : 0);

/** Keeps easy_dkim_tokens in step with the identity's Easy DKIM tokens (none for BYODKIM). */
async function syncEasyDkimTokens(trx: Transaction<Database>, identity: Identity): Promise<void> {
  const tokens = identity.dkim.origin === 'AWS_SES' ? identity.dkim.tokens : [];
  let stale = trx.deleteFrom('easy_dkim_tokens').where('account_id', '=', identity.accountId).where('region', '=', identity.region).where('identity', '=', identity.identity);
  if (tokens.length > 0) stale = stale.where('token', 'not in', tokens);
  await stale.execute();
  if (tokens.length === 0) return;
  await trx
    .insertInto('easy_dkim_tokens')
    .values(tokens.map((token) => ({ token, account_id: identity.accountId, region: identity.region, identity: identity.identity })))
    .onConflict((oc) => oc.column('token').doNothing())
    .execute();
}

function toRow(i: Identity): IdentitiesTable {
  return {
    account_id: i.accountId,
    region: i.region,
    identity: i.identity,
    type: i.type,
    verification_status: i.verificationStatus,
    verification_token: i.verificationToken,
    dkim_origin: i.dkim.origin,
    dkim_signing_enabled: flag(i.dkim.signingEnabled),
    dkim_status: i.dkim.status,
    dkim_tokens: JSON.stringify(i.dkim.tokens),
    dkim_private_key: i.dkim.privateKeyPem,
    dkim_public_key: i.dkim.publicKey,
    dkim_key_length: i.dkim.keyLength,
    dkim_key_generated_at: i.dkim.keyGeneratedAt ?? null,
    mail_from_domain: i.mailFrom.domain,
    mail_from_behavior: i.mailFrom.behaviorOnMxFailure,
    mail_from_status: i.mailFrom.status,
    feedback_forwarding: flag(i.feedbackForwarding),
    configuration_set: i.configurationSet,
    // Identity tags live in resource_tags with every other resource's; this column predates that.
    tags: '[]',
    created_at: i.createdAt,
    verified_at: i.verifiedAt,
    checked_at: i.checkedAt,
    notifications: JSON.stringify(i.notifications),
  };
}

function fromRow(r: Selectable<IdentitiesTable>): Identity {
  return {
    accountId: r.account_id,
    region: r.region,
    identity: r.identity,
    type: r.type as Identity['type'],
    verificationStatus: r.verification_status as VerificationStatus,
    verificationToken: r.verification_token,
    dkim: {
      origin: r.dkim_origin as Identity['dkim']['origin'],
      signingEnabled: Boolean(r.dkim_signing_enabled),
      status: r.dkim_status as VerificationStatus,
      tokens: JSON.parse(r.dkim_tokens) as string[],
      privateKeyPem: r.dkim_private_key,
      publicKey: r.dkim_public_key,
      keyLength: r.dkim_key_length,
      ...(r.dkim_key_generated_at !== null && { keyGeneratedAt: Number(r.dkim_key_generated_at) }),
    },
    mailFrom: { domain: r.mail_from_domain, behaviorOnMxFailure: r.mail_from_behavior, status: r.mail_from_status as VerificationStatus },
    feedbackForwarding: Boolean(r.feedback_forwarding),
    configurationSet: r.configuration_set,
    createdAt: Number(r.created_at),
    verifiedAt: r.verified_at === null ? null : Number(r.verified_at),
    checkedAt: r.checked_at === null ? null : Number(r.checked_at),
    notifications: JSON.parse(r.notifications) as Identity['notifications'],
  };
}
