// Accepted messages with their delivery rows and events. Writes go through group commit so that
// concurrent intakes share one transaction.
import type { Kysely, Selectable } from 'kysely';
import { POSTGRES_WRITER_CONNECTIONS, type BatchWriter } from './batch-writer.js';
import type { Dialect } from './database.js';
import { messageEvents } from './message-event-documents.js';
import { GroupCommit } from './group-commit.js';
import { messageInserts, newMessageQueries, storable, type StorableMessage } from './message-inserts.js';
import type { Database, MessagesTable } from './schema.js';
import { quotaExceededBy, QuotaExceededError, quotaGuardStatements, type QuotaGuard } from './quota-guard.js';
import { readRaw } from './stored-raw.js';
import { keysOf, MessageKeys } from './message-keys.js';

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
  /** Envelope recipients: one delivery row each; `suppressed`, `unsubscribed` and `delivered` (capture
   * mode's, with the reply it records as `lastResponse`) ones are final at acceptance. `raw`: the
   * recipient's own copy when it is not the message's (list-managed mail). */
  recipients: { address: string; status: 'queued' | 'delivered' | 'suppressed' | 'unsubscribed'; lastResponse?: string; raw?: Buffer }[];
  /** The quotas the message counts against, checked and counted in its own transaction (quota-guard.ts). */
  quota?: QuotaGuard;
  /** Feedback forwarding: where bounce and complaint notices go when not to the envelope sender. */
  feedbackAddress?: string | null;
  /** Events caused by the acceptance (Send), written in the same transaction (outbox); `nowhereToGo`:
   * written settled, as no destination takes it (else decided by the event type and configuration set). */
  events: { type: string; payload: unknown; nowhereToGo?: boolean }[];
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

/** Where a page ends: the last message shown (messages are in created_at, seq order: their key breaks ties). */
export interface MessageCursor {
  createdAt: number;
  seq: number;
}

/** A cursor as the opaque token clients get (`/_aws/ses`'s nextToken, the console's nextCursor). */
export function encodeMessageCursor(c: MessageCursor): string {
  return Buffer.from(JSON.stringify([c.createdAt, c.seq])).toString('base64url');
}

/** The cursor of a token encodeMessageCursor made; undefined for anything else. */
export function decodeMessageCursor(token: string): MessageCursor | undefined {
  try {
    const [createdAt, seq] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'number' && typeof seq === 'number') return { createdAt, seq };
  } catch {
    // not one of ours
  }
  return undefined;
}

export interface MessagePage {
  after?: MessageCursor;
  limit: number;
  /** Raw bytes a page may hold; the first message is always included, whatever its size. */
  maxBytes?: number;
}

const DEFAULT_LIST_LIMIT = 1000;
const DEFAULT_LIST_BYTES = 256 * 1024 * 1024;
const RAW_READ_BATCH = 20;
/** Messages per DELETE transaction: a few milliseconds of work each. */
export const DELETE_BATCH = 500;

// On SQLite a second batch of accepted mail is handed to the writer thread while the first commits,
// and runs as soon as it is done. SMTP submission, 20 sessions, nine alternating pairs: p99 21.04 →
// 20.00 ms on average (better in 6 of 9), 1,839 → 1,906 msg/s (median), at ~7 points more CPU
// (smaller batches, more commits); SendEmail p99 −2.0 and −1.7 ms. On PostgreSQL there is one batch
// per writer connection (batch-writer.ts): queued behind another on one connection, p99 rose (+5
// and +17 ms in two SendEmail pairs).
const SQLITE_INTAKE_BATCHES_IN_FLIGHT = 2;

export class MessagesRepository {
  // An item is the messages that must be committed together (one, or a bulk send's entries).
  private readonly writer: GroupCommit<StorableMessage[]>;
  private readonly keys: MessageKeys;

  constructor(
    private readonly db: Kysely<Database>,
    dialect: Dialect,
    batchWriter: BatchWriter,
  ) {
    const inserts = messageInserts(dialect);
    this.keys = new MessageKeys(db, dialect);
    const guard = quotaGuardStatements(dialect);
    this.writer = new GroupCommit(
      (items) => {
        const batch = items.flat();
        const { before, after } = guard.around(batch);
        return batchWriter.run([...before, ...newMessageQueries(inserts, batch), ...after]);
      },
      { batchesInFlight: dialect === 'sqlite' ? SQLITE_INTAKE_BATCHES_IN_FLIGHT : POSTGRES_WRITER_CONNECTIONS },
    );
  }

  /**
   * Resolves once the message, its deliveries and events are committed. Rejects with
   * QuotaExceededError when it would take the account over a quota it counts against.
   */
  insert(message: NewMessage): Promise<void> {
    return this.insertTogether([message]);
  }

  /**
   * Commits the messages in one transaction: all of them, or (rejecting) none. Only their rows wait
   * for the commit (message-inserts.ts StorableMessage); so that nothing here holds the messages
   * meanwhile, this is not an async function (which would keep its parameters until it ends).
   */
  insertTogether(messages: NewMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return storable(messages, this.keys, true)
      .then((rows) => this.writer.submit(rows))
      .catch((err: unknown) => {
        const kind = quotaExceededBy(err);
        throw kind ? new QuotaExceededError(kind) : err;
      });
  }

