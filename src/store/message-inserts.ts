// The multi-row INSERTs of messages, their delivery rows and events: intake writes them for
// accepted mail, the delivery queue for the mail it generates (DSNs, feedback). One column list each.
import type { CompiledQuery } from 'kysely';
import type { Dialect } from './database.js';
import type { NewMessage } from './messages-repository.js';
import { storedEventPayload } from './event-payload.js';
import { BulkInsert } from './raw-sql.js';
import type { DeliveriesTable, EventsTable, MessageBodiesTable, MessagesTable } from './schema.js';
import { factsOfNew } from './mail-from-message.js';
import { storedRaw, type StoredRaw } from './stored-raw.js';
import type { QuotaGuard } from './quota-guard.js';
import type { MessageKeys } from './message-keys.js';
import { mayHaveDestinations } from '../events/event-types.js';
import { ownFigures } from '../events/metrics.js';
import { mergeIncrements, metricCounterUpserts, type MetricCounterUpserts, type MetricIncrement } from './metric-counters.js';

/** A row whose raw copy may still be left to the writer to compress (stored-raw.ts). */
type WithStoredRaw<Row extends { raw: unknown }> = Omit<Row, 'raw'> & { raw: StoredRaw['raw'] | Extract<Row['raw'], null> };

/** An event as written: pending (`dispatched_at` null) or settled already. */
export type NewEventRow = Pick<EventsTable, 'message_seq' | 'account_id' | 'type' | 'payload' | 'created_at'> & { dispatched_at: number | null };

export interface MessageInserts {
  messages: BulkInsert<MessagesTable>;
  bodies: BulkInsert<WithStoredRaw<MessageBodiesTable>>;
  deliveries: BulkInsert<WithStoredRaw<Omit<DeliveriesTable, 'id'>>>;
  events: BulkInsert<NewEventRow>;
  metrics: MetricCounterUpserts;
}

export function messageInserts(dialect: Dialect): MessageInserts {
  return {
    messages: new BulkInsert(dialect, 'messages', {
      seq: 'bigint',
      id: 'text',
      account_id: 'text',
      region: 'text',
      source_api: 'text',
      envelope_from: 'text',
      from_header: 'text',
      subject: 'text',
      destination: 'text',
      configuration_set: 'text',
      tags: 'text',
      size: 'integer',
      created_at: 'bigint',
      feedback_address: 'text',
    }),
    bodies: new BulkInsert(dialect, 'message_bodies', { seq: 'bigint', raw: 'bytea', raw_deflated: 'integer' }),
    deliveries: new BulkInsert(dialect, 'deliveries', {
      message_seq: 'bigint',
      recipient: 'text',
      status: 'text',
      attempts: 'integer',
      next_attempt_at: 'bigint',
      locked_by: 'text',
      locked_until: 'bigint',
      last_response: 'text',
      updated_at: 'bigint',
      raw: 'bytea',
      raw_deflated: 'integer',
    }),
    events: new BulkInsert(dialect, 'events', {
      message_seq: 'bigint',
      account_id: 'text',
      type: 'text',
      payload: 'text',
      created_at: 'bigint',
      dispatched_at: 'bigint',
    }),
    metrics: metricCounterUpserts(dialect),
  };
}

/**
 * A message as its rows hold it, made before the transaction. Only the rows are kept: the message
 * (its events' mail objects, its parsed headers) is garbage as soon as they are made, rather than
 * held until its batch commits, through every young-generation collection meanwhile.
 */
export interface StorableMessage {
  /** What the quota guard reads (quota-guard.ts). */
  accountId: string;
  region: string;
  quota?: QuotaGuard;
  message: MessagesTable;
  body: WithStoredRaw<MessageBodiesTable>;
  deliveries: WithStoredRaw<Omit<DeliveriesTable, 'id'>>[];
  events: NewEventRow[];
  /** What its events written settled add to the metrics. */
  figures: MetricIncrement[];
}

