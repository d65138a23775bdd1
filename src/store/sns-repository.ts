// Storage of sesd's SNS service (src/sns): topics, subscriptions, the delivery outbox and its
// attempt log. The dispatcher's claim takes due rows under a lease; on PostgreSQL it skips rows
// another node has locked (FOR UPDATE SKIP LOCKED), so several nodes share the work.
//
// Publishing's rows are group-committed through the batch writer (concurrent Publish calls share
// one durable commit, off the event loop on SQLite, and each answer waits for it). Claims and attempt outcomes are at-least-once work: they commit
// without waiting for the disk (relaxed-transaction.ts), outcomes batched like the mail queue's.
import { CompiledQuery, type Kysely } from 'kysely';
import { anyRow } from './any-row.js';
import type { Dialect } from './database.js';
import type { BatchWriter } from './batch-writer.js';
import { GroupCommit } from './group-commit.js';
import { BulkInsert, precompiled, ROWS_PER_STATEMENT } from './raw-sql.js';
import { preparedSql } from './prepared-statements.js';
import { relaxedTransaction } from './relaxed-transaction.js';
import type { Database, SnsDeliveryAttemptsTable, SnsSubscriptionsTable, SnsTopicsTable } from './schema.js';
import type {
  ClaimedSnsDelivery,
  DeliveryAttempt,
  DeliveryPayload,
  DeliveryRecord,
  NewDelivery,
  SnsProtocol,
  SnsStore,
  Subscription,
  Tag,
  Topic,
} from '../sns/sns-model.js';

/** How long an unsubscribed subscription can be restored and counts as deleted (SNS's tokens last 3 days). */
const UNSUBSCRIBED_KEPT_MS = 3 * 24 * 3600_000;

interface Finish {
  workerId: string;
  deliveryId: number;
  at: number;
  next: { status: 'pending'; at: number } | { status: 'delivered' | 'failed' };
  /** Absent when the row is given back untried (postpone): its claim's attempt is then not counted. */
  attempt?: DeliveryAttempt;
}

