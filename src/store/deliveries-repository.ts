// The delivery queue: recipients claimed under a lease, completed together with the events their
// new state causes (outbox), and leases of crashed workers returned by the reaper. On PostgreSQL a
// claim skips rows another node holds (FOR UPDATE SKIP LOCKED); on SQLite the claim is one UPDATE,
// which SQLite runs under its single writer lock.
//
// Claims and outcomes are committed without waiting for the disk (synchronous=NORMAL on SQLite,
// synchronous_commit=off on PostgreSQL): losing the last of them in a power failure costs at most
// a second delivery, which at-least-once delivery allows, while an fsync per commit would cap
// delivery at a few hundred recipients a second (better-sqlite3 fsyncs on the event loop). The
// database stays consistent either way, and the next durable commit (an accepted message) makes
// them durable too. Accepting a message keeps its fsync (RFC 5321 6.1).
//
// The statements the delivery loop runs for every batch (the claim, the claimed messages, the
// completion and the transaction around them) are SQL written by hand per dialect, their text built
// once per shape (see raw-sql.ts): building and compiling them with Kysely's query builder took a
// quarter of the delivery thread's CPU. Reaping and counting, which run seldom, use the builder.
import { CompiledQuery, type Kysely } from 'kysely';
import type { Dialect } from './database.js';
import { GroupCommit } from './group-commit.js';
import { messageInserts, newMessageQueries, storable, type NewEventRow, type StorableMessage } from './message-inserts.js';
import type { NewMessage } from './messages-repository.js';
import { IDS_PER_STATEMENT, placeholders, precompiled } from './raw-sql.js';
import { preparedSql } from './prepared-statements.js';
import { relaxedTransaction } from './relaxed-transaction.js';
import { MessageKeys } from './message-keys.js';
import { sendEventMail, storedEventPayload } from './event-payload.js';
import { FACT_COLUMNS, factsOf, type FactRow } from './mail-from-message.js';
import { sendEventReader } from './message-event-documents.js';
import { readRaw } from './stored-raw.js';
import { ownFigures } from '../events/metrics.js';
import { mergeIncrements, type MetricIncrement } from './metric-counters.js';
import type { Database, MessagesTable } from './schema.js';

export interface ClaimedDelivery {
  id: number;
  messageId: string;
  recipient: string;
  /** Attempts made, this one included. */
  attempts: number;
  /** The recipient's own copy of the message (list-managed mail), when it has one. */
  raw?: Buffer;
}

export interface QueuedMessage {
  id: string;
  accountId: string;
  region: string;
  sourceApi: string;
  /** '' for the null sender (mail sesd generates: DSNs, auto-replies, feedback). */
  envelopeFrom: string;
  configurationSet: string | null;
  raw: Buffer;
  createdAt: number;
  /** Where feedback forwarding sends bounce and complaint notices, when not to the envelope sender. */
  feedbackAddress: string | null;
  /** The SES `mail` object of the message's Send event; absent for mail sesd generates. */
  mail?: Record<string, unknown>;
}

/** Mail that sesd itself writes as a result of a delivery (a DSN, an auto-reply, a feedback report). */
export interface GeneratedMessage {
  id: string;
  accountId: string;
  region: string;
  fromHeader: string;
  subject: string;
  to: string[];
  raw: Buffer;
  createdAt: number;
}

export type FinalStatus = 'delivered' | 'bounced' | 'suppressed';

export interface DeliveryUpdate {
  deliveryId: number;
  messageId: string;
  accountId: string;
  status: FinalStatus | 'deferred';
  /** Required for 'deferred'. */
  nextAttemptAt?: number;
  lastResponse: string | null;
  /** `nowhereToGo`: written settled, with sesd's own figures, instead of left to the dispatcher. */
  events: { type: string; payload: unknown; nowhereToGo?: boolean }[];
  generated: GeneratedMessage[];
}

/** Source of messages sesd generates itself; they have no Send event and cause no events. */
export const GENERATED_SOURCE = 'sesd';

interface Completion {
  workerId: string;
  updates: DeliveryUpdate[];
  /** Each update's generated mail, prepared for its rows (compressed) before the transaction. */
  generated: StorableMessage[][];
  now: number;
}

// Five parameters a row, well under both dialects' limits.
const UPDATES_PER_STATEMENT = 200;

export class DeliveriesRepository {
  private readonly completer: GroupCommit<Completion>;
  private readonly statements: QueueStatements;
  private readonly keys: MessageKeys;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {
    this.statements = queueStatements(dialect);
    this.keys = new MessageKeys(db, dialect);
    this.completer = new GroupCommit((batch) => this.lazily((trx) => completeBatch(trx, this.statements, batch)));
  }

