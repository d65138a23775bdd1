// The event documents of one message's stored events: its row (and raw message) is read only when
// a payload needs it (event-payload.ts, mail-from-message.ts).
import type { Kysely } from 'kysely';
import { eventDocuments, needsItsMessage } from './event-payload.js';
import { readFacts } from './mail-from-message.js';
import type { Database } from './schema.js';

export async function messageEventDocuments(db: Kysely<Database>, messageId: string, rows: { type: string; payload: string }[]): Promise<unknown[]> {
  const facts = rows.some((r) => needsItsMessage(r.payload)) ? (await readFacts(db, [messageId])).get(messageId) : undefined;
  return eventDocuments(rows, facts);
}