export class SnsRepository implements SnsStore {
  private readonly claimText: string;
  private readonly dueText: string;
  private readonly expiredText: string;
  private readonly enqueuer: GroupCommit<{ deliveries: NewDelivery[]; now: number }>;
  private readonly finisher: GroupCommit<Finish>;
  private readonly finishText: (rowCount: number) => string;
  private readonly attemptInserts: BulkInsert<Omit<SnsDeliveryAttemptsTable, 'id'>>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    batchWriter: BatchWriter,
  ) {
    this.enqueuer = new GroupCommit((batch) => batchWriter.run(batch.flatMap((b) => this.deliveryInserts(b.deliveries, b.now))));
    this.finisher = new GroupCommit((batch) =>
      relaxedTransaction(this.db, this.dialect, async (trx) => {
        for (const chunk of finishChunks(batch)) await this.finishChunk(trx, chunk);
      }),
    );
    // One row per finished delivery: id, status, next attempt, updated_at, the worker that must still
    // hold it, and 1 when the claim's attempt is taken back (the row was not tried), else 0.
    const finishRow = '(cast(? as bigint), cast(? as text), cast(? as bigint), cast(? as bigint), cast(? as text), cast(? as integer))';
    this.finishText = precompiled(
      dialect,
      (rowCount: number) =>
        'update sns_deliveries set status = v.column2, next_attempt_at = v.column3, updated_at = v.column4, locked_by = null, locked_until = null, attempts = attempts - v.column6 ' +
        `from (values ${Array(rowCount).fill(finishRow).join(', ')}) as v ` +
        'where sns_deliveries.id = v.column1 and sns_deliveries.locked_by = v.column5 returning sns_deliveries.id',
    );
    this.attemptInserts = new BulkInsert(dialect, 'sns_delivery_attempts', {
      delivery_id: 'bigint',
      subscription_arn: 'text',
      message_id: 'text',
      attempt: 'integer',
      at: 'bigint',
      status_code: 'integer',
      latency_ms: 'integer',
      error: 'text',
      outcome: 'text',
    });
    const skipLocked = dialect === 'postgres' ? ' for update skip locked' : '';
    // What the claim looks for; read first (any-row.ts), so an idle poll takes no write lock.
    const due = "from sns_deliveries where status = 'pending' and next_attempt_at <= ? and locked_until is null";
    this.claimText = preparedSql(
      dialect,
      'update sns_deliveries set locked_by = ?, locked_until = ?, attempts = attempts + 1, updated_at = ? ' +
        `where id in (select id ${due} order by next_attempt_at, id limit ?${skipLocked}) ` +
        'returning id, subscription_arn, attempts, payload, created_at',
    );
    this.dueText = preparedSql(dialect, `select id ${due} limit 1`);
    // What releaseExpired looks for, read first too.
    this.expiredText = preparedSql(dialect, 'select id from sns_deliveries where locked_until is not null and locked_until < ? limit 1');
  }

  async createTopic(topic: Topic): Promise<Topic> {
    await this.db
      .insertInto('sns_topics')
      .values({
        arn: topic.arn,
        account_id: topic.accountId,
        region: topic.region,
        name: topic.name,
        attributes: JSON.stringify(topic.attributes),
        tags: JSON.stringify(topic.tags),
        created_at: topic.createdAt,
      })
      .onConflict((oc) => oc.column('arn').doNothing())
      .execute();
    return (await this.topic(topic.arn))!;
  }

  async topic(arn: string): Promise<Topic | undefined> {
    const row = await this.db.selectFrom('sns_topics').selectAll().where('arn', '=', arn).executeTakeFirst();
    return row && toTopic(row);
  }

  async deleteTopic(arn: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const subs = trx.selectFrom('sns_subscriptions').select('arn').where('topic_arn', '=', arn);
      await trx.updateTable('sns_deliveries').set({ status: 'failed' }).where('status', '=', 'pending').where('subscription_arn', 'in', subs).execute();
      await trx.deleteFrom('sns_subscriptions').where('topic_arn', '=', arn).execute();
      await trx.deleteFrom('sns_unsubscribed').where('topic_arn', '=', arn).execute();
      await trx.deleteFrom('sns_topics').where('arn', '=', arn).execute();
    });
  }

  async listTopics(accountId: string, region: string, after: string | undefined, limit: number): Promise<Topic[]> {
    let q = this.db.selectFrom('sns_topics').selectAll().where('account_id', '=', accountId).where('region', '=', region);
    if (after !== undefined) q = q.where('arn', '>', after);
    return (await q.orderBy('arn').limit(limit).execute()).map(toTopic);
  }

  async updateTopic(arn: string, change: { attributes?: Record<string, string>; tags?: Tag[] }): Promise<void> {
    const set: Partial<SnsTopicsTable> = {};
    if (change.attributes) set.attributes = JSON.stringify(change.attributes);
    if (change.tags) set.tags = JSON.stringify(change.tags);
    await this.db.updateTable('sns_topics').set(set).where('arn', '=', arn).execute();
  }

  async createSubscription(s: Subscription, confirmation?: NewDelivery): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('sns_subscriptions')
        .values({
          arn: s.arn,
          topic_arn: s.topicArn,
          account_id: s.accountId,
          region: s.region,
          protocol: s.protocol,
          endpoint: s.endpoint,
          owner: s.owner,
          confirmed: s.confirmed ? 1 : 0,
          token: s.token,
          attributes: JSON.stringify(s.attributes),
          created_at: s.createdAt,
        })
        .execute();
      if (confirmation) for (const q of this.deliveryInserts([confirmation], s.createdAt)) await trx.executeQuery(q);
    });
  }

  async subscription(arn: string): Promise<Subscription | undefined> {
    const row = await this.db.selectFrom('sns_subscriptions').selectAll().where('arn', '=', arn).executeTakeFirst();
    return row && toSubscription(row);
  }

  async subscriptionByToken(token: string): Promise<Subscription | undefined> {
    const row = await this.db.selectFrom('sns_subscriptions').selectAll().where('token', '=', token).executeTakeFirst();
    return row && toSubscription(row);
  }

  async findSubscription(topicArn: string, protocol: string, endpoint: string): Promise<Subscription | undefined> {
    const row = await this.db
      .selectFrom('sns_subscriptions')
      .selectAll()
      .where('topic_arn', '=', topicArn)
      .where('protocol', '=', protocol)
      .where('endpoint', '=', endpoint)
      .executeTakeFirst();
    return row && toSubscription(row);
  }

  async listSubscriptions(scope: { accountId: string; region: string } | { topicArn: string }, after: string | undefined, limit: number): Promise<Subscription[]> {
    let q = this.db.selectFrom('sns_subscriptions').selectAll();
    q = 'topicArn' in scope ? q.where('topic_arn', '=', scope.topicArn) : q.where('account_id', '=', scope.accountId).where('region', '=', scope.region);
    if (after !== undefined) q = q.where('arn', '>', after);
    return (await q.orderBy('arn').limit(limit).execute()).map(toSubscription);
  }

  async confirmedSubscriptions(topicArn: string): Promise<Subscription[]> {
    const rows = await this.db.selectFrom('sns_subscriptions').selectAll().where('topic_arn', '=', topicArn).where('confirmed', '=', 1).orderBy('arn').execute();
    return rows.map(toSubscription);
  }

  async confirmSubscription(arn: string): Promise<void> {
    await this.db.updateTable('sns_subscriptions').set({ confirmed: 1 }).where('arn', '=', arn).execute();
  }

  async updateSubscriptionAttributes(arn: string, attributes: Record<string, string>): Promise<void> {
    await this.db.updateTable('sns_subscriptions').set({ attributes: JSON.stringify(attributes) }).where('arn', '=', arn).execute();
  }

  async deleteSubscription(arn: string, now: number, farewell?: NewDelivery): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('sns_deliveries').set({ status: 'failed' }).where('status', '=', 'pending').where('subscription_arn', '=', arn).execute();
      const row = await trx.selectFrom('sns_subscriptions').selectAll().where('arn', '=', arn).executeTakeFirst();
      if (!row) return;
      await trx.deleteFrom('sns_subscriptions').where('arn', '=', arn).execute();
      await trx.deleteFrom('sns_unsubscribed').where('deleted_at', '<', now - UNSUBSCRIBED_KEPT_MS).execute();
      await trx.insertInto('sns_unsubscribed').values({ token: row.token, topic_arn: row.topic_arn, subscription: JSON.stringify(row), deleted_at: now }).execute();
      if (farewell) for (const q of this.deliveryInserts([farewell], now)) await trx.executeQuery(q);
    });
  }

  async restoreSubscription(topicArn: string, token: string, now: number): Promise<Subscription | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const kept = await trx
        .selectFrom('sns_unsubscribed')
        .selectAll()
        .where('token', '=', token)
        .where('topic_arn', '=', topicArn)
        .where('deleted_at', '>=', now - UNSUBSCRIBED_KEPT_MS)
        .executeTakeFirst();
      if (!kept || !(await trx.selectFrom('sns_topics').select('arn').where('arn', '=', kept.topic_arn).executeTakeFirst())) return undefined;
      const row = JSON.parse(kept.subscription) as SnsSubscriptionsTable;
      await trx.insertInto('sns_subscriptions').values(row).execute();
      await trx.deleteFrom('sns_unsubscribed').where('token', '=', token).execute();
      return toSubscription(row);
    });
  }

  async deletedSubscriptions(topicArn: string, now: number): Promise<number> {
    const row = await this.db
      .selectFrom('sns_unsubscribed')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('topic_arn', '=', topicArn)
      .where('deleted_at', '>=', now - UNSUBSCRIBED_KEPT_MS)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async enqueue(deliveries: NewDelivery[], now: number): Promise<void> {
    if (deliveries.length > 0) await this.enqueuer.submit({ deliveries, now });
  }

  async claim(workerId: string, limit: number, leaseMs: number, now: number): Promise<ClaimedSnsDelivery[]> {
    if (!(await anyRow(this.db, this.dueText, [now]))) return [];
    const { rows } = await relaxedTransaction(this.db, this.dialect, (trx) =>
      trx.executeQuery<{ id: number; subscription_arn: string; attempts: number; payload: string; created_at: number }>(
        CompiledQuery.raw(this.claimText, [workerId, now + leaseMs, now, now, limit]),
      ),
    );
    return rows
      .map((r) => ({
        id: Number(r.id),
        subscriptionArn: r.subscription_arn,
        attempts: r.attempts,
        createdAt: Number(r.created_at),
        payload: JSON.parse(r.payload) as DeliveryPayload,
      }))
      .sort((a, b) => a.id - b.id);
  }

  async finish(workerId: string, attempt: DeliveryAttempt, next: Finish['next']): Promise<void> {
    await this.finisher.submit({ workerId, deliveryId: attempt.deliveryId, at: attempt.at, attempt, next });
  }

  async postpone(workerId: string, deliveryId: number, until: number, now: number): Promise<void> {
    await this.finisher.submit({ workerId, deliveryId, at: now, next: { status: 'pending', at: until } });
  }

  async releaseExpired(now: number): Promise<number> {
    if (!(await anyRow(this.db, this.expiredText, [now]))) return 0;
    const res = await this.db
      .updateTable('sns_deliveries')
      .set({ locked_by: null, locked_until: null })
      .where('locked_until', 'is not', null)
      .where('locked_until', '<', now)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  async attempts(of: { subscriptionArn: string } | { messageId: string }, limit: number): Promise<DeliveryAttempt[]> {
    let q = this.db.selectFrom('sns_delivery_attempts').selectAll();
    q = 'messageId' in of ? q.where('message_id', '=', of.messageId) : q.where('subscription_arn', '=', of.subscriptionArn);
    const rows = await q.orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      deliveryId: Number(r.delivery_id),
      subscriptionArn: r.subscription_arn,
      messageId: r.message_id,
      attempt: r.attempt,
      at: Number(r.at),
      statusCode: r.status_code,
      latencyMs: r.latency_ms,
      error: r.error,
      outcome: r.outcome as DeliveryAttempt['outcome'],
    }));
  }

  async deliveries(of: { subscriptionArn: string } | { messageId: string }, limit: number): Promise<DeliveryRecord[]> {
    let q = this.db.selectFrom('sns_deliveries').selectAll();
    q = 'messageId' in of ? q.where('message_id', '=', of.messageId) : q.where('subscription_arn', '=', of.subscriptionArn);
    const rows = await q.orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      subscriptionArn: r.subscription_arn,
      messageId: r.message_id,
      type: r.type,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: Number(r.next_attempt_at),
      createdAt: Number(r.created_at),
    }));
  }

  /** INSERTs of delivery rows, at most 400 rows each: 11 columns a row stays under both dialects' parameter limits. */
  private deliveryInserts(deliveries: NewDelivery[], now: number): CompiledQuery[] {
    const out: CompiledQuery[] = [];
    for (let i = 0; i < deliveries.length; i += 400) {
      out.push(
        this.db
          .insertInto('sns_deliveries')
          .values(
            deliveries.slice(i, i + 400).map((d) => ({
              subscription_arn: d.subscriptionArn,
              message_id: d.payload.messageId,
              type: d.payload.type,
              payload: JSON.stringify(d.payload),
              status: 'pending',
              attempts: 0,
              next_attempt_at: now,
              locked_by: null,
              locked_until: null,
              created_at: now,
              updated_at: now,
            })),
          )
          .compile(),
      );
    }
    return out;
  }

  /**
   * Records attempts and their rows' new state, one UPDATE and one INSERT for the chunk rather than
   * two statements a delivery. A row whose lease `workerId` no longer holds (it ran out and another
   * worker took the row) is left alone, and that worker records its own attempt.
   */
  private async finishChunk(trx: Kysely<Database>, chunk: Finish[]): Promise<void> {
    const parameters: unknown[] = [];
    for (const { workerId, deliveryId, at, attempt, next } of chunk) parameters.push(deliveryId, next.status, next.status === 'pending' ? next.at : at, at, workerId, attempt ? 0 : 1);
    const { rows } = await trx.executeQuery<{ id: number }>(CompiledQuery.raw(this.finishText(chunk.length), parameters));
    const finished = new Set(rows.map((r) => Number(r.id)));
    const attempts = chunk
      .flatMap(({ attempt }) => (attempt && finished.has(attempt.deliveryId) ? [attempt] : []))
      .map((a) => ({
        delivery_id: a.deliveryId,
        subscription_arn: a.subscriptionArn,
        message_id: a.messageId,
        attempt: a.attempt,
        at: a.at,
        status_code: a.statusCode,
        latency_ms: Math.round(a.latencyMs),
        error: a.error,
        outcome: a.outcome,
      }));
    for (const q of this.attemptInserts.queries(attempts)) await trx.executeQuery(q);
  }

  async accountExists(accountId: string): Promise<boolean> {
    return (await this.db.selectFrom('accounts').select('id').where('id', '=', accountId).executeTakeFirst()) !== undefined;
  }

  async sharedSetting(name: string, create: () => string): Promise<string> {
    const existing = await this.db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst();
    if (existing) return existing.value;
    // Two nodes starting at once may both create one; the first insert wins and both read it back.
    await this.db.insertInto('settings').values({ name, value: create() }).onConflict((oc) => oc.column('name').doNothing()).execute();
    return (await this.db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirstOrThrow()).value;
  }
}

