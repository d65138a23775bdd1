// A Send event's `mail` object is mostly its message again: `headers` and most of `commonHeaders`
// are the raw message's headers (two thirds of the object), `timestamp`, `source`, `sourceArn`,
// `sendingAccountId` and `messageId` are the message row's. Its row keeps only what the message does
// not hold, with a mark: commonHeaders' address lists as they are (reading them again from the
// headers would take an RFC 5322 parser on every send and every read, and a new version of the
// parser could change the events of messages stored before), and of `destination` and `tags` what
// the row's columns do not give back (mark 2: a plain Destination's addresses, the ses:operation,
// ses:from-domain and ses:configuration-set tags and the message's own tags come from the row; mark
// 1, written before, kept both whole), and what differs from what the row implies (an action other
// than the door's, the sender's own Message-ID, a sourceArn other than the domain's), and which of
// the header fields sesd wrote into the message (its Message-ID, a Date) the object leaves out;
// readers rebuild the object with the function intake made it with (events/mail-object.ts). A `mail`
// object is stored this way only when the rebuilt one is the same JSON, byte for byte; any other (a
// Rendering Failure's, whose message has no raw; one made another way) is stored whole. Only this
// module knows the mark.
//
// A rebuilt object reads the raw message's headers only when one of its header fields is first read:
// the delivery queue passes the object on into events that store a reference to it, and the event
// dispatcher reads only `tags` and `source` of an event that has no destination to publish to.
import type { Kysely } from 'kysely';
import { identityArn, mailObject, sesOperation, type AddressLists } from '../events/mail-object.js';
import { isNamed, messageHeaders, splitMessage, type Header } from '../mime/headers.js';
import type { Database } from './schema.js';
import { IDS_PER_STATEMENT } from './raw-sql.js';
import { headerBlock } from './stored-raw.js';

/** What a message's row holds that its `mail` object is made from. */
export interface MessageFacts {
  id: string;
  accountId: string;
  region: string;
  envelopeFrom: string;
  createdAt: number;
  sourceApi: string;
  configurationSet: string | null;
  /** The addresses of its Destination, To, Cc and Bcc in order (parsed when first asked for). */
  destination(): string[];
  /** Its own message tags (parsed when first asked for). */
  tags(): MessageTag[];
  /** The raw message's headers (read from the row when first asked for). */
  headers(): readonly Header[];
}

