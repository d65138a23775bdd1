// metric_counters gets a `shard` column in its key. Every intake batch and every event dispatch adds
// to the same few counters (accepted messages by door, events by type), so on PostgreSQL each
// transaction took the same rows' locks and held them until its commit: a second node's intake
// waited for the first's fsync (bench/send-email.ts's two-node row: sesd's backends waited on a
// transaction lock in 4% of samples; none since). Each writer now adds to a shard of its own of
// each counter (store/metric-counters.ts), and GET /metrics adds the shards up.
// SQLite cannot change a primary key in place, so there the table is copied into a new one.
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') {
    await sql`alter table metric_counters add column shard integer not null default 0`.execute(db);
    await sql`alter table metric_counters drop constraint metric_counters_pk`.execute(db);
    await sql`alter table metric_counters add constraint metric_counters_pk primary key (name, labels, shard)`.execute(db);
    return;
  }
  await sql`create table metric_counters_new (
    name text not null, labels text not null, shard integer default 0 not null, value double precision not null,
    constraint metric_counters_pk primary key (name, labels, shard))`.execute(db);
  await sql`insert into metric_counters_new (name, labels, shard, value) select name, labels, 0, value from metric_counters`.execute(db);
  await sql`drop table metric_counters`.execute(db);
  await sql`alter table metric_counters_new rename to metric_counters`.execute(db);
}