/** The batch in chunks of at most ROWS_PER_STATEMENT rows, none holding a delivery twice (one UPDATE … FROM VALUES could apply either). */
function finishChunks(batch: Finish[]): Finish[][] {
  const chunks: Finish[][] = [];
  let chunk: Finish[] = [];
  let ids = new Set<number>();
  for (const f of batch) {
    if (chunk.length === ROWS_PER_STATEMENT || ids.has(f.deliveryId)) {
      chunks.push(chunk);
      chunk = [];
      ids = new Set();
    }
    chunk.push(f);
    ids.add(f.deliveryId);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

function toTopic(r: SnsTopicsTable): Topic {
  return {
    arn: r.arn,
    accountId: r.account_id,
    region: r.region,
    name: r.name,
    attributes: JSON.parse(r.attributes) as Record<string, string>,
    tags: JSON.parse(r.tags) as Tag[],
    createdAt: Number(r.created_at),
  };
}

function toSubscription(r: SnsSubscriptionsTable): Subscription {
  return {
    arn: r.arn,
    topicArn: r.topic_arn,
    accountId: r.account_id,
    region: r.region,
    protocol: r.protocol as SnsProtocol,
    endpoint: r.endpoint,
    owner: r.owner,
    confirmed: Number(r.confirmed) === 1,
    token: r.token,
    attributes: JSON.parse(r.attributes) as Record<string, string>,
    createdAt: Number(r.created_at),
  };
}