  /**
   * One page of messages, oldest first (LocalStack's order), after `page.after`. At most `limit`
   * messages and, past the first, no more than `maxBytes` of raw MIME: bodies are read only for the
   * messages of the page, so a page costs the same at ten messages stored or ten million.
   */
  async page(filter: MessageFilter, page: MessagePage): Promise<{ messages: StoredMessage[]; next?: MessageCursor }> {
    let q = this.db
      .selectFrom('messages')
      .select(['seq', 'id', 'account_id', 'region', 'source_api', 'envelope_from', 'from_header', 'subject', 'destination', 'configuration_set', 'tags', 'size', 'created_at', 'feedback_address'])
      .orderBy('created_at')
      .orderBy('seq')
      .limit(page.limit + 1);
    if (filter.id) q = q.where('id', '=', filter.id);
    if (filter.source) q = q.where('envelope_from', '=', filter.source);
    if (filter.accountId) q = q.where('account_id', '=', filter.accountId);
    const after = page.after;
    if (after) {
      q = q.where((eb) => eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('seq', '>', after.seq)])]));
    }
    const rows = await q.execute();
    const maxBytes = page.maxBytes ?? Infinity;
    let bytes = 0;
    let end = 0;
    while (end < Math.min(rows.length, page.limit) && (end === 0 || bytes + rows[end]!.size <= maxBytes)) bytes += rows[end++]!.size;
    const chosen = rows.slice(0, end);
    const raws = new Map<string, Buffer>();
    // Bodies in slices, so that one statement never holds more than a few of the largest messages.
    for (let i = 0; i < chosen.length; i += RAW_READ_BATCH) {
      const ids = chosen.slice(i, i + RAW_READ_BATCH).map((r) => r.id);
      const rows = await this.db
        .selectFrom('messages')
        .innerJoin('message_bodies', 'message_bodies.seq', 'messages.seq')
        .select(['id', 'raw', 'raw_deflated', 'size'])
        .where('id', 'in', ids)
        .execute();
      for (const r of rows) raws.set(r.id, await readRaw(r.raw, r.raw_deflated, r.size));
    }
    const messages = chosen.flatMap((r) => {
      const raw = raws.get(r.id);
      // Deleted between the two reads: no longer there to show.
      return raw === undefined ? [] : [storedMessage(r, raw)];
    });
    const last = chosen[chosen.length - 1];
    const next = last && rows.length > end ? { createdAt: Number(last.created_at), seq: Number(last.seq) } : undefined;
    return { messages, next };
  }

  /** The first messages matching `filter` (tests, single-message lookups); see page() for the bounds. */
  async list(filter: MessageFilter = {}, limit = DEFAULT_LIST_LIMIT): Promise<StoredMessage[]> {
    return (await this.page(filter, { limit, maxBytes: DEFAULT_LIST_BYTES })).messages;
  }

  async exists(id: string): Promise<boolean> {
    return (await this.db.selectFrom('messages').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  async recipients(messageId: string): Promise<{ recipient: string; status: string }[]> {
    return this.db
      .selectFrom('deliveries')
      .select(['recipient', 'status'])
      .where('message_seq', '=', keysOf(this.db, messageId))
      .orderBy('id')
      .execute();
  }

  /** `recipient`: the one recipient an Open or Click is about (migration 015), else undefined. */
  async events(messageId: string): Promise<{ type: string; payload: unknown; createdAt: number; recipient?: string }[]> {
    return (await messageEvents(this.db, messageId)).map((e) => ({ type: e.type, payload: e.payload, createdAt: e.createdAt, ...(e.recipient ? { recipient: e.recipient } : {}) }));
  }

  /**
   * Deletes captured messages (all, or one by id) with their deliveries and events, in transactions
   * of DELETE_BATCH messages, so that clearing a large store never holds one huge transaction (or,
   * on SQLite, the event loop) for long. Returns how many.
   */
  async delete(filter: { id?: string } = {}): Promise<number> {
    if (filter.id) return this.deleteIds([filter.id]);
    let deleted = 0;
    for (;;) {
      const ids = (await this.db.selectFrom('messages').select('id').limit(DELETE_BATCH).execute()).map((r) => r.id);
      if (ids.length === 0) return deleted;
      deleted += await this.deleteIds(ids);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Deletes these messages with their deliveries and events in one transaction. Returns how many. */
  async deleteIds(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return this.db.transaction().execute((trx) => deleteMessageRows(trx, ids));
  }
}

/** Deletes these messages, their deliveries and events, inside the caller's transaction. Returns how many. */
export async function deleteMessageRows(trx: Kysely<Database>, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const seqs = keysOf(trx, ids);
  await trx.deleteFrom('events').where('message_seq', 'in', seqs).execute();
  await trx.deleteFrom('deliveries').where('message_seq', 'in', seqs).execute();
  await trx.deleteFrom('message_bodies').where('seq', 'in', seqs).execute();
  const res = await trx.deleteFrom('messages').where('id', 'in', ids).executeTakeFirst();
  return Number(res.numDeletedRows);
}

const storedMessage = (
  r: Selectable<MessagesTable>,
  raw: Buffer,
): StoredMessage => ({
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
  raw,
  createdAt: Number(r.created_at),
});
