// What the inbound listener needs from the store: which domains it receives for, the message a
// report names, and recording a Bounce or Complaint for one recipient exactly once (the recipient's
// delivery row is locked, checked and updated together with the event row, in one transaction).
import type { Kysely } from 'kysely';
import type { Dialect } from './database.js';
import { generatedAsNew, type GeneratedMessage } from './deliveries-repository.js';
import { messageInserts, newMessageQueries, storable, type MessageInserts } from './message-inserts.js';
import { sendEventMail, storedEventPayload } from './event-payload.js';
import { factsOf } from './mail-from-message.js';
import { readRaw } from './stored-raw.js';
import { keysOf, MessageKeys } from './message-keys.js';
import type { Database } from './schema.js';

export interface ReportedMessage {
  id: string;
  accountId: string;
  region: string;
  configurationSet: string | null;
  envelopeFrom: string;
  /** Where feedback forwarding sends (Return-Path, else FeedbackForwardingEmailAddress); null: the envelope sender. */
  feedbackAddress: string | null;
  raw: Buffer;
  createdAt: number;
  /** The SES `mail` object of the message's Send event. */
  mail: Record<string, unknown>;
  /** Envelope recipients, as stored. */
  recipients: string[];
}

export type FeedbackKind = 'Bounce' | 'Complaint';

export class FeedbackRepository {
  private readonly inserts: MessageInserts;
  private readonly keys: MessageKeys;

  constructor(
    private readonly db: Kysely<Database>,
    dialect: Dialect,
  ) {
    this.inserts = messageInserts(dialect);
    this.keys = new MessageKeys(db, dialect);
  }

  /** True when a verified identity uses `domain` as its custom MAIL FROM domain. */
  async isMailFromDomain(domain: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('identities')
      .select('identity')
      .where('mail_from_domain', '=', domain.toLowerCase())
      .where('verification_status', '=', 'SUCCESS')
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The message with its recipients, unless it is unknown or has no Send event (mail sesd generated). */
  async findMessage(id: string): Promise<ReportedMessage | undefined> {
    const m = await this.db
      .selectFrom('messages')
      .innerJoin('message_bodies', 'message_bodies.seq', 'messages.seq')
      .select(['messages.seq', 'id', 'account_id', 'region', 'source_api', 'configuration_set', 'envelope_from', 'feedback_address', 'destination', 'tags', 'raw', 'raw_deflated', 'size', 'created_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!m) return undefined;
    const send = await this.db.selectFrom('events').select('payload').where('message_seq', '=', m.seq).where('type', '=', 'Send').executeTakeFirst();
    if (!send) return undefined;
    const recipients = await this.db.selectFrom('deliveries').select('recipient').where('message_seq', '=', m.seq).orderBy('id').execute();
    const facts = factsOf(m);
    return {
      id: m.id,
      accountId: m.account_id,
      region: m.region,
      configurationSet: m.configuration_set,
      envelopeFrom: m.envelope_from,
      feedbackAddress: m.feedback_address,
      raw: await readRaw(m.raw, m.raw_deflated, m.size),
      createdAt: facts.createdAt,
      mail: sendEventMail(send.payload, facts)!,
      recipients: recipients.map((r) => r.recipient),
    };
  }

  /**
   * Records the event of a report for one delivered recipient, once: a Bounce moves the recipient
   * from `delivered` to `bounced` (a recipient that already bounced, synchronously or by an earlier
   * report, gets none); a Complaint is recorded unless one for that recipient exists. Returns
   * whether the event was written. `forward` (the notification feedback forwarding sends to the
   * sender) is queued in the same transaction, only with the event.
   */
  async record(
    message: { id: string; accountId: string },
    recipient: string,
    event: { type: FeedbackKind; payload: unknown; lastResponse: string },
    now = Date.now(),
    forward?: GeneratedMessage,
  ): Promise<boolean> {
    const forwarded = forward ? await storable([generatedAsNew(forward)], this.keys) : [];
    return this.db.transaction().execute(async (trx) => {
      // The UPDATE takes the row's write lock first (PostgreSQL: concurrent reports for the same
      // recipient wait here; SQLite: the transaction becomes the writer), so the check below holds.
      const locked = await trx
        .updateTable('deliveries')
        .set({ updated_at: now })
        .where('message_seq', '=', keysOf(trx, message.id))
        .where('recipient', '=', recipient)
        .returning(['id', 'message_seq', 'status'])
        .executeTakeFirst();
      if (!locked || locked.status !== 'delivered') return false;
      if (event.type === 'Bounce') {
        await trx.updateTable('deliveries').set({ status: 'bounced', last_response: event.lastResponse }).where('id', '=', locked.id).execute();
      } else {
        const earlier = await trx.selectFrom('events').select('payload').where('message_seq', '=', locked.message_seq).where('type', '=', 'Complaint').execute();
        const complained = (p: string) =>
          ((JSON.parse(p) as { complaint?: { complainedRecipients?: { emailAddress: string }[] } }).complaint?.complainedRecipients ?? []).some(
            (r) => r.emailAddress.toLowerCase() === recipient.toLowerCase(),
          );
        if (earlier.some((e) => complained(e.payload))) return false;
      }
      await trx
        .insertInto('events')
        .values({ message_seq: locked.message_seq, account_id: message.accountId, type: event.type, payload: storedEventPayload(event.type, event.payload), created_at: now })
        .execute();
      for (const q of newMessageQueries(this.inserts, forwarded)) await trx.executeQuery(q);
      return true;
    });
  }
}
