// The event outbox seen from the dispatcher: pending events claimed under a lease (FOR UPDATE SKIP
// LOCKED on PostgreSQL, so several nodes share the work), every publish attempt recorded, and an
// event settled or rescheduled in the same transaction as its attempts and the metric counters it
// moves. A lease that runs out (a crashed dispatcher) makes the event claimable again, so an event
// committed before a SIGKILL is published after the restart.
import { CompiledQuery, type Kysely } from 'kysely';
import { anyRow } from './any-row.js';
import type { Dialect } from './database.js';
import { eventDocument, refersToSendMail, sendEventMail } from './event-payload.js';
import { FACT_COLUMNS, factsOf, type FactRow, type MessageFacts } from './mail-from-message.js';
import { mergeIncrements, metricCounterUpserts, type MetricCounterUpserts, type MetricIncrement } from './metric-counters.js';
import { BulkInsert, forDialect, placeholders, precompiled } from './raw-sql.js';
import { preparedSql } from './prepared-statements.js';
import { relaxedTransaction } from './relaxed-transaction.js';
import type { Database, EventPublicationsTable } from './schema.js';
import { keysOf } from './message-keys.js';
import { sendEventReader } from './message-event-documents.js';

export interface PendingEvent {
  id: number;
  messageId: string;
  accountId: string;
  /** From the message; undefined when the message was deleted since (captured mail cleared). */
  region?: string;
  configurationSet: string | null;
  sourceApi?: string;
  type: string;
  payload: Record<string, unknown>;
  createdAt: number;
  /** Dispatch attempts, this one included. */
  attempts: number;
}

export type PublicationStatus = 'published' | 'failed' | 'undeliverable';

export interface Publication {
  eventId: number;
  messageId: string;
  accountId: string;
  eventType: string;
  destination: string;
  kind: string;
  target: string;
  attempt: number;
  status: PublicationStatus;
  statusCode?: number;
  latencyMs: number;
  error?: string;
  remoteId?: string;
  at: number;
}

/** What became of one claimed event: settled (every destination done) or tried again at `retryAt`. */
export interface EventOutcome {
  eventId: number;
  retryAt?: number;
}

export class EventDispatchRepository {
  private readonly claimSql: string;
  private readonly dueSql: string;
  private readonly messagesSql: (count: number) => string;
  private readonly sendEvents: ReturnType<typeof sendEventReader>;
  private readonly settledSql: (count: number) => string;
  private readonly doneSql: (count: number) => string;
  private readonly retrySql: string;
  private readonly metricUpserts: MetricCounterUpserts;
  private readonly publications: BulkInsert<Omit<EventPublicationsTable, 'id'>>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {
    const skipLocked = dialect === 'postgres' ? ' for update skip locked' : '';
    // What the claim looks for; read first (any-row.ts), so an idle poll takes no write lock.
    const due = 'from events where dispatched_at is null and next_dispatch_at <= ? and (locked_until is null or locked_until < ?)';
    this.claimSql = preparedSql(
      dialect,
      'update events set locked_by = ?, locked_until = ?, dispatch_attempts = dispatch_attempts + 1 ' +
        `where id in (select id ${due} order by next_dispatch_at, id limit ?${skipLocked}) ` +
        'returning id, (select m.id from messages m where m.seq = events.message_seq) as message_id, account_id, type, payload, created_at, dispatch_attempts',
    );
    this.dueSql = preparedSql(dialect, `select id ${due} limit 1`);
    // With the columns a payload's `mail` is rebuilt from (mail-from-message.ts).
    this.messagesSql = precompiled(
      dialect,
      (n: number) => `select ${FACT_COLUMNS.join(', ')} from messages join message_bodies using (seq) where id in (${placeholders(n)})`,
    );
    this.sendEvents = sendEventReader(dialect);
    this.settledSql = precompiled(
      dialect,
      (n: number) => `select event_id, destination from event_publications where status <> 'failed' and event_id in (${placeholders(n)})`,
    );
    this.doneSql = precompiled(
      dialect,
      (n: number) => `update events set dispatched_at = ?, locked_by = null, locked_until = null where locked_by = ? and id in (${placeholders(n)})`,
    );
    this.retrySql = forDialect(dialect, 'update events set next_dispatch_at = ?, locked_by = null, locked_until = null where locked_by = ? and id = ?');
    this.metricUpserts = metricCounterUpserts(dialect);
    this.publications = new BulkInsert(dialect, 'event_publications', {
      event_id: 'bigint',
      message_id: 'text',
      account_id: 'text',
      event_type: 'text',
      destination: 'text',
      kind: 'text',
      target: 'text',
      attempt: 'integer',
      status: 'text',
      status_code: 'integer',
      latency_ms: 'integer',
      error: 'text',
      remote_id: 'text',
      created_at: 'bigint',
    });
  }

