// raw_deflated: how a row's `raw` holds the message (store/stored-raw.ts). 1: compressed with
// deflateRaw; NULL: as sent. Every row written before this migration reads NULL, so it reads as it
// always did; new rows are compressed when that makes them smaller (a simple ~1.2 kB message: 1,209
// bytes of raw become ~390, bench/storage.ts). Deliveries hold a recipient's own copy (list-managed
// and tracked mail), as large as the message's, so they are compressed the same way.
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('messages').addColumn('raw_deflated', 'integer').execute();
  await db.schema.alterTable('deliveries').addColumn('raw_deflated', 'integer').execute();
}
