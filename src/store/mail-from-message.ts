// A Send event's `mail` object is mostly its message again: `headers` and `commonHeaders` are the
// raw message's headers (two thirds of the object), `timestamp`, `source`, `sourceArn`,
// `sendingAccountId` and `messageId` are the message row's. Its row keeps only what the message does
// not hold, `destination` and `tags`, with a mark; readers rebuild the object with the function
// intake made it with (events/mail-object.ts). A `mail` object is stored this way only when the
// rebuilt one is the same JSON, byte for byte; any other (a Rendering Failure's, whose message has
// no raw; one made another way) is stored whole. Only this module knows the mark.
import type { Kysely } from 'kysely';
import { mailObject } from '../events/mail-object.js';
import { splitMessage } from '../mime/headers.js';
import type { Database } from './schema.js';
import { readRaw } from './stored-raw.js';

/** What a message's row holds that its `mail` object is made from; `raw` as sent (stored-raw.ts readRaw). */
export interface MessageFacts {
  id: string;
  accountId: string;
  region: string;
  envelopeFrom: string;
  createdAt: number;
  raw: Buffer;
}

const MARK = '@message';

type Kept = { [MARK]: 1; destination: string[]; tags: Record<string, string[]> };

/** What to store of `mail`, made from the message `facts` describes: the kept fields, else `mail` itself. */
export function storedMail(mail: unknown, facts: MessageFacts): unknown {
  if (typeof mail !== 'object' || mail === null) return mail;
  const { destination, tags } = mail as Record<string, unknown>;
  if (!Array.isArray(destination) || typeof tags !== 'object' || tags === null) return mail;
  const kept = { [MARK]: 1, destination, tags } as Kept;
  return JSON.stringify(rebuilt(kept, facts)) === JSON.stringify(mail) ? kept : mail;
}

/** Whether a stored payload holds a `mail` object to rebuild from its message. */
export function keepsMailFromMessage(storedPayload: string): boolean {
  return storedPayload.includes(`"mail":{"${MARK}":1,`);
}

/**
 * The `mail` object of a stored one: rebuilt from its message when it was stored that way, else as
 * stored. Without the message (deleted since the event was read), the kept fields alone.
 */
export function mailOf(stored: unknown, facts: MessageFacts | undefined): unknown {
  if (typeof stored !== 'object' || stored === null || (stored as Record<string, unknown>)[MARK] !== 1) return stored;
  const { [MARK]: _mark, ...kept } = stored as Kept;
  return facts ? rebuilt(stored as Kept, facts) : kept;
}

function rebuilt(kept: Kept, m: MessageFacts): Record<string, unknown> {
  return mailObject({
    messageId: m.id,
    timestamp: new Date(m.createdAt),
    source: m.envelopeFrom,
    // Intake's parseAddress: the part after the last @, lower case.
    sourceDomain: m.envelopeFrom.slice(m.envelopeFrom.lastIndexOf('@') + 1).toLowerCase(),
    accountId: m.accountId,
    region: m.region,
    destination: kept.destination,
    headers: splitMessage(m.raw).headers,
    tags: kept.tags,
  });
}

/** The columns of `messages` MessageFacts come from. */
export const FACT_COLUMNS = ['id', 'account_id', 'region', 'envelope_from', 'created_at', 'raw', 'raw_deflated'] as const;

export interface FactRow {
  id: string;
  account_id: string;
  region: string;
  envelope_from: string;
  created_at: number;
  raw: Uint8Array;
  raw_deflated: number | null;
}

/** A message's facts from its row (the raw message decompressed). */
export async function factsOf(row: FactRow): Promise<MessageFacts> {
  return { id: row.id, accountId: row.account_id, region: row.region, envelopeFrom: row.envelope_from, createdAt: Number(row.created_at), raw: await readRaw(row.raw, row.raw_deflated) };
}

// Ids per IN list, well under both dialects' parameter limits.
const IDS_PER_STATEMENT = 400;

/** The facts of those of `ids` still stored. */
export async function readFacts(db: Kysely<Database>, ids: string[]): Promise<Map<string, MessageFacts>> {
  const out = new Map<string, MessageFacts>();
  if (ids.length === 0) return out;
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
    const chunk = ids.slice(i, i + IDS_PER_STATEMENT);
    for (const row of await db.selectFrom('messages').select(FACT_COLUMNS).where('id', 'in', chunk).execute()) out.set(row.id, await factsOf(row));
  }
  return out;
}