  /** Leases up to `limit` due events to `workerId`, oldest first, with their message's region and set. */
  async claim(workerId: string, limit: number, leaseMs: number, now: number): Promise<PendingEvent[]> {
    type Claimed = {
      id: number;
      message_id: string;
      account_id: string;
      type: string;
      payload: string;
      created_at: number;
      dispatch_attempts: number;
    };
    if (!(await anyRow(this.db, this.dueSql, [now, now]))) return [];
    const { rows } = await relaxedTransaction(this.db, this.dialect, (db) => db.executeQuery<Claimed>(CompiledQuery.raw(this.claimSql, [workerId, now + leaseMs, now, now, limit])));
    if (rows.length === 0) return [];
    const ids = [...new Set(rows.map((r) => r.message_id))];
    const { rows: messages } = await this.db.executeQuery<FactRow>(CompiledQuery.raw(this.messagesSql(ids.length), ids));
    const byId = new Map(messages.map((m) => [m.id, m]));
    // A message is gone when it was deleted since the claim: its events' `mail` holds what they kept.
    const facts = new Map(messages.map((m) => [m.id, factsOf(m)]));
    const sendMails = await this.sendMailsFor(rows, facts);
    return rows
      .map((r) => {
        const m = byId.get(r.message_id);
        return {
          id: Number(r.id),
          messageId: r.message_id,
          accountId: r.account_id,
          region: m?.region,
          configurationSet: m?.configuration_set ?? null,
          sourceApi: m?.source_api,
          type: r.type,
          payload: eventDocument(r.payload, () => sendMails.get(r.message_id), facts.get(r.message_id)) as Record<string, unknown>,
          createdAt: Number(r.created_at),
          attempts: Number(r.dispatch_attempts),
        };
      })
      .sort((a, b) => a.id - b.id);
  }

  /** The Send `mail` of each message some of `claimed` refer to (event-payload.ts), from the batch or the store. */
  private async sendMailsFor(claimed: { message_id: string; type: string; payload: string }[], facts: Map<string, MessageFacts>): Promise<Map<string, unknown>> {
    const referring = new Set(claimed.filter((r) => refersToSendMail(r.payload)).map((r) => r.message_id));
    const sends = claimed.filter((r) => r.type === 'Send' && referring.has(r.message_id));
    const missing = [...referring].filter((id) => !sends.some((s) => s.message_id === id));
    if (missing.length > 0) {
      for (const s of await this.sendEvents(this.db, missing)) sends.push({ message_id: s.messageId, type: 'Send', payload: s.payload });
    }
    return new Map(sends.map((s) => [s.message_id, sendEventMail(s.payload, facts.get(s.message_id))]));
  }

  /** Destinations already settled (published or given up) per event, from earlier attempts. */
  async settledDestinations(eventIds: number[]): Promise<Map<number, Set<string>>> {
    const out = new Map<number, Set<string>>();
    if (eventIds.length === 0) return out;
    const { rows } = await this.db.executeQuery<{ event_id: number; destination: string }>(CompiledQuery.raw(this.settledSql(eventIds.length), eventIds));
    for (const r of rows) {
      const id = Number(r.event_id);
      if (!out.has(id)) out.set(id, new Set());
      out.get(id)!.add(r.destination);
    }
    return out;
  }

  /**
   * Records the attempts, settles or reschedules the events, and adds the counters, in one
   * transaction. Events whose lease this worker lost are left alone (their attempts are still kept:
   * they happened).
   */
  async complete(workerId: string, publications: Publication[], outcomes: EventOutcome[], metrics: MetricIncrement[], now: number): Promise<void> {
    // Without an fsync per batch (relaxed-transaction.ts): at-least-once publishing allows losing the last state.
    await relaxedTransaction(this.db, this.dialect, async (trx) => {
      const rows = publications.map((p) => ({
        event_id: p.eventId,
        message_id: p.messageId,
        account_id: p.accountId,
        event_type: p.eventType,
        destination: p.destination,
        kind: p.kind,
        target: p.target,
        attempt: p.attempt,
        status: p.status,
        status_code: p.statusCode ?? null,
        latency_ms: Math.round(p.latencyMs),
        error: p.error ?? null,
        remote_id: p.remoteId ?? null,
        created_at: p.at,
      }));
      for (const q of this.publications.queries(rows)) await trx.executeQuery(q);
      const done = outcomes.filter((o) => o.retryAt === undefined).map((o) => o.eventId);
      for (let i = 0; i < done.length; i += 400) {
        const chunk = done.slice(i, i + 400);
        await trx.executeQuery(CompiledQuery.raw(this.doneSql(chunk.length), [now, workerId, ...chunk]));
      }
      for (const o of outcomes) if (o.retryAt !== undefined) await trx.executeQuery(CompiledQuery.raw(this.retrySql, [o.retryAt, workerId, o.eventId]));
      for (const q of this.metricUpserts.queries(mergeIncrements(metrics))) await trx.executeQuery(q);
    });
  }

