// The console's reads (and its few queue writes): a newest-first, cursor-paged message list that
// never loads raw bodies, one message with its recipients and events, the change feed behind live
// updates, the delivery queue, and sending statistics over time. Indexes: migration 013.
import { randomBytes } from 'node:crypto';
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely';
import type { Database } from './schema.js';
import { messageEvents } from './message-event-documents.js';
import { readRaw } from './stored-raw.js';
import type { Dialect } from './database.js';
import { decodeMessageCursor, encodeMessageCursor, type Destination, type MessageCursor } from './messages-repository.js';
import { keysOf } from './message-keys.js';

/** What the list filters on; the console's search syntax (web/api/search-syntax.ts) produces it. */
export interface MessageQuery {
  from?: string[];
  to?: string[];
  subject?: string[];
  tags?: { name: string; value?: string }[];
  sets?: string[];
  statuses?: string[];
  before?: number;
  after?: number;
  text?: string[];
  accountId?: string;
  region?: string;
}

export interface MessageSummary {
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
  size: number;
  createdAt: number;
  /** How many of its recipients are in each delivery status. */
  statuses: Record<string, number>;
  /** For a message that queued no recipient: the event that says why (Rendering Failure, Reject). */
  failure?: string;
  /** How many Complaint events it has (a complaint leaves the recipient's status `delivered`). */
  complaints?: number;
}

export interface MessageWithRaw extends Omit<MessageSummary, 'statuses'> {
  raw: Buffer;
}

export interface RecipientRow {
  id: number;
  recipient: string;
  status: string;
  attempts: number;
  nextAttemptAt: number;
  lastResponse: string | null;
  updatedAt: number;
  locked: boolean;
}

export interface EventRow {
  id: number;
  type: string;
  payload: Record<string, unknown>;
  createdAt: number;
}

export interface QueuedRecipient extends RecipientRow {
  messageId: string;
  subject: string | null;
  accountId: string;
  region: string;
}

export interface StatisticsBucket {
  timestamp: number;
  counts: Record<string, number>;
}

/** Statuses a person can still act on: the queue's (retry now, cancel). */
const WAITING = ['queued', 'deferred'];
/** WAITING written as literals: the delivery queue's index holds only these rows (migration 025), which a bound parameter cannot show. */
const WAITING_LITERALS = sql.join(WAITING.map((s) => sql.lit(s)));
/** Events that end a message before any recipient is queued. */
const NOT_QUEUED_EVENTS = ['Rendering Failure', 'Reject'];
/** Events the statistics chart counts. */
const CHARTED_EVENTS = ['Send', 'Delivery', 'Bounce', 'Complaint', 'Reject', 'DeliveryDelay'];

const SUMMARY_COLUMNS = [
  'id',
  'account_id',
  'region',
  'source_api',
  'envelope_from',
  'from_header',
  'subject',
  'destination',
  'configuration_set',
  'tags',
  'size',
  'created_at',
] as const;

type MessageEb = ExpressionBuilder<Database, 'messages'>;

export class ConsoleQueries {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** One page, newest first. `cursor` is the `nextCursor` of the page before. */
  async listMessages(query: MessageQuery, page: { cursor?: string; limit: number }): Promise<{ messages: MessageSummary[]; nextCursor?: string }> {
    const after = page.cursor ? cursorOf(page.cursor) : undefined;
    // Two steps: the matching ids (a search reads the messages' rows, which hold no bodies since
    // migration 021), then those messages' summaries.
    const rows = await this.db
      .selectFrom('messages')
      .select(['id', 'seq', 'created_at'])
      .where((eb) => eb.and(conditions(eb, query, this.dialect)))
      .$if(after !== undefined, (q) =>
        q.where((eb) => eb.or([eb('created_at', '<', after!.createdAt), eb.and([eb('created_at', '=', after!.createdAt), eb('seq', '<', after!.seq)])])),
      )
      .orderBy('created_at', 'desc')
      .orderBy('seq', 'desc')
      .limit(page.limit + 1)
      .execute();
    const shown = rows.slice(0, page.limit);
    const messages = await this.summaries(shown.map((r) => r.id));
    const last = shown.at(-1);
    return { messages, nextCursor: rows.length > page.limit && last ? encodeMessageCursor({ createdAt: Number(last.created_at), seq: Number(last.seq) }) : undefined };
  }

  /** The summaries of these messages (the change feed announces them), newest first. */
  async summaries(ids: string[]): Promise<MessageSummary[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('messages').select(SUMMARY_COLUMNS).where('id', 'in', ids).orderBy('created_at', 'desc').orderBy('seq', 'desc').execute();
    return this.withStatuses(rows);
  }

