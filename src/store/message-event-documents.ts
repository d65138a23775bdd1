// The event documents of one message's stored events: its row (and raw message) is read only when
// a payload needs it (event-payload.ts, mail-from-message.ts). And the Send events of messages.
import { CompiledQuery, type Kysely } from 'kysely';
import type { Dialect } from './database.js';
import { eventDocuments, needsItsMessage } from './event-payload.js';
import { readFacts } from './mail-from-message.js';
import { keysOf } from './message-keys.js';
import { IDS_PER_STATEMENT, placeholders, precompiled } from './raw-sql.js';
import type { Database } from './schema.js';

async function messageEventDocuments(db: Kysely<Database>, messageId: string, rows: { type: string; payload: string }[]): Promise<unknown[]> {
  const facts = rows.some((r) => needsItsMessage(r.payload)) ? (await readFacts(db, [messageId])).get(messageId) : undefined;
  return eventDocuments(rows, facts);
}

export interface MessageEvent {
  id: number;
  type: string;
  /** The event document, its `mail` put back (event-payload.ts). */
  payload: unknown;
  createdAt: number;
  /** The one recipient an Open or Click is about (migration 015). */
  recipient: string | null;
}

/** A message's events, in the order written, as documents. */
export async function messageEvents(db: Kysely<Database>, messageId: string): Promise<MessageEvent[]> {
  const rows = await db
    .selectFrom('events')
    .select(['id', 'type', 'payload', 'created_at', 'recipient'])
    .where('message_seq', '=', keysOf(db, messageId))
    .orderBy('id')
    .execute();
  const documents = await messageEventDocuments(db, messageId, rows);
  return rows.map((r, i) => ({ id: Number(r.id), type: r.type, payload: documents[i], createdAt: Number(r.created_at), recipient: r.recipient ?? null }));
}

export interface StoredSendEvent {
  messageId: string;
  accountId: string;
  /** As stored (event-payload.ts): sendEventMail reads its `mail`. */
  payload: string;
}

/**
 * Reads the stored Send events of messages by id (delivery, the event dispatcher and tracking need
 * their `mail`); a message without one, or gone, is absent. The statement's text is built once per
 * IN list length: delivery and dispatch read them for every batch.
 */
export function sendEventReader(dialect: Dialect): (db: Kysely<Database>, ids: string[]) => Promise<StoredSendEvent[]> {
  const text = precompiled(
    dialect,
    (n: number) => `select m.id, m.account_id, e.payload from messages m join events e on e.message_seq = m.seq and e.type = 'Send' where m.id in (${placeholders(n)})`,
  );
  return async (db, ids) => {
    const out: StoredSendEvent[] = [];
    for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
      const chunk = ids.slice(i, i + IDS_PER_STATEMENT);
      const { rows } = await db.executeQuery<{ id: string; account_id: string; payload: string }>(CompiledQuery.raw(text(chunk.length), chunk));
      for (const r of rows) out.push({ messageId: r.id, accountId: r.account_id, payload: r.payload });
    }
    return out;
  };
}
