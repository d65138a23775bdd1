// The queries of retention (src/queue/retention-reaper.ts): which stored messages are old enough and
// finished, and deleting them with their deliveries and events. A message is finished when none of
// its recipients can still change (none `queued` or `deferred`) and none of its events is as new as
// the boundary, and every event has been published (events.dispatched_at, migration 008: an event
// not yet published keeps its message whatever its age).
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { deleteMessageRows, type MessageCursor } from './messages-repository.js';
import type { Database } from './schema.js';

/** Recipient states that delivery may still change. */
const PENDING = ['queued', 'deferred'];

export class RetentionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The newest message past the `keep` newest ones (in created_at, seq order), if there are more. */
  async beyondNewest(keep: number): Promise<MessageCursor | undefined> {
    const row = await this.db
      .selectFrom('messages')
      .select(['created_at', 'seq'])
      .orderBy('created_at', 'desc')
      .orderBy('seq', 'desc')
      .limit(1)
      .offset(keep)
      .executeTakeFirst();
    return row && { createdAt: Number(row.created_at), seq: Number(row.seq) };
  }

  /** Up to `limit` finished messages at or before `boundary`, oldest first. */
  async finishedUpTo(boundary: MessageCursor, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('messages')
      .select('id')
      .where((eb) => eb.and([upTo(eb, boundary), finished(eb, boundary.createdAt)]))
      .orderBy('created_at')
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * Deletes those of `ids` that are still finished, checked again in the deleting transaction (a
   * late event may have arrived since they were chosen). Returns how many were deleted.
   */
  async deleteFinished(ids: string[], boundary: MessageCursor): Promise<number> {
    if (ids.length === 0) return 0;
    return this.db.transaction().execute(async (trx) => {
      const still = await trx
        .selectFrom('messages')
        .select('id')
        .where((eb) => eb.and([eb('id', 'in', ids), finished(eb, boundary.createdAt)]))
        .execute();
      return deleteMessageRows(trx, still.map((r) => r.id));
    });
  }
}

/** At or before the boundary in (created_at, seq) order. */
function upTo(eb: ExpressionBuilder<Database, 'messages'>, b: MessageCursor) {
  return eb.or([eb('messages.created_at', '<', b.createdAt), eb.and([eb('messages.created_at', '=', b.createdAt), eb('messages.seq', '<=', b.seq)])]);
}

function finished(eb: ExpressionBuilder<Database, 'messages'>, eventsBefore: number) {
  return eb.and([
    eb.not(
      eb.exists(
        eb
          .selectFrom('deliveries')
          .select(eb.lit(1).as('one'))
          .whereRef('deliveries.message_seq', '=', 'messages.seq')
          .where('deliveries.status', 'in', PENDING),
      ),
    ),
    eb.not(
      eb.exists(
        eb
          .selectFrom('events')
          .select(eb.lit(1).as('one'))
          .whereRef('events.message_seq', '=', 'messages.seq')
          // An event not yet published keeps its message, whatever its age (migration 008).
          .where((e) => e.or([e('events.created_at', '>=', eventsBefore), sql<boolean>`events.dispatched_at is null`])),
      ),
    ),
  ]);
}
