// SES v1 GetSendStatistics: counts per 15-minute interval, from what really happened (deliveries
// accepted, Bounce, Complaint and Reject events).
import { sql, type Kysely } from 'kysely';
import type { Scope } from '../domain/identities/identity.js';
import type { Database } from './schema.js';

const INTERVAL_MS = 15 * 60 * 1000;

export interface SendStatisticsPoint {
  timestamp: number;
  deliveryAttempts: number;
  bounces: number;
  complaints: number;
  rejects: number;
}

export class SendStatisticsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async since(scope: Scope, since: number): Promise<SendStatisticsPoint[]> {
    const bucket = sql<number>`(messages.created_at / ${sql.lit(INTERVAL_MS)}) * ${sql.lit(INTERVAL_MS)}`;
    const attempts = await this.db
      .selectFrom('deliveries')
      .innerJoin('messages', 'messages.seq', 'deliveries.message_seq')
      .select([bucket.as('bucket'), (eb) => eb.fn.countAll<number>().as('n')])
      .where('messages.account_id', '=', scope.accountId)
      .where('messages.region', '=', scope.region)
      .where('messages.created_at', '>=', since)
      .groupBy(bucket)
      .execute();
    const eventBucket = sql<number>`(events.created_at / ${sql.lit(INTERVAL_MS)}) * ${sql.lit(INTERVAL_MS)}`;
    const outcomes = await this.db
      .selectFrom('events')
      .innerJoin('messages', 'messages.seq', 'events.message_seq')
      .select([eventBucket.as('bucket'), 'events.type', (eb) => eb.fn.countAll<number>().as('n')])
      .where('messages.account_id', '=', scope.accountId)
      .where('messages.region', '=', scope.region)
      .where('events.created_at', '>=', since)
      .where('events.type', 'in', ['Bounce', 'Complaint', 'Reject'])
      .groupBy([eventBucket, 'events.type'])
      .execute();
    const points = new Map<number, SendStatisticsPoint>();
    const point = (t: number) => {
      const key = Number(t);
      let p = points.get(key);
      if (!p) points.set(key, (p = { timestamp: key, deliveryAttempts: 0, bounces: 0, complaints: 0, rejects: 0 }));
      return p;
    };
    for (const a of attempts) point(a.bucket).deliveryAttempts += Number(a.n);
    for (const o of outcomes) {
      const p = point(o.bucket);
      if (o.type === 'Bounce') p.bounces += Number(o.n);
      else if (o.type === 'Complaint') p.complaints += Number(o.n);
      else p.rejects += Number(o.n);
    }
    return [...points.values()].sort((a, b) => a.timestamp - b.timestamp);
  }
}
