// The writer thread (src/store/batch-writer.ts) on every database: batches handed to it while others
// commit are all committed, each as a whole, and one that fails fails alone, leaving nothing of
// itself behind (a thread that ran waiting batches together would have to run them alone again).
// On PostgreSQL a batch waiting for a lock does not hold up the next (a connection each).
import { CompiledQuery, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';

describe.each(DIALECTS)('the writer thread (%s)', (dialect) => {
  let db: TestDatabase;
  let opened: OpenedDatabase;
  const insert = (id: number) => CompiledQuery.raw(`insert into writer_probe (id) values (${dialect === 'postgres' ? '$1' : '?'})`, [id]);
  const ids = async () => (await sql<{ id: number }>`select id from writer_probe order by id`.execute(opened.db)).rows.map((r) => Number(r.id));

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    opened = await openDatabase(db);
    await sql`create table writer_probe (id integer primary key)`.execute(opened.db);
  });
  afterAll(async () => {
    await opened?.close();
    await db?.drop();
  });

  it('commits every batch handed over at once, and a failing one fails alone with nothing of it kept', async () => {
    // Ten batches in one turn: the thread is still committing the first when the others reach it.
    // The sixth writes a row of its own, then one the second batch already wrote.
    const batches = Array.from({ length: 10 }, (_, i) => (i === 5 ? [insert(100), insert(1)] : [insert(i)]));
    const results = await Promise.allSettled(batches.map((queries) => opened.batchWriter.run(queries)));

    expect(results.map((r) => r.status)).toEqual(batches.map((_, i) => (i === 5 ? 'rejected' : 'fulfilled')));
    const failure = (results[5] as PromiseRejectedResult).reason as Error;
    expect(failure.message).toMatch(/unique|duplicate/i);
    expect(await ids()).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9]);

    // And the thread goes on: a batch after them is committed.
    await opened.batchWriter.run([insert(10), insert(11)]);
    expect(await ids()).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11]);
  });

  it.runIf(dialect === 'postgres')('commits a batch while an earlier one waits for a row lock (PostgreSQL: a connection each)', async () => {
    // Another client's open transaction holds the key 1000: a batch inserting it waits for that.
    const locker = new pg.Client({ connectionString: db.databaseUrl });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('insert into writer_probe (id) values (1000)');
      const waiting = opened.batchWriter.run([insert(1000)]);
      // With one connection this never resolves (the lock is released below, after it): the test times out.
      await opened.batchWriter.run([insert(20)]);
      expect(await ids()).toContain(20);
      await locker.query('rollback');
      await waiting;
      expect(await ids()).toContain(1000);
    } finally {
      await locker.end();
    }
  });
});