  async message(id: string): Promise<MessageWithRaw | undefined> {
    const row = await this.db
      .selectFrom('messages')
      .innerJoin('message_bodies', 'message_bodies.seq', 'messages.seq')
      .select([...SUMMARY_COLUMNS, 'raw', 'raw_deflated'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { ...summaryOf(row), raw: await readRaw(row.raw, row.raw_deflated, row.size) };
  }

  async recipients(messageId: string): Promise<RecipientRow[]> {
    const rows = await this.db
      .selectFrom('deliveries')
      .selectAll()
      .where('message_seq', '=', keysOf(this.db, messageId))
      .orderBy('id')
      .execute();
    return rows.map(recipientOf);
  }

  async events(messageId: string): Promise<EventRow[]> {
    return (await messageEvents(this.db, messageId)).map((e) => ({ id: e.id, type: e.type, payload: e.payload as Record<string, unknown>, createdAt: e.createdAt }));
  }

  /** Messages created at or after `since` (the change feed looks a little back to catch late commits). */
  async messagesSince(since: number, limit: number): Promise<{ id: string; createdAt: number }[]> {
    const rows = await this.db.selectFrom('messages').select(['id', 'created_at']).where('created_at', '>=', since).orderBy('created_at').orderBy('seq').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, createdAt: Number(r.created_at) }));
  }

  /** Delivery rows changed at or after `since`. */
  async deliveryChangesSince(since: number, limit: number): Promise<{ id: number; messageId: string; recipient: string; status: string; updatedAt: number }[]> {
    const rows = await this.db
      .selectFrom('deliveries')
      .innerJoin('messages', 'messages.seq', 'deliveries.message_seq')
      .select(['deliveries.id', 'messages.id as message_id', 'deliveries.recipient', 'deliveries.status', 'deliveries.updated_at'])
      .where('deliveries.updated_at', '>=', since)
      .orderBy('deliveries.updated_at')
      .orderBy('deliveries.id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: Number(r.id), messageId: r.message_id, recipient: r.recipient, status: r.status, updatedAt: Number(r.updated_at) }));
  }

  /**
   * Complaint events recorded at or after `since`: a complaint that arrives after delivery (an ARF
   * report) changes no delivery row, so the change feed looks for it here (events_created index).
   */
  async complaintsSince(since: number, limit: number): Promise<{ id: number; messageId: string; createdAt: number }[]> {
    const rows = await this.db
      .selectFrom('events')
      .innerJoin('messages', 'messages.seq', 'events.message_seq')
      .select(['events.id', 'messages.id as message_id', 'events.created_at'])
      .where('events.created_at', '>=', since)
      .where('events.type', '=', 'Complaint')
      .orderBy('events.created_at')
      .orderBy('events.id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: Number(r.id), messageId: r.message_id, createdAt: Number(r.created_at) }));
  }

  /** Recipients waiting for delivery (queued or deferred), the soonest due first. */
  async queue(scope: { accountId?: string; region?: string }, limit: number): Promise<QueuedRecipient[]> {
    let q = this.db
      .selectFrom('deliveries')
      .innerJoin('messages', 'messages.seq', 'deliveries.message_seq')
      .selectAll('deliveries')
      .select(['messages.id as message_id', 'messages.subject', 'messages.account_id', 'messages.region'])
      .where(sql<SqlBool>`deliveries.status in (${WAITING_LITERALS})`);
    if (scope.accountId) q = q.where('messages.account_id', '=', scope.accountId);
    if (scope.region) q = q.where('messages.region', '=', scope.region);
    const rows = await q.orderBy('deliveries.next_attempt_at').orderBy('deliveries.id').limit(limit).execute();
    return rows.map((r) => ({ ...recipientOf(r), messageId: r.message_id, subject: r.subject, accountId: r.account_id, region: r.region }));
  }

  /** Makes a waiting recipient due now. False when it is not waiting, or a worker holds it. */
  async retryNow(deliveryId: number, now: number): Promise<boolean> {
    const res = await this.db
      .updateTable('deliveries')
      .set({ next_attempt_at: now, updated_at: now })
      .where('id', '=', deliveryId)
      .where('status', 'in', WAITING)
      .where('locked_until', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Stops delivering to a waiting recipient (status `cancelled`, which no claim takes). */
  async cancel(deliveryId: number, now: number): Promise<boolean> {
    const res = await this.db
      .updateTable('deliveries')
      .set({ status: 'cancelled', updated_at: now, last_response: 'Cancelled in the console' })
      .where('id', '=', deliveryId)
      .where('status', 'in', WAITING)
      .where('locked_until', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Event counts (Send, Delivery, Bounce, Complaint, Reject, DeliveryDelay) per `bucketMs` since `since`. */
  async statistics(scope: { accountId?: string }, since: number, bucketMs: number): Promise<StatisticsBucket[]> {
    const bucket = sql<number>`(created_at / ${sql.lit(bucketMs)}) * ${sql.lit(bucketMs)}`;
    let q = this.db
      .selectFrom('events')
      .select([bucket.as('bucket'), 'type', (eb) => eb.fn.countAll<number>().as('n')])
      .where('created_at', '>=', since)
      .where('type', 'in', CHARTED_EVENTS);
    if (scope.accountId) q = q.where('account_id', '=', scope.accountId);
    const rows = await q.groupBy([bucket, 'type']).execute();
    const buckets = new Map<number, StatisticsBucket>();
    for (const r of rows) {
      const t = Number(r.bucket);
      let b = buckets.get(t);
      if (!b) buckets.set(t, (b = { timestamp: t, counts: Object.fromEntries(CHARTED_EVENTS.map((e) => [e, 0])) }));
      b.counts[r.type] = Number(r.n);
    }
    return [...buckets.values()].sort((a, b) => a.timestamp - b.timestamp);
  }

  /** Accounts and regions that have anything in the store, for the console's scope picker. */
  async scopes(): Promise<{ accountId: string; region: string }[]> {
    const tables = ['identities', 'account_settings', 'configuration_sets', 'suppressed_destinations'] as const;
    const seen = new Map<string, { accountId: string; region: string }>();
    for (const table of tables) {
      const rows = await this.db.selectFrom(table).select(['account_id', 'region']).distinct().execute();
      for (const r of rows) seen.set(`${r.account_id}/${r.region}`, { accountId: r.account_id, region: r.region });
    }
    return [...seen.values()].sort((a, b) => a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region));
  }

  /** A random secret kept in `settings` under `name`, made by whichever node asks first. */
  async secret(name: string): Promise<string> {
    await this.db
      .insertInto('settings')
      .values({ name, value: randomBytes(32).toString('base64url') })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirstOrThrow();
    return row.value;
  }

  /** Records a console session; sessions past their expiry are deleted on the way. */
  async startSession(id: string, expiresAt: number, now = Date.now()): Promise<void> {
    await this.db.deleteFrom('console_sessions').where('expires_at', '<=', now).execute();
    await this.db.insertInto('console_sessions').values({ id, expires_at: expiresAt }).execute();
  }

  async sessionIsLive(id: string, now: number): Promise<boolean> {
    const row = await this.db.selectFrom('console_sessions').select('id').where('id', '=', id).where('expires_at', '>', now).executeTakeFirst();
    return row !== undefined;
  }

  async endSession(id: string): Promise<void> {
    await this.db.deleteFrom('console_sessions').where('id', '=', id).execute();
  }

  private async withStatuses(rows: SummaryRow[]): Promise<MessageSummary[]> {
    const statuses = new Map<string, Record<string, number>>(rows.map((r) => [r.id, {}]));
    if (rows.length > 0) {
      const counts = await this.db
        .selectFrom('deliveries')
        .innerJoin('messages', 'messages.seq', 'deliveries.message_seq')
        .select(['messages.id as message_id', 'deliveries.status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('messages.id', 'in', rows.map((r) => r.id))
        .groupBy(['messages.id', 'deliveries.status'])
        .execute();
      for (const c of counts) statuses.get(c.message_id)![c.status] = Number(c.n);
    }
    // What delivery statuses do not tell: why a message queued no recipient (a row would show no
    // status at all) and whether a recipient complained (its delivery stays `delivered`). One read
    // by the events' (message_seq, type) index.
    const failures = new Map<string, string>();
    const complaints = new Map<string, number>();
    if (rows.length > 0) {
      const found = await this.db
        .selectFrom('events')
        .innerJoin('messages', 'messages.seq', 'events.message_seq')
        .select(['messages.id as message_id', 'events.type', (eb) => eb.fn.countAll<number>().as('n')])
        .where('messages.id', 'in', rows.map((r) => r.id))
        .where('events.type', 'in', [...NOT_QUEUED_EVENTS, 'Complaint'])
        .groupBy(['messages.id', 'events.type'])
        .execute();
      for (const f of found) {
        if (f.type === 'Complaint') complaints.set(f.message_id, Number(f.n));
        else if (Object.keys(statuses.get(f.message_id)!).length === 0) failures.set(f.message_id, f.type);
      }
    }
    return rows.map((r) => {
      const failure = failures.get(r.id);
      const complained = complaints.get(r.id);
      return { ...summaryOf(r), statuses: statuses.get(r.id)!, ...(failure ? { failure } : {}), ...(complained ? { complaints: complained } : {}) };
    });
  }
}

type SummaryRow = Pick<import('kysely').Selectable<Database['messages']>, (typeof SUMMARY_COLUMNS)[number]>;

function summaryOf(r: SummaryRow): Omit<MessageSummary, 'statuses'> {
  return {
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
    size: r.size,
    createdAt: Number(r.created_at),
  };
}

function recipientOf(r: import('kysely').Selectable<Database['deliveries']>): RecipientRow {
  return {
    id: Number(r.id),
    recipient: r.recipient,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: Number(r.next_attempt_at),
    lastResponse: r.last_response,
    updatedAt: Number(r.updated_at),
    locked: r.locked_until !== null,
  };
}

/** Every filter of the query, ANDed; terms of one kind are ANDed too (`to:a to:b` wants both). */
function conditions(eb: MessageEb, q: MessageQuery, dialect: Dialect): Expression<SqlBool>[] {
  // Case-insensitive substring match: SQLite's LIKE already ignores ASCII case (as its lower() does
  // only ASCII); PostgreSQL's is ILIKE. Neither needs lower() on every row.
  const like = dialect === 'postgres' ? sql.raw('ilike') : sql.raw('like');
  const contains = (column: Expression<string | null>, value: string) => sql<SqlBool>`${column} ${like} ${`%${escapeLike(value)}%`} escape '\\'`;
  const all: Expression<SqlBool>[] = [];
  if (q.accountId) all.push(eb('account_id', '=', q.accountId));
  if (q.region) all.push(eb('region', '=', q.region));
  if (q.before !== undefined) all.push(eb('created_at', '<', q.before));
  if (q.after !== undefined) all.push(eb('created_at', '>=', q.after));
  for (const set of q.sets ?? []) all.push(eb('configuration_set', '=', set));
  for (const s of q.subject ?? []) all.push(contains(sql.ref('subject'), s));
  for (const f of q.from ?? []) all.push(eb.or([contains(sql.ref('envelope_from'), f), contains(sql.ref('from_header'), f)]));
  for (const to of q.to ?? []) all.push(eb('seq', 'in', recipientMessages(eb, to, contains)));
  for (const tag of q.tags ?? []) {
    // Tags are stored as JSON.stringify([{Name, Value}]): look for the one object's exact text.
    const text = tag.value === undefined ? JSON.stringify({ Name: tag.name }).slice(0, -1) + ',' : JSON.stringify({ Name: tag.name, Value: tag.value });
    all.push(sql<SqlBool>`tags like ${`%${escapeLike(text)}%`} escape '\\'`);
  }
  // EXISTS, not IN: walking the list newest first and stopping at a page's worth stays fast for a
  // common status (delivered), where an IN list would be most of the table, sorted.
  for (const status of q.statuses ?? []) {
    all.push(
      status === 'complained'
        ? eb.exists(eb.selectFrom('events').select('events.id').whereRef('events.message_seq', '=', 'messages.seq').where('events.type', '=', 'Complaint'))
        : eb.exists(eb.selectFrom('deliveries').select('deliveries.id').whereRef('deliveries.message_seq', '=', 'messages.seq').where('deliveries.status', '=', status)),
    );
  }
  // Free text: one match over the searchable columns together, not one per column.
  const searchable = sql<string>`coalesce(subject, '') || ' ' || envelope_from || ' ' || coalesce(from_header, '') || ' ' || destination`;
  for (const word of q.text ?? []) all.push(contains(searchable, word));
  return all;
}

/** Keys of messages with a recipient matching `to`: by index for a whole address, else by substring. */
function recipientMessages(eb: MessageEb, to: string, contains: (column: Expression<string | null>, value: string) => Expression<SqlBool>) {
  const d = eb.selectFrom('deliveries').select('message_seq');
  if (/^[^\s@%_]+@[^\s@%_]+$/.test(to)) return d.where('recipient', 'in', [...new Set([to, to.toLowerCase()])]);
  return d.where(contains(sql.ref('recipient'), to));
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class BadCursorError extends Error {}

function cursorOf(token: string): MessageCursor {
  const cursor = decodeMessageCursor(token);
  if (!cursor) throw new BadCursorError('cursor is not one this API gave out');
  return cursor;
}
