// SQLite's WAL is checkpointed by a thread of its own, never by a commit (a checkpoint fsyncs
// twice: run by the commit that crossed the threshold, it stopped that connection's thread for
// milliseconds). Seen from the files: a commit larger than SQLite's threshold leaves the database
// file as it was, and the checkpoint thread then copies the pages into it while nothing else writes.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

describe('WAL checkpoints (sqlite)', () => {
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

  it('happen in their own thread, not in the commit that filled the WAL', async () => {
    const file = join(db.dataDir, 'sesd.db');
    await sql`create table filler (body blob not null)`.execute(opened.db);
    const before = statSync(file).size;
    // ~6 MB: 1,500 pages of 4 kB, past SQLite's default threshold of 1,000.
    await opened.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 1_500; i++) await sql`insert into filler (body) values (${Buffer.alloc(4_000, i % 256)})`.execute(trx);
    });
    expect(statSync(file).size).toBe(before);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(6_000_000);

    const deadline = Date.now() + 10_000;
    while (statSync(file).size < before + 6_000_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(statSync(file).size).toBeGreaterThan(before + 6_000_000);
  });

  it('empty the WAL under a steady stream of commits, which a PASSIVE checkpoint never catches up with', async () => {
    const wal = join(db.dataDir, 'sesd.db-wal');
    await sql`create table stream (body blob not null)`.execute(opened.db);
    // Commits of 400 kB a millisecond apart (sesd's loops do some work between two transactions;
    // a connection committing back to back with no pause at all can keep the TRUNCATE checkpoint
    // from ever taking the write lock), until the WAL has passed 16 MB and been emptied since.
    let largest = 0;
    const deadline = Date.now() + 20_000;
    for (let i = 0; Date.now() < deadline; i++) {
      await opened.db.transaction().execute(async (trx) => {
        for (let j = 0; j < 100; j++) await sql`insert into stream (body) values (${Buffer.alloc(4_000, i % 256)})`.execute(trx);
      });
      await new Promise((r) => setTimeout(r, 1));
      const size = statSync(wal).size;
      largest = Math.max(largest, size);
      if (largest > 16_000_000 && size < largest / 2) break;
      if (largest > 512_000_000) break; // never emptied: fail without filling the disk
    }
    expect(largest).toBeGreaterThan(16_000_000);
    expect(statSync(wal).size).toBeLessThan(largest / 2);
  });
});