  /** Leases up to `limit` due recipients to `workerId` and counts the attempt. */
  async claim(workerId: string, limit: number, leaseMs: number, now: number): Promise<ClaimedDelivery[]> {
    if (limit <= 0) return [];
    const { rows } = await this.lazily((trx) =>
      trx.executeQuery<{ id: number; message_id: string; recipient: string; attempts: number; raw: Uint8Array | null; raw_deflated: number | null }>(
        CompiledQuery.raw(this.statements.claim, [workerId, now + leaseMs, now, now, limit]),
      ),
    );
    const claimed = await Promise.all(
      rows.map(async (r) => ({ id: Number(r.id), messageId: r.message_id, recipient: r.recipient, attempts: r.attempts, ...(r.raw ? { raw: await readRaw(r.raw, r.raw_deflated) } : {}) })),
    );
    // RETURNING comes in no particular order.
    return claimed.sort((a, b) => a.id - b.id);
  }

  /** The claimed recipients' messages, with the `mail` object of their Send event. */
  async messages(ids: string[]): Promise<Map<string, QueuedMessage>> {
    const out = new Map<string, QueuedMessage>();
    for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
      const chunk = ids.slice(i, i + IDS_PER_STATEMENT);
      const { rows } = await this.db.executeQuery<FactRow & Pick<MessagesTable, 'size' | 'feedback_address'>>(CompiledQuery.raw(this.statements.selectMessages(chunk.length), chunk));
      const sendPayloads = new Map((await this.statements.sendEvents(this.db, chunk)).map((s) => [s.messageId, s.payload]));
      for (const r of rows) {
        const facts = factsOf(r);
        const send = sendPayloads.get(r.id);
        out.set(r.id, {
          id: r.id,
          accountId: r.account_id,
          region: r.region,
          sourceApi: r.source_api,
          envelopeFrom: r.envelope_from,
          feedbackAddress: r.feedback_address,
          configurationSet: r.configuration_set,
          raw: await readRaw(r.raw, r.raw_deflated, r.size),
          createdAt: facts.createdAt,
          mail: send === undefined ? undefined : sendEventMail(send, facts),
        });
      }
    }
    return out;
  }

  /**
   * Writes the recipients' new state with their events and generated mail in one (group-committed)
   * transaction. A row whose lease this worker no longer holds is left alone, events included, so a
   * reclaimed recipient does not get its outcome twice.
   */
  async complete(workerId: string, updates: DeliveryUpdate[], now = Date.now()): Promise<void> {
    if (updates.length === 0) return;
    const generated = await Promise.all(updates.map((u) => storable(u.generated.map(generatedAsNew), this.keys)));
    await this.completer.submit({ workerId, updates, generated, now });
  }

  /** Gives back recipients `workerId` claimed and made no attempt for (the claim's count undone). */
  async release(workerId: string, ids: number[]): Promise<void> {
    for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
      await this.db
        .updateTable('deliveries')
        .set((eb) => ({ locked_by: null, locked_until: null, attempts: eb('attempts', '-', 1) }))
        .where('id', 'in', ids.slice(i, i + IDS_PER_STATEMENT))
        .where('locked_by', '=', workerId)
        .execute();
    }
  }

  /** Returns the recipients of leases that ran out (a crashed or stuck worker) to the queue. */
  async releaseExpired(now: number): Promise<number> {
    const res = await this.db
      .updateTable('deliveries')
      .set({ locked_by: null, locked_until: null })
      .where('locked_until', 'is not', null)
      .where('locked_until', '<', now)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /** A transaction whose commit does not wait for the disk (see the top of this file and relaxed-transaction.ts). */
  private lazily<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return relaxedTransaction(this.db, this.dialect, fn);
  }

  /** Recipients per status, for tests, benchmarks and health checks. */
  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('deliveries').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }
}

type QueueStatements = ReturnType<typeof queueStatements>;