type MessageTag = { Name: string; Value: string };
type Destination = { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
const addressesOf = (d: Destination) => [...(d.ToAddresses ?? []), ...(d.CcAddresses ?? []), ...(d.BccAddresses ?? [])];

const MARK = '@message';
/** The fields mailObject reads from the headers. */
const HEADER_FIELDS = ['headersTruncated', 'headers', 'commonHeaders'];

/**
 * Either mark: `own`, the header fields sesd wrote into the message that its events leave out
 * (mail-object.ts `ownHeaders`), as bits of OWN_HEADERS (1: Message-ID, 2: Date, 3: both);
 * absent in rows written before events left them out, whose events stay as they were.
 */
type OwnHeaders = { own?: number };
const OWN_HEADERS = ['Message-ID', 'Date'];
/** Mark 1: `destination` and `tags` whole. */
type KeptWhole = { [MARK]: 1; destination: string[]; tags: Record<string, string[]>; addresses: AddressLists } & OwnHeaders;
/**
 * Mark 2: `destination` only when the row's Destination does not give it; `ses`: the values of the
 * ses:source-ip and ses:caller-identity tags; `op`: the ses:operation tag when it is not the door's
 * own (SendRawEmail, SendTemplatedEmail...); `mid`: the sender's own Message-ID, which the event
 * shows where the message has sesd's (commonHeaders' messageId is it); `arn`: `sourceArn` when it is
 * not the source domain's identity; `to`: 1 when commonHeaders' `to` equals `destination`.
 */
type KeptCompact = { [MARK]: 2; destination?: string[]; ses: [string, string]; op?: string; mid?: string; arn?: string; addresses: Omit<AddressLists, 'to'> & { to?: string[] | 1 } } & OwnHeaders;
type Kept = KeptWhole | KeptCompact;

/** What to store of `mail`, made from the message `facts` describes: the kept fields, else `mail` itself. */
export function storedMail(mail: unknown, facts: MessageFacts): unknown {
  if (typeof mail !== 'object' || mail === null) return mail;
  const { destination, tags, commonHeaders, sourceArn } = mail as Record<string, unknown>;
  if (!Array.isArray(destination) || typeof tags !== 'object' || tags === null || typeof commonHeaders !== 'object' || commonHeaders === null) return mail;
  const { from, to, cc, replyTo, messageId } = commonHeaders as AddressLists & { messageId?: unknown };
  const { 'ses:source-ip': ip, 'ses:caller-identity': caller, 'ses:operation': operation } = tags as Record<string, unknown>;
  const headers = facts.headers();
  const own = ownHeadersOf(mail as Record<string, unknown>, headers);
  if (Array.isArray(ip) && Array.isArray(caller) && typeof ip[0] === 'string' && typeof caller[0] === 'string') {
    const compact: KeptCompact = {
      [MARK]: 2,
      ...(sameJson(facts.destination(), destination) ? {} : { destination: destination as string[] }),
      ses: [ip[0], caller[0]],
      ...(Array.isArray(operation) && typeof operation[0] === 'string' && operation[0] !== sesOperation(facts.sourceApi) ? { op: operation[0] } : {}),
      ...(typeof messageId === 'string' && messageId !== facts.id ? { mid: messageId } : {}),
      ...(typeof sourceArn === 'string' && sourceArn !== identityArn(facts, sourceDomain(facts)) ? { arn: sourceArn } : {}),
      addresses: { from, to: to !== undefined && sameJson(to, destination) ? 1 : to, cc, replyTo },
      ...own,
    };
    if (sameJson(rebuilt(compact, facts, headers), mail)) return compact;
  }
  const whole: KeptWhole = { [MARK]: 1, destination, tags: tags as Record<string, string[]>, addresses: { from, to, cc, replyTo }, ...own };
  return sameJson(rebuilt(whole, facts, headers), mail) ? whole : mail;
}

/**
 * Which of sesd's own header fields `mail` leaves out of the message's `headers`: those the message
 * has and `mail` lists none of. A guess the caller checks: the kept object is used only when the
 * object rebuilt with it is the same.
 */
function ownHeadersOf(mail: Record<string, unknown>, headers: readonly Header[]): OwnHeaders {
  const listed = Array.isArray(mail.headers) ? (mail.headers as Header[]) : [];
  const has = (list: readonly Header[], name: string) => list.some((h) => isNamed(h, name));
  let own = 0;
  OWN_HEADERS.forEach((name, bit) => {
    if (has(headers, name.toLowerCase()) && !has(listed, name.toLowerCase())) own |= 1 << bit;
  });
  return own ? { own } : {};
}

/** Whether a stored payload holds a `mail` object to rebuild from its message. */
export function keepsMailFromMessage(storedPayload: string): boolean {
  return storedPayload.includes(`"mail":{"${MARK}":2,`) || storedPayload.includes(`"mail":{"${MARK}":1,`);
}

/**
 * The `mail` object of a stored one: rebuilt from its message when it was stored that way, else as
 * stored. Without the message (deleted since the event was read), the kept fields alone.
 */
export function mailOf(stored: unknown, facts: MessageFacts | undefined): unknown {
  const mark = typeof stored === 'object' && stored !== null ? (stored as Record<string, unknown>)[MARK] : undefined;
  if (mark !== 1 && mark !== 2) return stored;
  if (facts) return lazilyRebuilt(stored as Kept, facts);
  if (mark === 2) {
    const { destination, ses } = stored as KeptCompact;
    return { ...(destination && { destination }), tags: { 'ses:source-ip': [ses[0]], 'ses:caller-identity': [ses[1]] } };
  }
  const { [MARK]: _mark, own: _own, ...kept } = stored as KeptWhole;
  return kept;
}

/** The `destination` and `tags` a kept object stands for. */
function destinationAndTags(kept: Kept, m: MessageFacts): { destination: string[]; tags: Record<string, string[]> } {
  if (kept[MARK] === 1) return kept;
  // In the order intake writes them (intake/accept.ts eventTags).
  const tags: Record<string, string[]> = {
    'ses:operation': [sesOperation(m.sourceApi, kept.op)],
    'ses:source-ip': [kept.ses[0]],
    'ses:from-domain': [sourceDomain(m)],
    'ses:caller-identity': [kept.ses[1]],
  };
  if (m.configurationSet) tags['ses:configuration-set'] = [m.configurationSet];
  for (const tag of m.tags()) (tags[tag.Name] ??= []).push(tag.Value);
  return { destination: kept.destination ?? m.destination(), tags };
}

/** Intake's parseAddress: the part after the last @, lower case. */
const sourceDomain = (m: MessageFacts) => m.envelopeFrom.slice(m.envelopeFrom.lastIndexOf('@') + 1).toLowerCase();

function rebuilt(kept: Kept, m: MessageFacts, headers: readonly Header[]): Record<string, unknown> {
  const { destination, tags } = destinationAndTags(kept, m);
  const { to, ...others } = kept.addresses;
  const input = {
    messageId: m.id,
    timestamp: new Date(m.createdAt),
    source: m.envelopeFrom,
    sourceDomain: sourceDomain(m),
    accountId: m.accountId,
    region: m.region,
    destination,
    headers,
    tags,
    originalMessageId: kept[MARK] === 2 ? kept.mid : undefined,
    sourceArn: kept[MARK] === 2 ? kept.arn : undefined,
    ownHeaders: kept.own ? OWN_HEADERS.filter((_, bit) => kept.own! & (1 << bit)) : undefined,
  };
  return mailObject(input, { ...others, to: to === 1 ? destination : to });
}

/**
 * The rebuilt object, its header fields made from the headers when one of them is first read (or
 * described: JSON.stringify, a spread, Object.keys). A proxy: defining accessors on the object costs
 * more than building it whole.
 */
function lazilyRebuilt(kept: Kept, m: MessageFacts): Record<string, unknown> {
  // Built without headers, for the other fields and the order of all; assigning a field keeps its place.
  const mail = rebuilt(kept, m, []);
  let filled = false;
  const fill = (key: string | symbol) => {
    if (filled || typeof key !== 'string' || !HEADER_FIELDS.includes(key)) return;
    filled = true;
    const whole = rebuilt(kept, m, m.headers());
    for (const k of HEADER_FIELDS) mail[k] = whole[k];
  };
  return new Proxy(mail, {
    get: (target, key, receiver) => (fill(key), Reflect.get(target, key, receiver)),
    getOwnPropertyDescriptor: (target, key) => (fill(key), Reflect.getOwnPropertyDescriptor(target, key)),
    set: (target, key, value, receiver) => (fill(key), Reflect.set(target, key, value, receiver)),
    defineProperty: (target, key, descriptor) => (fill(key), Reflect.defineProperty(target, key, descriptor)),
    deleteProperty: (target, key) => (fill(key), Reflect.deleteProperty(target, key)),
  });
}

/**
 * Whether JSON.stringify writes the same text for both: plain objects with the same keys in the same
 * order, arrays, strings, finite numbers, booleans and null. Anything else (undefined, a Date, a class
 * instance) counts as different, so such an object is stored whole.
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === null || typeof a === 'string' || typeof a === 'boolean' || (typeof a === 'number' && Number.isFinite(a))) return a === b;
  if (typeof a !== 'object' || typeof b !== 'object' || b === null) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  if (!isPlain(a) || !isPlain(b)) return false;
  const keys = Object.keys(a);
  const other = Object.keys(b);
  return keys.length === other.length && keys.every((k, i) => k === other[i] && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const isPlain = (o: object) => !Array.isArray(o) && (Object.getPrototypeOf(o) === Object.prototype || Object.getPrototypeOf(o) === null);

/** The columns of `messages` (and its body's) MessageFacts come from. */
export const FACT_COLUMNS = ['id', 'account_id', 'region', 'envelope_from', 'created_at', 'source_api', 'configuration_set', 'destination', 'tags', 'raw', 'raw_deflated'] as const;

export interface FactRow {
  id: string;
  account_id: string;
  region: string;
  envelope_from: string;
  created_at: number;
  source_api: string;
  configuration_set: string | null;
  /** JSON, as stored. */
  destination: string;
  /** JSON, as stored. */
  tags: string;
  raw: Uint8Array;
  raw_deflated: number | null;
}

/** A message's facts from its row; its headers are read from the raw message when first asked for. */
export function factsOf(row: FactRow): MessageFacts {
  let headers: Header[] | undefined;
  let destination: string[] | undefined;
  let tags: MessageTag[] | undefined;
  return {
    id: row.id,
    accountId: row.account_id,
    region: row.region,
    envelopeFrom: row.envelope_from,
    createdAt: Number(row.created_at),
    sourceApi: row.source_api,
    configurationSet: row.configuration_set,
    destination: () => (destination ??= addressesOf(JSON.parse(row.destination) as Destination)),
    tags: () => (tags ??= JSON.parse(row.tags) as MessageTag[]),
    headers: () => (headers ??= splitMessage(headerBlock(row.raw, row.raw_deflated)).headers),
  };
}

/** The facts of a message about to be stored. */
export function factsOfNew(m: Omit<MessageFacts, 'destination' | 'tags' | 'headers'> & { destination: Destination; tags: MessageTag[]; raw: Buffer }): MessageFacts {
  return {
    id: m.id,
    accountId: m.accountId,
    region: m.region,
    envelopeFrom: m.envelopeFrom,
    createdAt: m.createdAt,
    sourceApi: m.sourceApi,
    configurationSet: m.configurationSet,
    destination: () => addressesOf(m.destination),
    tags: () => m.tags,
    headers: () => messageHeaders(m.raw),
  };
}

/** The facts of those of `ids` still stored. */
export async function readFacts(db: Kysely<Database>, ids: string[]): Promise<Map<string, MessageFacts>> {
  const out = new Map<string, MessageFacts>();
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
    const chunk = ids.slice(i, i + IDS_PER_STATEMENT);
    const rows = await db.selectFrom('messages').innerJoin('message_bodies', 'message_bodies.seq', 'messages.seq').select(FACT_COLUMNS).where('id', 'in', chunk).execute();
    for (const row of rows) out.set(row.id, factsOf(row));
  }
  return out;
}
