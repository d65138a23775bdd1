// SQLite rolls a transaction back by itself on some errors (SQLITE_FULL on a full disk,
// SQLITE_IOERR): the ROLLBACK that follows must not replace that error with "cannot rollback - no
// transaction is active", which is not recognised as the database being unavailable (on a full
// disk, every failed dispatch then logged a stack trace and the outage never counted as over).
import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { relaxedTransaction } from '../../src/store/relaxed-transaction.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

describe('a transaction SQLite rolled back by itself (sqlite)', () => {
  let db: TestDatabase;
  let opened: OpenedDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    opened = await openDatabase(db);
  });
  afterAll(async () => {
    await opened?.close();
    await db?.drop();
  });

  // What SQLite does on SQLITE_FULL, done by hand: the transaction ends before the error is thrown.
  const failAfterSqliteRolledBack = async (trx: { executeQuery(q: CompiledQuery): Promise<unknown> }) => {
    await trx.executeQuery(CompiledQuery.raw('rollback'));
    throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  };

  it('fails with its own error in a relaxed transaction', async () => {
    await expect(relaxedTransaction(opened.db, 'sqlite', failAfterSqliteRolledBack)).rejects.toMatchObject({ code: 'SQLITE_FULL' });
  });

  it('fails with its own error in a Kysely transaction', async () => {
    await expect(opened.db.transaction().execute(failAfterSqliteRolledBack)).rejects.toMatchObject({ code: 'SQLITE_FULL' });
  });
});
