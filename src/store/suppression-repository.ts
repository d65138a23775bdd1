// The account-level suppression list (per account and region, as in SES).
import type { Kysely, Selectable } from 'kysely';
import { suppressionAddress } from '../domain/addresses.js';
import type { Scope } from '../domain/identities/identity.js';
import type { Dialect } from './database.js';
import { CoalescedReads, type KeyedRead } from './coalesced-reads.js';
import { keyedSelects } from './keyed-selects.js';
import type { Database, SuppressedDestinationsTable } from './schema.js';

export interface SuppressedDestination {
  emailAddress: string;
  reason: 'BOUNCE' | 'COMPLAINT';
  lastUpdate: number;
  messageId: string | null;
  feedbackId: string | null;
}

export class SuppressionRepository {
  // Read on every send, its recipients' entries, the reads of concurrent sends coalesced
  // (coalesced-reads.ts, its statements in keyed-selects.ts).
  private readonly readMany: KeyedRead<Selectable<SuppressedDestinationsTable>>;

  /** `reads`: shared with the other repositories that send reads from (store.ts), so that a turn's reads are one. */
  constructor(
    private readonly db: Kysely<Database>,
    dialect: Dialect,
    reads = new CoalescedReads(keyedSelects(db, dialect)),
  ) {
    this.readMany = reads.reader({ table: 'suppressed_destinations', keyColumn: 'email_address' }, (row) => row.email_address);
  }

  async put(scope: Scope, entry: SuppressedDestination): Promise<void> {
    const values = {
      account_id: scope.accountId,
      region: scope.region,
      email_address: suppressionAddress(entry.emailAddress),
      reason: entry.reason,
      message_id: entry.messageId,
      feedback_id: entry.feedbackId,
      last_update: entry.lastUpdate,
    };
    await this.db
      .insertInto('suppressed_destinations')
      .values(values)
      .onConflict((oc) =>
        oc.columns(['account_id', 'region', 'email_address']).doUpdateSet({ reason: values.reason, message_id: values.message_id, feedback_id: values.feedback_id, last_update: values.last_update }),
      )
      .execute();
  }

  async get(scope: Scope, emailAddress: string): Promise<SuppressedDestination | undefined> {
    const rows = await this.getMany(scope, [emailAddress]);
    return rows[0];
  }

  /** The suppressed entries among `addresses` (compared as suppressionAddress keys them). */
  async getMany(scope: Scope, addresses: string[]): Promise<SuppressedDestination[]> {
    if (addresses.length === 0) return [];
    const rows = await this.readMany(scope, addresses.map(suppressionAddress));
    return rows.map((r) => ({ emailAddress: r.email_address, reason: r.reason as SuppressedDestination['reason'], lastUpdate: Number(r.last_update), messageId: r.message_id, feedbackId: r.feedback_id }));
  }

  async delete(scope: Scope, emailAddress: string): Promise<boolean> {
    const res = await this.db
      .deleteFrom('suppressed_destinations')
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('email_address', '=', suppressionAddress(emailAddress))
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /** A page ordered by (last_update desc, address), filtered as ListSuppressedDestinations allows. */
  async list(
    scope: Scope,
    opts: { reasons?: string[]; startDate?: number; endDate?: number; offset: number; limit: number },
  ): Promise<SuppressedDestination[]> {
    let q = this.db.selectFrom('suppressed_destinations').selectAll().where('account_id', '=', scope.accountId).where('region', '=', scope.region);
    if (opts.reasons?.length) q = q.where('reason', 'in', opts.reasons);
    if (opts.startDate !== undefined) q = q.where('last_update', '>=', opts.startDate);
    if (opts.endDate !== undefined) q = q.where('last_update', '<=', opts.endDate);
    const rows = await q.orderBy('last_update', 'desc').orderBy('email_address').offset(opts.offset).limit(opts.limit).execute();
    return rows.map((r) => ({ emailAddress: r.email_address, reason: r.reason as SuppressedDestination['reason'], lastUpdate: Number(r.last_update), messageId: r.message_id, feedbackId: r.feedback_id }));
  }
}