/**
 * Compresses the messages' raw copies, outside any transaction (a large one takes the thread pool a
 * while), and makes their rows. `deferSmall`: the queries go to a BatchWriter, which compresses
 * small ones (stored-raw.ts).
 */
export async function storable(batch: NewMessage[], keys: MessageKeys, deferSmall = false): Promise<StorableMessage[]> {
  const stored = (raw: Buffer) => storedRaw(raw, { deferSmall });
  const seqs = await keys.take(batch.length);
  return Promise.all(
    batch.map(async (m, i) => {
      const storedRawOf = await stored(m.raw);
      // Most recipients have no copy of their own: no Promise.all for them (one per message was ~1% of intake).
      const recipientRaws = m.recipients.some((r) => r.raw) ? await Promise.all(m.recipients.map((r) => (r.raw ? stored(r.raw) : undefined))) : [];
      return rowsOf(m, seqs[i]!, storedRawOf, recipientRaws);
    }),
  );
}

function rowsOf(m: NewMessage, seq: number, raw: StoredRaw, recipientRaws: (StoredRaw | undefined)[]): StorableMessage {
  // Other events made from the Send event's `mail` (a suppressed recipient's Bounce) refer to it.
  const sendMail = (m.events.find((e) => e.type === 'Send')?.payload as { mail?: unknown } | undefined)?.mail;
  const facts = factsOfNew(m);
  // An event with nowhere to go is written settled, its figures counted here: claiming and settling
  // it (two more writes of its row) would only have counted them (most sends name no configuration set).
  const figures: MetricIncrement[] = [];
  const events = m.events.map((e): NewEventRow => {
    const settled = e.nowhereToGo ?? !mayHaveDestinations(e.type, m.configurationSet);
    if (settled) figures.push(...ownFigures({ type: e.type, payload: e.payload as Record<string, unknown>, sourceApi: m.sourceApi, createdAt: m.createdAt }));
    const payload = storedEventPayload(e.type, e.payload, sendMail, facts);
    return { message_seq: seq, account_id: m.accountId, type: e.type, payload, created_at: m.createdAt, dispatched_at: settled ? m.createdAt : null };
  });
  return {
    accountId: m.accountId,
    region: m.region,
    quota: m.quota,
    message: {
      seq,
      id: m.id,
      account_id: m.accountId,
      region: m.region,
      source_api: m.sourceApi,
      envelope_from: m.envelopeFrom,
      from_header: m.fromHeader,
      subject: m.subject,
      destination: JSON.stringify(m.destination),
      configuration_set: m.configurationSet,
      tags: JSON.stringify(m.tags),
      size: m.raw.length,
      created_at: m.createdAt,
      feedback_address: m.feedbackAddress ?? null,
    },
    body: { seq, ...raw },
    deliveries: m.recipients.map(({ address, status, lastResponse }, i) => ({
      message_seq: seq,
      recipient: address,
      status,
      // A recipient delivered at acceptance (capture mode) had its one attempt there.
      attempts: status === 'delivered' ? 1 : 0,
      next_attempt_at: m.createdAt,
      locked_by: null,
      locked_until: null,
      last_response: lastResponse ?? null,
      updated_at: m.createdAt,
      ...(recipientRaws[i] ?? { raw: null, raw_deflated: null }),
    })),
    events,
    figures,
  };
}

/** The INSERTs that queue `batch`: messages, then their bodies, delivery rows and events. */
export function newMessageQueries(inserts: MessageInserts, batch: StorableMessage[]): CompiledQuery[] {
  const messages = batch.map((m) => m.message);
  const deliveries = batch.flatMap((m) => m.deliveries);
  const events = batch.flatMap((m) => m.events);
  const figures = batch.flatMap((m) => m.figures);
  return [
    ...inserts.messages.queries(messages),
    ...inserts.bodies.queries(batch.map((m) => m.body)),
    ...inserts.deliveries.queries(deliveries),
    ...inserts.events.queries(events),
    ...inserts.metrics.queries(mergeIncrements(figures)),
  ];
}
