// Storage for open and click tracking: the link-signing secret, the `mail` object of the messages
// being opened or clicked (from their Send event, as delivery's events take it), and the Open/Click
// event rows, written in one statement per batch.
import type { Kysely } from 'kysely';
import { needsItsMessage, sendEventMail, storedEventPayload } from './event-payload.js';
import { readFacts } from './mail-from-message.js';
import type { Database } from './schema.js';
import { StoredSecret } from './stored-secret.js';
import { keysOf } from './message-keys.js';
import { sendEventReader } from './message-event-documents.js';
import type { Dialect } from './database.js';

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
  private readonly secretSetting: StoredSecret;

  private readonly sendEvents: ReturnType<typeof sendEventReader>;

  constructor(
    private readonly db: Kysely<Database>,
    dialect: Dialect,
  ) {
    this.secretSetting = new StoredSecret(db, TRACKING_SECRET);
    this.sendEvents = sendEventReader(dialect);
  }

  /** The secret that signs tracking links (kept in `settings`). */
  secret(): Promise<string> {
    return this.secretSetting.get();
  }

  /** Each message's account and `mail` object; a message no longer stored (retention) is absent. */
  async mailObjects(messageIds: string[]): Promise<Map<string, { accountId: string; mail: unknown }>> {
    if (messageIds.length === 0) return new Map();
    const sends = await this.sendEvents(this.db, messageIds);
    const facts = await readFacts(this.db, sends.filter((s) => needsItsMessage(s.payload)).map((s) => s.messageId));
    return new Map(sends.map((s) => [s.messageId, { accountId: s.accountId, mail: sendEventMail(s.payload, facts.get(s.messageId)) }]));
  }

  async insertEvents(events: EngagementEventRow[]): Promise<void> {
    if (events.length === 0) return;
    await this.db
      .insertInto('events')
      .values(
        events.map((e) => ({
          message_seq: keysOf(this.db, e.messageId),
          account_id: e.accountId,
          recipient: e.recipient,
          type: e.type,
          payload: storedEventPayload(e.type, e.payload),
          created_at: e.createdAt,
        })),
      )
      .execute();
  }
}
