// Messages get an integer key, `seq`, and their delivery rows and events refer to it
// (`message_seq`) instead of repeating the 60-character SES message id. The id appeared in each
// event and delivery row and in four of their indexes: a fifth of the bytes a simple message with
// its Send and Delivery events took on disk (bench/storage.ts: 2,753 → 2,301 bytes per message).
//
// The raw message moves to a table of its own, message_bodies, keyed by `seq`. A messages row is
// then its searchable columns only, so a console search that scans the table reads no bodies, and
// SQLite's covering search index (migration 013: all those columns again, ~240 bytes a message) is
// no longer worth its size; (created_at, seq) orders the list.
// The message id stays the messages' unique key for every API; the rows that hang off a message
// use the integer, and so do the indexes that page through messages in time order ((created_at,
// seq) instead of (created_at, id): pages and cursors break ties by key, i.e. in the order stored).
//
// Keys are handed out in blocks (store/message-keys.ts), so a batch's rows are written with their
// message's key already known, by any number of nodes: PostgreSQL's sequence `message_keys` counts
// in steps of a block; SQLite's one-row table `message_keys` holds the next free key.
// SQLite cannot add a primary key or drop a referenced column in place, so there the three tables
// are copied into new ones; `seq` is the messages' rowid (no separate index).
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/** Keys per block: PostgreSQL's sequence increment (store/message-keys.ts reads blocks of this size). */
export const MESSAGE_KEY_BLOCK = 1000;

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') await sqliteTables(db);
  else await postgresColumns(db);
  await sql`create index events_message_type on events (message_seq, type)`.execute(db);
  await sql`create index deliveries_message_status on deliveries (message_seq, status)`.execute(db);
  await sql`create index deliveries_recipient on deliveries (recipient, message_seq)`.execute(db);
}

async function sqliteTables(db: Kysely<unknown>): Promise<void> {
  const messageColumns = sql.raw(
    'id, account_id, region, source_api, envelope_from, from_header, subject, destination, configuration_set, tags, size, created_at, feedback_address',
  );
  await sql`create table messages_new (
    seq integer primary key, id varchar(128) not null unique, account_id varchar(12) not null, region varchar(32) not null,
    source_api varchar(16) not null, envelope_from text not null, from_header text, subject text, destination text not null,
    configuration_set text, tags text not null, size integer not null, created_at bigint not null, feedback_address text)`.execute(db);
  await sql`insert into messages_new (${messageColumns}) select ${messageColumns} from messages order by created_at, id`.execute(db);
  await sql`create table message_bodies (
    seq integer primary key references messages_new (seq) on delete cascade, raw blob not null, raw_deflated integer)`.execute(db);
  await sql`insert into message_bodies (seq, raw, raw_deflated) select m.seq, o.raw, o.raw_deflated from messages o join messages_new m on m.id = o.id order by m.seq`.execute(db);

  const eventColumns = 'id, account_id, type, payload, created_at, dispatched_at, next_dispatch_at, dispatch_attempts, locked_by, locked_until, recipient';
  await sql`create table events_new (
    id integer primary key autoincrement, message_seq integer not null references messages_new (seq) on delete cascade,
    account_id varchar(12) not null, type varchar(32) not null, payload text not null, created_at bigint not null,
    dispatched_at bigint, next_dispatch_at bigint default 0 not null, dispatch_attempts integer default 0 not null,
    locked_by text, locked_until bigint, recipient text)`.execute(db);
  await sql`insert into events_new (message_seq, ${sql.raw(eventColumns)})
    select m.seq, ${sql.raw(prefixed('e', eventColumns))} from events e join messages_new m on m.id = e.message_id order by e.id`.execute(db);

  const deliveryColumns = 'id, recipient, status, attempts, next_attempt_at, locked_by, locked_until, last_response, updated_at, raw, raw_deflated';
  await sql`create table deliveries_new (
    id integer primary key autoincrement, message_seq integer not null references messages_new (seq) on delete cascade,
    recipient text not null, status varchar(16) not null, attempts integer default 0 not null, next_attempt_at bigint not null,
    locked_by text, locked_until bigint, last_response text, updated_at bigint not null, raw blob, raw_deflated integer)`.execute(db);
  await sql`insert into deliveries_new (message_seq, ${sql.raw(deliveryColumns)})
    select m.seq, ${sql.raw(prefixed('d', deliveryColumns))} from deliveries d join messages_new m on m.id = d.message_id order by d.id`.execute(db);

  // Children first: dropping `messages` with rows still referring to it would cascade.
  await sql`drop table events`.execute(db);
  await sql`drop table deliveries`.execute(db);
  await sql`drop table messages`.execute(db);
  // SQLite rewrites the children's references to messages_new as it renames it.
  await sql`alter table messages_new rename to messages`.execute(db);
  await sql`alter table events_new rename to events`.execute(db);
  await sql`alter table deliveries_new rename to deliveries`.execute(db);

  await sql`create index messages_account_created on messages (account_id, created_at)`.execute(db);
  await sql`create index messages_created_seq on messages (created_at, seq)`.execute(db);
  await sql`create index messages_sender_created on messages (envelope_from, created_at, seq)`.execute(db);
  await sql`create index events_pending on events (next_dispatch_at, id) where dispatched_at is null`.execute(db);
  await sql`create index events_created on events (created_at, type)`.execute(db);
  await sql`create index deliveries_due on deliveries (status, next_attempt_at)`.execute(db);
  await sql`create index deliveries_lease on deliveries (locked_until)`.execute(db);
  await sql`create index deliveries_updated on deliveries (updated_at)`.execute(db);

  await sql`create table message_keys (next integer not null)`.execute(db);
  await sql`insert into message_keys (next) select coalesce(max(seq), 0) + 1 from messages`.execute(db);
}

