// Integer keys for new messages (`messages.seq`, migration 021). A batch's messages, delivery rows
// and events are written together, the latter referring to the former by key, so the keys must be
// known before the INSERTs. Each writer (a process's intake, a delivery thread) takes keys from a
// block of MESSAGE_KEY_BLOCK it reserved in the database: one small write per thousand messages,
// and writers on several nodes never hand out the same key. Keys of a block left unused when a
// process stops are skipped, never reused.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from './database.js';
import type { Database } from './schema.js';
import { MESSAGE_KEY_BLOCK } from './migrations/021-message-keys.js';
import { relaxedTransaction } from './relaxed-transaction.js';

export class MessageKeys {
  private next = 0;
  private end = 0;
  /** The reservation under way, so concurrent callers wait for one instead of each making one. */
  private reserving: Promise<void> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** `count` unused keys. */
  async take(count: number): Promise<number[]> {
    const keys: number[] = [];
    while (keys.length < count) {
      if (this.next === this.end) await (this.reserving ??= this.reserve().finally(() => (this.reserving = undefined)));
      while (keys.length < count && this.next < this.end) keys.push(this.next++);
    }
    return keys;
  }

  private async reserve(): Promise<void> {
    if (this.next < this.end) return;
    const start =
      this.dialect === 'postgres'
        ? (await sql<{ start: number }>`select nextval('message_keys') as start`.execute(this.db)).rows[0]!.start
        : // Committed without waiting for the disk: on the API's thread an fsync stops the event loop
          // (every thousand messages, ~2-15 ms: the SMTP bench's slowest answers). It stays safe:
          // the WAL keeps commits in order, so the writer's durable commit of any message with a
          // key of this block makes the reservation durable first; if none survives a power
          // failure, the block's keys are on no row and may be handed out again.
          (
            await relaxedTransaction(this.db, this.dialect, (trx) =>
              trx
                .updateTable('message_keys')
                .set({ next: sql`next + ${MESSAGE_KEY_BLOCK}` })
                .returning(sql<number>`next - ${MESSAGE_KEY_BLOCK}`.as('start'))
                .executeTakeFirstOrThrow(),
            )
          ).start;
    this.next = Number(start);
    this.end = this.next + MESSAGE_KEY_BLOCK;
  }
}

/** The keys of the messages `ids` (one or many), as a subquery for a statement about their rows. */
export function keysOf(db: Kysely<Database>, ids: string | string[]) {
  const q = db.selectFrom('messages').select('seq');
  return typeof ids === 'string' ? q.where('id', '=', ids) : q.where('id', 'in', ids);
}
