// The databases every storage and integration test runs on: SQLite always, PostgreSQL when
// SESD_TEST_DATABASE_URL is set. Each test gets a fresh SQLite dir or PostgreSQL schema.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';

export interface TestDatabase {
  dataDir: string;
  databaseUrl: string;
  drop(): Promise<void>;
}

export type DialectName = 'sqlite' | 'postgres';

const PG_URL = process.env.SESD_TEST_DATABASE_URL;
if (!PG_URL) {
  console.log('[sesd tests] PostgreSQL tests skipped: SESD_TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test).');
}

/** Dialects to run on; use with `describe.each(DIALECTS)`. */
export const DIALECTS: DialectName[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sesd-test-'));
  if (dialect === 'sqlite') {
    return { dataDir, databaseUrl: '', drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const schema = `sesd_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(PG_URL!);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    dataDir,
    databaseUrl: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * For a test that writes a store as an older sesd left it (openDatabase's `migrateTo`): a fresh
 * database per test, and the store opened on it at the newest migration; both closed and dropped
 * after the test.
 */
export function databasePerTest(dialect: DialectName): { database(): Promise<TestDatabase>; open(): Promise<OpenedDatabase> } {
  let db: TestDatabase | undefined;
  let opened: OpenedDatabase | undefined;
  afterEach(async () => {
    await opened?.close();
    await db?.drop();
    opened = db = undefined;
  });
  const database = async () => (db ??= await createTestDatabase(dialect));
  return { database, open: async () => (opened = await openDatabase(await database())) };
}