async function postgresColumns(db: Kysely<unknown>): Promise<void> {
  await sql`alter table messages add column seq bigint`.execute(db);
  await sql`update messages set seq = n.seq from (select id, row_number() over (order by created_at, id) as seq from messages) n where messages.id = n.id`.execute(db);
  await sql`alter table messages alter column seq set not null`.execute(db);
  await sql`alter table messages add constraint messages_seq unique (seq)`.execute(db);
  for (const table of ['events', 'deliveries']) {
    const t = sql.table(table);
    await sql`alter table ${t} add column message_seq bigint`.execute(db);
    await sql`update ${t} set message_seq = m.seq from messages m where m.id = ${sql.ref(`${table}.message_id`)}`.execute(db);
    await sql`alter table ${t} alter column message_seq set not null`.execute(db);
    await sql`alter table ${t} add foreign key (message_seq) references messages (seq) on delete cascade`.execute(db);
    // Drops the foreign key and the indexes on message_id with it.
    await sql`alter table ${t} drop column message_id`.execute(db);
  }
  await sql`create table message_bodies (seq bigint primary key references messages (seq) on delete cascade, raw bytea not null, raw_deflated integer)`.execute(db);
  await sql`insert into message_bodies (seq, raw, raw_deflated) select seq, raw, raw_deflated from messages`.execute(db);
  await sql`alter table messages drop column raw, drop column raw_deflated`.execute(db);
  await sql`drop index messages_created_id`.execute(db);
  await sql`drop index messages_sender_created`.execute(db);
  await sql`create index messages_created_seq on messages (created_at, seq)`.execute(db);
  await sql`create index messages_sender_created on messages (envelope_from, created_at, seq)`.execute(db);
  await sql.raw(`create sequence message_keys increment by ${MESSAGE_KEY_BLOCK} minvalue 1`).execute(db);
  await sql`select setval('message_keys', coalesce(max(seq), 0) + 1, false) from messages`.execute(db);
}

/** `a, b` as `alias.a, alias.b`. */
function prefixed(alias: string, columns: string): string {
  return columns
    .split(', ')
    .map((c) => `${alias}.${c}`)
    .join(', ');
}