/** The queue's hand-written statements as `dialect` writes them. */
function queueStatements(dialect: Dialect) {
  // PostgreSQL: skip the rows another node's claim has locked rather than wait for its commit and
  // then find them taken; concurrent claimers take different rows.
  const skipLocked = dialect === 'postgres' ? ' for update skip locked' : '';
  const updateRow = '(cast(? as bigint), cast(? as text), cast(? as bigint), cast(? as text), cast(? as bigint))';
  return {
    /** Parameters: worker id, lease end, now (updated_at), now (due by), limit. */
    claim: preparedSql(
      dialect,
      'update deliveries set locked_by = ?, locked_until = ?, attempts = attempts + 1, updated_at = ? ' +
        "where id in (select id from deliveries where status in ('queued', 'deferred') and next_attempt_at <= ? and locked_until is null " +
        `order by next_attempt_at, id limit ?${skipLocked}) ` +
        'returning id, (select m.id from messages m where m.seq = deliveries.message_seq) as message_id, recipient, attempts, raw, raw_deflated',
    ),
    selectMessages: precompiled(
      dialect,
      (idCount: number) =>
        `select ${[...FACT_COLUMNS, 'size', 'feedback_address'].join(', ')} from messages join message_bodies using (seq) where id in (${placeholders(idCount)})`,
    ),
    sendEvents: sendEventReader(dialect),
    /** See applyUpdates. Parameters: each row's id, status, next attempt, last response, updated_at, then the worker id. */
    applyUpdates: precompiled(
      dialect,
      (rowCount: number) =>
        'update deliveries set status = v.column2, next_attempt_at = v.column3, last_response = v.column4, locked_by = null, locked_until = null, updated_at = v.column5 ' +
        `from (values ${Array(rowCount).fill(updateRow).join(', ')}) as v ` +
        'where deliveries.id = v.column1 and deliveries.locked_by = ? returning deliveries.id, deliveries.message_seq',
    ),
    inserts: messageInserts(dialect),
  };
}

async function completeBatch(trx: Kysely<Database>, statements: QueueStatements, batch: Completion[]): Promise<void> {
  // Every completion of the batch that one worker made, in shared statements: a statement per
  // completion (one per delivered message) was most of PostgreSQL's work for delivery.
  const rows = batch.flatMap(({ workerId, updates, generated, now }) => updates.map((update, i) => ({ workerId, update, generated: generated[i]!, now })));
  const events: NewEventRow[] = [];
  const figures: MetricIncrement[] = [];
  const generated: StorableMessage[] = [];
  for (const workerId of new Set(rows.map((r) => r.workerId))) {
    const own = rows.filter((r) => r.workerId === workerId);
    for (let i = 0; i < own.length; i += UPDATES_PER_STATEMENT) {
      const chunk = own.slice(i, i + UPDATES_PER_STATEMENT);
      const applied = await applyUpdates(trx, statements, workerId, chunk);
      for (const { update: u, generated: mail, now } of chunk) {
        const messageSeq = applied.get(u.deliveryId);
        if (messageSeq === undefined) continue;
        // An event made from the claimed message's Send `mail` refers to it rather than copy it.
        for (const e of u.events) {
          events.push({ message_seq: messageSeq, account_id: u.accountId, type: e.type, payload: storedEventPayload(e.type, e.payload), created_at: now, dispatched_at: e.nowhereToGo ? now : null });
          if (e.nowhereToGo) figures.push(...ownFigures({ type: e.type, payload: e.payload as Record<string, unknown>, createdAt: now }));
        }
        generated.push(...mail);
      }
    }
  }
  // Messages before the deliveries and events that reference them.
  const inserts = [
    ...newMessageQueries(statements.inserts, generated),
    ...statements.inserts.events.queries(events),
    ...statements.inserts.metrics.queries(mergeIncrements(figures)),
  ];
  for (const q of inserts) await trx.executeQuery(q);
}

/** Generated mail is queued as intake queues accepted mail; it has no events of its own. */
export function generatedAsNew(m: GeneratedMessage): NewMessage {
  return {
    id: m.id,
    accountId: m.accountId,
    region: m.region,
    sourceApi: GENERATED_SOURCE,
    envelopeFrom: '',
    fromHeader: m.fromHeader,
    subject: m.subject,
    destination: { ToAddresses: m.to },
    configurationSet: null,
    tags: [],
    raw: m.raw,
    createdAt: m.createdAt,
    recipients: m.to.map((address) => ({ address, status: 'queued' })),
    events: [],
  };
}

/**
 * One UPDATE for many rows, each with its own values (UPDATE ... FROM (VALUES ...), which both
 * dialects have; their VALUES columns are column1, column2, ...). The casts type those columns:
 * PostgreSQL would otherwise take the parameters there for text. Returns the ids this worker still
 * held the lease of, with their message's key.
 */
async function applyUpdates(trx: Kysely<Database>, statements: QueueStatements, workerId: string, rows: { update: DeliveryUpdate; now: number }[]): Promise<Map<number, number>> {
  const parameters: unknown[] = [];
  for (const { update: u, now } of rows) parameters.push(u.deliveryId, u.status, u.nextAttemptAt ?? now, u.lastResponse, now);
  parameters.push(workerId);
  const { rows: applied } = await trx.executeQuery<{ id: number; message_seq: number }>(CompiledQuery.raw(statements.applyUpdates(rows.length), parameters));
  return new Map(applied.map((r) => [Number(r.id), Number(r.message_seq)]));
}
