// Per-account, per-region sending settings and quotas. A missing row means the defaults.
import type { Kysely, Selectable } from 'kysely';
import {
  DEFAULT_ACCOUNT_SETTINGS,
  type AccountDetails,
  type AccountSettings,
  type AccountSwitches,
  type ProductionAccessReview,
  type ReviewStatus,
} from '../domain/account/account-settings.js';
import type { ReviewDecision } from '../domain/account/production-access.js';
import type { Scope } from '../domain/identities/identity.js';
import type { Dialect } from './database.js';
import { CoalescedReads, type KeyedRead } from './coalesced-reads.js';
import { keyedSelects } from './keyed-selects.js';
import type { AccountSettingsTable, Database } from './schema.js';

/** A review waiting for the operator, with the details it came with. */
export interface PendingReview extends Scope {
  review: ProductionAccessReview;
  details: AccountDetails | null;
}

/** The key of an account and region's one settings row. */
const ROW = '';

export class AccountSettingsRepository {
  // Read on every send, the reads of concurrent sends coalesced (coalesced-reads.ts, its statements
  // in keyed-selects.ts): one key, the account and region's own row.
  private readonly readRow: KeyedRead<Selectable<AccountSettingsTable>>;

  /** `reads`: shared with the other repositories that send reads from (store.ts), so that a turn's reads are one. */
  constructor(
    private readonly db: Kysely<Database>,
    dialect: Dialect,
    reads = new CoalescedReads(keyedSelects(db, dialect)),
  ) {
    this.readRow = reads.reader({ table: 'account_settings' }, () => ROW);
  }

  async get(scope: Scope): Promise<AccountSettings | undefined> {
    const [r] = await this.readRow(scope, [ROW]);
    return (
      r && {
        sendingEnabled: Boolean(r.sending_enabled),
        productionAccess: Boolean(r.production_access),
        maxSendRate: Number(r.max_send_rate),
        max24HourSend: Number(r.max_24_hour_send),
        suppressedReasons: JSON.parse(r.suppressed_reasons) as AccountSettings['suppressedReasons'],
        details: detailsFrom(r.details),
        review: reviewFrom(r),
      }
    );
  }

  /**
   * Changes the settings named in `changes` and no others, so that callers never write back a value
   * someone else changed since they read it (an operator's grant, for one).
   */
  async put(scope: Scope, changes: Partial<AccountSwitches>): Promise<void> {
    const changed = switchColumns(changes);
    const insert = this.db
      .insertInto('account_settings')
      .values({ account_id: scope.accountId, region: scope.region, ...(switchColumns(DEFAULT_ACCOUNT_SETTINGS) as SwitchColumns), ...changed });
    await (Object.keys(changed).length === 0 ? insert.onConflict((oc) => oc.doNothing()) : insert.onConflict((oc) => oc.columns(['account_id', 'region']).doUpdateSet(changed))).execute();
  }

  /**
   * Records the owner's account details and opens `review` if one is given, in one statement that
   * does nothing while a review is pending: false then.
   */
  async submitDetails(scope: Scope, details: AccountDetails, review: ProductionAccessReview | null): Promise<boolean> {
    await this.put(scope, {});
    const result = await this.db
      .updateTable('account_settings')
      .set({ details: detailsJson(details), ...(review && { review_case_id: review.caseId, review_status: review.status }) })
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where((eb) => eb.or([eb('review_status', 'is', null), eb('review_status', '<>', 'PENDING')]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * The operator's decision on the pending review. GRANTED takes the account out of the sandbox in
   * the same statement; DENIED leaves production access as it is. The decided review, or undefined
   * when none was pending.
   */
  async decideReview(scope: Scope, decision: ReviewDecision): Promise<ProductionAccessReview | undefined> {
    const result = await this.db
      .updateTable('account_settings')
      .set({ review_status: decision, ...(decision === 'GRANTED' && { production_access: 1 as const }) })
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('review_status', '=', 'PENDING')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    return (await this.get(scope))?.review ?? undefined;
  }

  /** Every review waiting for the operator, across accounts and regions. */
  async pendingReviews(): Promise<PendingReview[]> {
    const rows = await this.db
      .selectFrom('account_settings')
      .select(['account_id', 'region', 'details', 'review_case_id', 'review_status'])
      .where('review_status', '=', 'PENDING')
      .orderBy('account_id')
      .orderBy('region')
      .execute();
    return rows.map((r) => ({ accountId: r.account_id, region: r.region, review: reviewFrom(r)!, details: detailsFrom(r.details) }));
  }

  /** Recipients accepted for the account and region since `since` (epoch ms): what quotas count. */
  async recipientsSince(scope: Scope, since: number): Promise<number> {
    const row = await this.db
      .selectFrom('deliveries')
      .innerJoin('messages', 'messages.seq', 'deliveries.message_seq')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('messages.account_id', '=', scope.accountId)
      .where('messages.region', '=', scope.region)
      .where('messages.created_at', '>=', since)
      .where('deliveries.recipient', 'not like', '%@simulator.amazonses.com')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

type SwitchColumns = Pick<AccountSettingsTable, 'sending_enabled' | 'production_access' | 'max_send_rate' | 'max_24_hour_send' | 'suppressed_reasons'>;

/** The columns of the settings given (all of them for a whole AccountSwitches). */
function switchColumns(s: Partial<AccountSwitches>): Partial<SwitchColumns> {
  return {
    ...(s.sendingEnabled !== undefined && { sending_enabled: s.sendingEnabled ? (1 as const) : (0 as const) }),
    ...(s.productionAccess !== undefined && { production_access: s.productionAccess ? (1 as const) : (0 as const) }),
    ...(s.maxSendRate !== undefined && { max_send_rate: s.maxSendRate }),
    ...(s.max24HourSend !== undefined && { max_24_hour_send: s.max24HourSend }),
    ...(s.suppressedReasons !== undefined && { suppressed_reasons: JSON.stringify(s.suppressedReasons) }),
  };
}

// The column holds SES's member names: rows written before the details had a type of their own
// read as they were written.
interface DetailsJson {
  MailType: AccountDetails['mailType'];
  WebsiteURL: string;
  ContactLanguage?: AccountDetails['contactLanguage'];
  UseCaseDescription?: string;
  AdditionalContactEmailAddresses?: string[];
}

function detailsJson(d: AccountDetails): string {
  const json: DetailsJson = {
    MailType: d.mailType,
    WebsiteURL: d.websiteUrl,
    ContactLanguage: d.contactLanguage,
    UseCaseDescription: d.useCaseDescription,
    AdditionalContactEmailAddresses: d.additionalContactEmailAddresses,
  };
  return JSON.stringify(json);
}

function detailsFrom(column: string | null): AccountDetails | null {
  if (!column) return null;
  const j = JSON.parse(column) as DetailsJson;
  return {
    mailType: j.MailType,
    websiteUrl: j.WebsiteURL,
    ...(j.ContactLanguage !== undefined && { contactLanguage: j.ContactLanguage }),
    ...(j.UseCaseDescription !== undefined && { useCaseDescription: j.UseCaseDescription }),
    ...(j.AdditionalContactEmailAddresses !== undefined && { additionalContactEmailAddresses: j.AdditionalContactEmailAddresses }),
  };
}

function reviewFrom(r: Pick<AccountSettingsTable, 'review_case_id' | 'review_status'>): ProductionAccessReview | null {
  return r.review_case_id && r.review_status ? { caseId: r.review_case_id, status: r.review_status as ReviewStatus } : null;
}
