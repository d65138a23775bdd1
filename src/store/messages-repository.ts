// Accepted messages with their delivery rows and events. Writes go through group commit so that
// concurrent intakes share one transaction.
import type { Kysely } from 'kysely';
import type { BatchWriter } from './batch-writer.js';
import type { Dialect } from './database.js';
import { GroupCommit } from './group-commit.js';
import { messageInserts, newMessageQueries } from './message-inserts.js';
import type { Database } from './schema.js';

export interface Destination {
  ToAddresses?: string[];
  CcAddresses?: string[];
  BccAddresses?: string[];
}

export interface NewMessage {
  id: string;
  accountId: string;
  region: string;
  sourceApi: string;
  envelopeFrom: string;
  fromHeader: string | null;
  subject: string | null;
  destination: Destination;
  configurationSet: string | null;
  tags: { Name: string; Value: string }[];
  raw: Buffer;
  createdAt: number;
  /** Feedback forwarding: where bounce and complaint notices go when not to the envelope sender. */
  feedbackAddress?: string | null;
  /** Envelope recipients: one delivery row each; `suppressed` and `unsubscribed` ones are final at acceptance. */
  recipients: { address: string; status: 'queued' | 'suppressed' | 'unsubscribed' }[];
  /** Events caused by the acceptance (Send), written in the same transaction (outbox). */
  events: { type: string; payload: unknown }[];
}

export interface StoredMessage {
  id: string;
  accountId: string;
  region: string;
  sourceApi: string;
  envelopeFrom: string;
  fromHeader: string | null;
  subject: string | null;
  destination: Destination;
  configurationSet: string | null;
  tags: { Name: string; Value: string }[];
  raw: Buffer;
  createdAt: number;
}

export interface MessageFilter {
  id?: string;
  /** Matches the envelope sender, as LocalStack's `?email=` does. */
  source?: string;
  accountId?: string;
}

export class MessagesRepository {
  private readonly writer: GroupCommit<NewMessage>;

  constructor(
    private readonly db: Kysely<Database>,
    dialect: Dialect,
    batchWriter: BatchWriter,
  ) {
    const inserts = messageInserts(dialect);
    this.writer = new GroupCommit((batch) => batchWriter.run(newMessageQueries(inserts, batch)));
  }

  /** Resolves once the message, its deliveries and events are committed. */
  insert(message: NewMessage): Promise<void> {
    return this.writer.submit(message);
  }

  async list(filter: MessageFilter = {}): Promise<StoredMessage[]> {
    let q = this.db.selectFrom('messages').selectAll().orderBy('created_at').orderBy('id');
    if (filter.id) q = q.where('id', '=', filter.id);
    if (filter.source) q = q.where('envelope_from', '=', filter.source);
    if (filter.accountId) q = q.where('account_id', '=', filter.accountId);
    const rows = await q.execute();
    return rows.map((r) => ({
      id: r.id,
      accountId: r.account_id,
      region: r.region,
      sourceApi: r.source_api,
      envelopeFrom: r.envelope_from,
      fromHeader: r.from_header,
      subject: r.subject,
      destination: JSON.parse(r.destination) as Destination,
      configurationSet: r.configuration_set,
      tags: JSON.parse(r.tags) as { Name: string; Value: string }[],
      raw: Buffer.from(r.raw),
      createdAt: Number(r.created_at),
    }));
  }

  async recipients(messageId: string): Promise<{ recipient: string; status: string }[]> {
    return this.db.selectFrom('deliveries').select(['recipient', 'status']).where('message_id', '=', messageId).orderBy('id').execute();
  }

  async events(messageId: string): Promise<{ type: string; payload: unknown; createdAt: number }[]> {
    const rows = await this.db.selectFrom('events').select(['type', 'payload', 'created_at']).where('message_id', '=', messageId).orderBy('id').execute();
    return rows.map((r) => ({ type: r.type, payload: JSON.parse(r.payload) as unknown, createdAt: Number(r.created_at) }));
  }

  /** Deletes captured messages (all, or one by id); deliveries and events go with them. Returns how many. */
  async delete(filter: { id?: string } = {}): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const ids = trx.selectFrom('messages').select('id');
      const scoped = filter.id ? ids.where('id', '=', filter.id) : ids;
      await trx.deleteFrom('events').where('message_id', 'in', scoped).execute();
      await trx.deleteFrom('deliveries').where('message_id', 'in', scoped).execute();
      const res = await (filter.id ? trx.deleteFrom('messages').where('id', '=', filter.id) : trx.deleteFrom('messages')).executeTakeFirst();
      return Number(res.numDeletedRows);
    });
  }
}
