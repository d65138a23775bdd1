// Storage for open and click tracking: the link-signing secret, the `mail` object of the messages
// being opened or clicked (from their Send event, as delivery's events take it), and the Open/Click
// event rows, written in one statement per batch.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

const TRACKING_SECRET = 'tracking-secret';

export interface EngagementEventRow {
  messageId: string;
  accountId: string;
  recipient: string;
  type: 'Open' | 'Click';
  payload: unknown;
  createdAt: number;
}

export class TrackingRepository {
  private secretValue?: Promise<string>;

  constructor(private readonly db: Kysely<Database>) {}

  /** Made on first use and kept in `settings`; concurrent first uses (other nodes too) agree, as only one insert wins. */
  secret(): Promise<string> {
    this.secretValue ??= this.loadSecret().catch((err: unknown) => {
      this.secretValue = undefined;
      throw err;
    });
    return this.secretValue;
  }

  /** Each message's account and `mail` object; a message no longer stored (retention) is absent. */
  async mailObjects(messageIds: string[]): Promise<Map<string, { accountId: string; mail: unknown }>> {
    if (messageIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('events')
      .select(['message_id', 'account_id', 'payload'])
      .where('message_id', 'in', messageIds)
      .where('type', '=', 'Send')
      .execute();
    return new Map(rows.map((r) => [r.message_id, { accountId: r.account_id, mail: (JSON.parse(r.payload) as { mail?: unknown }).mail }]));
  }

  async insertEvents(events: EngagementEventRow[]): Promise<void> {
    if (events.length === 0) return;
    await this.db
      .insertInto('events')
      .values(
        events.map((e) => ({
          message_id: e.messageId,
          account_id: e.accountId,
          recipient: e.recipient,
          type: e.type,
          payload: JSON.stringify(e.payload),
          created_at: e.createdAt,
        })),
      )
      .execute();
  }

  private async loadSecret(): Promise<string> {
    await this.db
      .insertInto('settings')
      .values({ name: TRACKING_SECRET, value: randomBytes(32).toString('base64url') })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.db.selectFrom('settings').select('value').where('name', '=', TRACKING_SECRET).executeTakeFirstOrThrow();
    return row.value;
  }
}
