// The indexes the migrations leave, on every database: none is a prefix of another index on the
// same table (the longer one serves its lookups; the shorter costs disk per row and a write per
// insert). Unique and partial indexes are exempt: they say more than which columns they cover. And
// the delivery queue's partial indexes serve the statements they are for.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';

interface IndexColumns {
  table: string;
  index: string;
  columns: string[];
  /** Unique or partial: not redundant even when its columns are another index's prefix. */
  exempt: boolean;
}

describe.each(DIALECTS)('the indexes (%s)', (dialect) => {
  let db: TestDatabase;
  let opened: OpenedDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    opened = await openDatabase(db);
  });
  afterAll(async () => {
    await opened?.close();
    await db?.drop();
  });

  const indexes = async (): Promise<IndexColumns[]> => {
    if (dialect === 'postgres') {
      const { rows } = await sql<{ table: string; index: string; columns: string; exempt: boolean }>`
        select t.relname as table, i.relname as index, string_agg(a.attname, ',' order by k.n) as columns,
               (x.indisunique or x.indpred is not null) as exempt
        from pg_index x
        join pg_class i on i.oid = x.indexrelid
        join pg_class t on t.oid = x.indrelid
        join pg_namespace ns on ns.oid = t.relnamespace
        cross join lateral unnest(x.indkey) with ordinality as k(attnum, n)
        join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum
        where ns.nspname = current_schema()
        group by t.relname, i.relname, x.indisunique, x.indpred`.execute(opened.db);
      return rows.map((r) => ({ ...r, columns: r.columns.split(',') }));
    }
    const { rows } = await sql<{ table: string; index: string; unique: number; partial: number }>`
      select m.name as "table", l.name as "index", l."unique" as "unique", l.partial as partial
      from sqlite_master m, pragma_index_list(m.name) l where m.type = 'table'`.execute(opened.db);
    const out: IndexColumns[] = [];
    for (const r of rows) {
      const { rows: cols } = await sql<{ name: string }>`select name from pragma_index_info(${r.index}) order by seqno`.execute(opened.db);
      out.push({ table: r.table, index: r.index, columns: cols.map((c) => c.name), exempt: r.unique === 1 || r.partial === 1 });
    }
    return out;
  };

  it('has no index whose columns begin another index on the same table', async () => {
    const all = await indexes();
    expect(all.length).toBeGreaterThan(10);
    const redundant = all.flatMap((a) =>
      a.exempt
        ? []
        : all
            .filter((b) => b.table === a.table && b.index !== a.index && b.columns.length >= a.columns.length && a.columns.every((c, i) => b.columns[i] === c))
            .map((b) => `${a.index} (${a.columns.join(', ')}) begins ${b.index} (${b.columns.join(', ')})`),
    );
    expect(redundant).toEqual([]);
  });

  // Migration 025: the delivery queue's indexes hold only the rows its statements look for (waiting
  // recipients, held leases). A partial index serves a query only when the query's conditions imply
  // the index's, so each statement's conditions are checked against the plan the database makes.

  /** The plan's text; on PostgreSQL with sequential scans priced out, as its empty tables would otherwise be read whole. */
  const plan = async (statement: string): Promise<string> => {
    if (dialect === 'sqlite') {
      const { rows } = await sql<{ detail: string }>`explain query plan ${sql.raw(statement)}`.execute(opened.db);
      return rows.map((r) => r.detail).join('\n');
    }
    return opened.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${sql.raw(statement)}`.execute(trx);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  };

  it('holds only waiting recipients and held leases', async () => {
    const partial =
      dialect === 'postgres'
        ? (await sql<{ index: string }>`select i.relname as index from pg_index x join pg_class i on i.oid = x.indexrelid join pg_namespace ns on ns.oid = i.relnamespace where ns.nspname = current_schema() and x.indpred is not null`.execute(opened.db)).rows
        : (await sql<{ index: string }>`select name as "index" from pragma_index_list('deliveries') where partial = 1`.execute(opened.db)).rows;
    expect(partial.map((r) => r.index)).toEqual(expect.arrayContaining(['deliveries_due', 'deliveries_lease']));
  });

  it.each([
    ['the claim (deliveries-repository.ts)', "select id from deliveries where status in ('queued', 'deferred') and next_attempt_at <= 5 and locked_until is null order by next_attempt_at, id limit 10", 'deliveries_due'],
    ["the console's queue (console-queries.ts)", "select id from deliveries where deliveries.status in ('queued', 'deferred') order by next_attempt_at, id limit 10", 'deliveries_due'],
    ['the queue depth (event-dispatch-repository.ts)', "select status, count(*) as n from deliveries where status in ('queued', 'deferred') group by status", 'deliveries_due'],
    ['the reaper (deliveries-repository.ts releaseExpired)', 'update deliveries set locked_by = null, locked_until = null where locked_until is not null and locked_until < 5', 'deliveries_lease'],
  ])('%s', async (_name, statement, index) => {
    expect(await plan(statement)).toContain(index);
  });
});
