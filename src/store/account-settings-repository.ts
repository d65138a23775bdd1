// Per-account, per-region sending settings and quotas. A missing row means the defaults.
import { CompiledQuery, type Kysely, type Selectable } from 'kysely';
import type { AccountSettings } from '../domain/account/account-settings.js';
import type { Scope } from '../domain/identities/identity.js';
import type { Dialect } from './database.js';
import { forDialect } from './raw-sql.js';
import type { AccountSettingsTable, Database } from './schema.js';

export class AccountSettingsRepository {
  // Read on every send (see raw-sql.ts).
  private readonly getSql: string;

  constructor(
    private readonly db: Kysely<Database>,
    dialect: Dialect,
  ) {
    this.getSql = forDialect(dialect, 'select * from account_settings where account_id = ? and region = ?');
  }

  async get(scope: Scope): Promise<AccountSettings | undefined> {
    const { rows } = await this.db.executeQuery<Selectable<AccountSettingsTable>>(CompiledQuery.raw(this.getSql, [scope.accountId, scope.region]));
    const r = rows[0];
    return (
      r && {
        sendingEnabled: Boolean(r.sending_enabled),
        productionAccess: Boolean(r.production_access),
        maxSendRate: Number(r.max_send_rate),
        max24HourSend: Number(r.max_24_hour_send),
        suppressedReasons: JSON.parse(r.suppressed_reasons) as AccountSettings['suppressedReasons'],
        details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
      }
    );
  }

  async put(scope: Scope, s: AccountSettings): Promise<void> {
    const values = {
      sending_enabled: s.sendingEnabled ? 1 : 0,
      production_access: s.productionAccess ? 1 : 0,
      max_send_rate: s.maxSendRate,
      max_24_hour_send: s.max24HourSend,
      suppressed_reasons: JSON.stringify(s.suppressedReasons),
      details: s.details ? JSON.stringify(s.details) : null,
    };
    await this.db
      .insertInto('account_settings')
      .values({ account_id: scope.accountId, region: scope.region, ...values })
      .onConflict((oc) => oc.columns(['account_id', 'region']).doUpdateSet(values))
      .execute();
  }

  /** Recipients accepted for the account and region since `since` (epoch ms): what quotas count. */
  async recipientsSince(scope: Scope, since: number): Promise<number> {
    const row = await this.db
      .selectFrom('deliveries')
      .innerJoin('messages', 'messages.id', 'deliveries.message_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('messages.account_id', '=', scope.accountId)
      .where('messages.region', '=', scope.region)
      .where('messages.created_at', '>=', since)
      .where('deliveries.recipient', 'not like', '%@simulator.amazonses.com')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
