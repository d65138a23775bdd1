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
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Dialect } from './database.js';
import { GroupCommit } from './group-commit.js';
import type { Database } from './schema.js';

export interface ClaimedDelivery {
  id: number;
  messageId: string;
  recipient: string;
  /** Attempts made, this one included. */
  attempts: number;
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
  events: { type: string; payload: unknown }[];
  generated: GeneratedMessage[];
}

/** Source of messages sesd generates itself; they have no Send event and cause no events. */
export const GENERATED_SOURCE = 'sesd';

interface Completion {
  workerId: string;
  updates: DeliveryUpdate[];
  now: number;
}

const ROWS_PER_STATEMENT = 400;
// Four parameters a row, well under both dialects' limits.
const UPDATES_PER_STATEMENT = 200;

export class DeliveriesRepository {
  private readonly completer: GroupCommit<Completion>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {
    this.completer = new GroupCommit((batch) => this.lazily((trx) => completeBatch(trx, batch)));
  }

  /** Leases up to `limit` due recipients to `workerId` and counts the attempt. */
  async claim(workerId: string, limit: number, leaseMs: number, now: number): Promise<ClaimedDelivery[]> {
    if (limit <= 0) return [];
    const due = this.db
      .selectFrom('deliveries')
      .select('id')
      .where('status', 'in', ['queued', 'deferred'])
      .where('next_attempt_at', '<=', now)
      .where('locked_until', 'is', null)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit);
    const rows = await this.lazily((trx) =>
      trx
        .updateTable('deliveries')
        .set((eb) => ({ locked_by: workerId, locked_until: now + leaseMs, attempts: eb('attempts', '+', 1), updated_at: now }))
        .where('id', 'in', this.dialect === 'postgres' ? due.forUpdate().skipLocked() : due)
        .returning(['id', 'message_id', 'recipient', 'attempts'])
        .execute(),
    );
    return rows
      .map((r) => ({ id: Number(r.id), messageId: r.message_id, recipient: r.recipient, attempts: r.attempts }))
      .sort((a, b) => a.id - b.id);
  }

  /** The claimed recipients' messages, with the `mail` object of their Send event. */
  async messages(ids: string[]): Promise<Map<string, QueuedMessage>> {
    const out = new Map<string, QueuedMessage>();
    for (let i = 0; i < ids.length; i += ROWS_PER_STATEMENT) {
      const chunk = ids.slice(i, i + ROWS_PER_STATEMENT);
      const rows = await this.db
        .selectFrom('messages')
        .select(['id', 'account_id', 'region', 'source_api', 'envelope_from', 'configuration_set', 'raw', 'created_at'])
        .where('id', 'in', chunk)
        .execute();
      const sends = await this.db.selectFrom('events').select(['message_id', 'payload']).where('message_id', 'in', chunk).where('type', '=', 'Send').execute();
      const mailOf = new Map(sends.map((s) => [s.message_id, (JSON.parse(s.payload) as { mail?: Record<string, unknown> }).mail]));
      for (const r of rows) {
        out.set(r.id, {
          id: r.id,
          accountId: r.account_id,
          region: r.region,
          sourceApi: r.source_api,
          envelopeFrom: r.envelope_from,
          configurationSet: r.configuration_set,
          raw: Buffer.from(r.raw),
          createdAt: Number(r.created_at),
          mail: mailOf.get(r.id),
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
    if (updates.length > 0) await this.completer.submit({ workerId, updates, now });
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

  /** A transaction whose commit does not wait for the disk (see the top of this file). */
  private lazily<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    if (this.dialect === 'postgres') {
      return this.db.transaction().execute(async (trx) => {
        await sql`SET LOCAL synchronous_commit = off`.execute(trx);
        return fn(trx);
      });
    }
    // SQLite's setting is per connection; holding the one connection keeps intake's commits FULL.
    return this.db.connection().execute(async (conn) => {
      await sql`PRAGMA synchronous = NORMAL`.execute(conn);
      try {
        return await conn.transaction().execute(fn);
      } finally {
        await sql`PRAGMA synchronous = FULL`.execute(conn);
      }
    });
  }

  /** Recipients per status, for tests, benchmarks and health checks. */
  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.db.selectFrom('deliveries').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }
}

async function completeBatch(trx: Transaction<Database>, batch: Completion[]): Promise<void> {
  const events: { message_id: string; account_id: string; type: string; payload: string; created_at: number }[] = [];
  const generated: GeneratedMessage[] = [];
  for (const { workerId, updates, now } of batch) {
    for (let i = 0; i < updates.length; i += UPDATES_PER_STATEMENT) {
      const chunk = updates.slice(i, i + UPDATES_PER_STATEMENT);
      const applied = await applyUpdates(trx, workerId, chunk, now);
      for (const u of chunk) {
        if (!applied.has(u.deliveryId)) continue;
        for (const e of u.events) events.push({ message_id: u.messageId, account_id: u.accountId, type: e.type, payload: JSON.stringify(e.payload), created_at: now });
        generated.push(...u.generated);
      }
    }
  }
  const messages = generated.map((m) => ({
    id: m.id,
    account_id: m.accountId,
    region: m.region,
    source_api: GENERATED_SOURCE,
    envelope_from: '',
    from_header: m.fromHeader,
    subject: m.subject,
    destination: JSON.stringify({ ToAddresses: m.to }),
    configuration_set: null,
    tags: '[]',
    raw: m.raw,
    size: m.raw.length,
    created_at: m.createdAt,
  }));
  const deliveries = generated.flatMap((m) =>
    m.to.map((recipient) => ({
      message_id: m.id,
      recipient,
      status: 'queued',
      attempts: 0,
      next_attempt_at: m.createdAt,
      locked_by: null,
      locked_until: null,
      last_response: null,
      updated_at: m.createdAt,
    })),
  );
  for (const rows of chunks(messages)) await trx.insertInto('messages').values(rows).execute();
  for (const rows of chunks(deliveries)) await trx.insertInto('deliveries').values(rows).execute();
  for (const rows of chunks(events)) await trx.insertInto('events').values(rows).execute();
}

/**
 * One UPDATE for many rows, each with its own values (UPDATE ... FROM (VALUES ...), which both
 * dialects have; their VALUES columns are column1, column2, ...). Returns the ids this worker still
 * held the lease of.
 */
async function applyUpdates(trx: Transaction<Database>, workerId: string, updates: DeliveryUpdate[], now: number): Promise<Set<number>> {
  const values = sql.join(
    updates.map(
      (u) =>
        sql`(CAST(${u.deliveryId} AS BIGINT), CAST(${u.status} AS TEXT), CAST(${u.nextAttemptAt ?? now} AS BIGINT), CAST(${u.lastResponse} AS TEXT))`,
    ),
  );
  const result = await sql<{ id: number }>`
    UPDATE deliveries
    SET status = v.column2, next_attempt_at = v.column3, last_response = v.column4, locked_by = NULL, locked_until = NULL, updated_at = ${now}
    FROM (VALUES ${values}) AS v
    WHERE deliveries.id = v.column1 AND deliveries.locked_by = ${workerId}
    RETURNING deliveries.id`.execute(trx);
  return new Set(result.rows.map((r) => Number(r.id)));
}

function* chunks<T>(rows: T[]): Generator<T[]> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) yield rows.slice(i, i + ROWS_PER_STATEMENT);
}
