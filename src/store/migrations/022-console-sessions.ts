// Console sessions as rows: a session cookie is signed (so a forged one costs no read), and is valid
// only while its row exists, so logging out ends it on every node even if the cookie was copied.
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('console_sessions')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}