  /** Writes an event that no other change carries (a Subscription event); the dispatcher publishes it. */
  async insertEvent(e: { messageId: string; accountId: string; type: string; payload: unknown; createdAt: number }): Promise<void> {
    await this.db
      .insertInto('events')
      .values({ message_seq: keysOf(this.db, e.messageId), account_id: e.accountId, type: e.type, payload: JSON.stringify(e.payload), created_at: e.createdAt })
      .execute();
  }

  /** Adds to counters outside a dispatch (e.g. figures a process keeps for itself). */
  async addMetrics(metrics: MetricIncrement[]): Promise<void> {
    if (metrics.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const q of this.metricUpserts.queries(mergeIncrements(metrics))) await trx.executeQuery(q);
    });
  }

  /** Every counter, for GET /metrics. */
  async counters(): Promise<{ name: string; labels: Record<string, string>; value: number }[]> {
    const rows = await this.db
      .selectFrom('metric_counters')
      .select(['name', 'labels', (eb) => eb.fn.sum<number>('value').as('value')])
      .groupBy(['name', 'labels'])
      .orderBy('name')
      .orderBy('labels')
      .execute();
    return rows.map((r) => ({ name: r.name, labels: JSON.parse(r.labels) as Record<string, string>, value: Number(r.value) }));
  }

  /** Events not yet settled, and the age of the oldest (ms), for GET /metrics. */
  async pending(now: number): Promise<{ count: number; oldestAgeMs: number }> {
    const { rows } = await this.db.executeQuery<{ n: number; oldest: number | null }>(
      CompiledQuery.raw(forDialect(this.dialect, 'select count(*) as n, min(created_at) as oldest from events where dispatched_at is null'), []),
    );
    const r = rows[0];
    return { count: Number(r?.n ?? 0), oldestAgeMs: r?.oldest == null ? 0 : Math.max(0, now - Number(r.oldest)) };
  }

  /** Recipients waiting in the delivery queue, per status (queued, deferred). */
  async queueDepth(): Promise<Record<string, number>> {
    const { rows } = await this.db.executeQuery<{ status: string; n: number }>(
      CompiledQuery.raw("select status, count(*) as n from deliveries where status in ('queued', 'deferred') group by status", []),
    );
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  /** A message's publish attempts, oldest first; with `newest`, only that many of the latest. */
  async publicationsOf(messageId: string, newest?: number): Promise<Publication[]> {
    const query = this.db.selectFrom('event_publications').selectAll().where('message_id', '=', messageId);
    const rows = newest === undefined ? await query.orderBy('id').execute() : (await query.orderBy('id', 'desc').limit(newest).execute()).reverse();
    return rows.map((r) => ({
      eventId: Number(r.event_id),
      messageId: r.message_id,
      accountId: r.account_id,
      eventType: r.event_type,
      destination: r.destination,
      kind: r.kind,
      target: r.target,
      attempt: r.attempt,
      status: r.status as PublicationStatus,
      ...(r.status_code !== null && { statusCode: r.status_code }),
      latencyMs: r.latency_ms,
      ...(r.error !== null && { error: r.error }),
      ...(r.remote_id !== null && { remoteId: r.remote_id }),
      at: Number(r.created_at),
    }));
  }

  /** Whether an event of the message is still to be published (for tests and the console). */
  async pendingFor(messageId: string): Promise<number> {
    const { rows } = await this.db.executeQuery<{ n: number }>(
      CompiledQuery.raw(
        forDialect(this.dialect, 'select count(*) as n from events e join messages m on m.seq = e.message_seq where m.id = ? and e.dispatched_at is null'),
        [messageId],
      ),
    );
    return Number(rows[0]?.n ?? 0);
  }
}
