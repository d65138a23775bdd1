// The sending quotas as one atomic step with the write that uses them. Counting recipients first and
// inserting later lets concurrent sends (on one node or several) all pass the same count; instead,
// the transaction that inserts a message
//   1. locks the account's account_settings row (an UPDATE: on PostgreSQL other nodes' intakes of the
//      account wait for this commit; SQLite has one writer anyway), then inserts, and
//   2. sets the row's guard flags from a count of the window's recipients, its own included, against
//      the row's own limits. A CHECK constraint refuses a flag of 0, which aborts the transaction.
// On PostgreSQL each statement of a READ COMMITTED transaction sees what committed before it began,
// so the count, which runs after the lock was granted, includes every send committed before ours.
// A batch that fails is retried one message at a time (group-commit.ts), so exactly the messages
// over the quota are refused.
import { CompiledQuery } from 'kysely';
import type { QuotaWindows } from '../domain/sending-limits.js';
import type { Dialect } from './database.js';
import { forDialect, precompiled } from './raw-sql.js';

/** Which limits a message is counted against, with each window's start (epoch ms). */
export type QuotaGuard = QuotaWindows;

export type QuotaKind = 'daily' | 'rate';

export class QuotaExceededError extends Error {
  constructor(readonly kind: QuotaKind) {
    super(`sending quota exceeded (${kind})`);
  }
}

const recipientsSince = (simulatorCounts: boolean) =>
  'select count(*) from deliveries d join messages m on m.seq = d.message_seq ' +
  "where m.account_id = account_settings.account_id and m.region = account_settings.region and m.created_at >= ? and m.source_api <> 'sesd'" +
  (simulatorCounts ? '' : " and d.recipient not like '%@simulator.amazonses.com'");

export function quotaGuardStatements(dialect: Dialect) {
  const lock = forDialect(dialect, 'update account_settings set daily_quota_ok = 1 where account_id = ? and region = ?');
  const check = precompiled(dialect, (shape: 'daily' | 'rate' | 'both') => {
    const daily = `daily_quota_ok = case when max_24_hour_send < 0 or (${recipientsSince(false)}) <= max_24_hour_send then 1 else 0 end`;
    const rate = `send_rate_ok = case when max_send_rate < 0 or (${recipientsSince(true)}) <= max_send_rate then 1 else 0 end`;
    const set = shape === 'both' ? `${daily}, ${rate}` : shape === 'daily' ? daily : rate;
    return `update account_settings set ${set} where account_id = ? and region = ?`;
  });
  return {
    /**
     * The statements around a batch's inserts: the locks of the accounts it counts against (in one
     * order, so two nodes' batches cannot deadlock), and the checks after the inserts.
     */
    around(messages: { accountId: string; region: string; quota?: QuotaGuard }[]): { before: CompiledQuery[]; after: CompiledQuery[] } {
      const byAccount = new Map<string, { accountId: string; region: string; dailySince?: number; rateSince?: number }>();
      for (const m of messages) {
        if (!m.quota || (m.quota.dailySince === undefined && m.quota.rateSince === undefined)) continue;
        const key = `${m.accountId} ${m.region}`;
        const g = byAccount.get(key) ?? { accountId: m.accountId, region: m.region };
        // The widest window of the batch: every message's own recipients are inside it.
        if (m.quota.dailySince !== undefined) g.dailySince = Math.min(g.dailySince ?? Infinity, m.quota.dailySince);
        if (m.quota.rateSince !== undefined) g.rateSince = Math.min(g.rateSince ?? Infinity, m.quota.rateSince);
        byAccount.set(key, g);
      }
      const guards = [...byAccount.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
      return {
        before: guards.map((g) => CompiledQuery.raw(lock, [g.accountId, g.region])),
        after: guards.map((g) => {
          const since = [g.dailySince, g.rateSince].filter((s): s is number => s !== undefined);
          const shape = since.length === 2 ? 'both' : g.dailySince !== undefined ? 'daily' : 'rate';
          return CompiledQuery.raw(check(shape), [...since, g.accountId, g.region]);
        }),
      };
    },
  };
}

/** The quota a database error says was exceeded (a guard's CHECK constraint), if that is what it is. */
export function quotaExceededBy(err: unknown): QuotaKind | undefined {
  const text = `${(err as { message?: string })?.message ?? ''} ${(err as { constraint?: string })?.constraint ?? ''}`;
  if (/\bdaily_quota\b/.test(text)) return 'daily';
  if (/\bsend_rate\b/.test(text)) return 'rate';
  return undefined;
}
