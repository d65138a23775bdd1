// The API's PostgreSQL connections keep the per-send read prepared (src/store/prepared-statements.ts):
// a marked text runs as a named statement, parsed once per connection, and answers as it does unnamed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepared, PreparingClient } from '../../src/store/prepared-statements.js';

const PG_URL = process.env.SESD_TEST_DATABASE_URL;

describe.runIf(PG_URL)('prepared statements on PostgreSQL', () => {
  const client = new PreparingClient({ connectionString: PG_URL });
  beforeAll(() => client.connect());
  afterAll(() => client.end());

  const preparedTexts = async () =>
    (await client.query<{ name: string; statement: string }>('select name, statement from pg_prepared_statements order by name')).rows;

  it('runs a marked text as a named statement, prepared once on the connection, with its values', async () => {
    const marked = prepared('postgres', 'select $1::int + 1 as n, $2::text[] as keys');
    for (const n of [1, 2, 3]) expect((await client.query(marked, [n, ['a', 'b']])).rows).toEqual([{ n: n + 1, keys: ['a', 'b'] }]);
    const texts = await preparedTexts();
    expect(texts.filter((t) => t.statement === marked)).toHaveLength(1);
    expect(texts.find((t) => t.statement === marked)!.name).toMatch(/^sesd_stmt_\d+$/);
  });

  it('runs an unmarked text unnamed (a SQLite mark marks nothing), and a marked one without values as pg would', async () => {
    const before = (await preparedTexts()).length;
    expect((await client.query('select $1::int * 2 as n', [21])).rows).toEqual([{ n: 42 }]);
    expect((await client.query(prepared('sqlite', 'select $1::int * 3 as n'), [2])).rows).toEqual([{ n: 6 }]);
    expect((await client.query(prepared('postgres', 'select 7 as n'))).rows).toEqual([{ n: 7 }]);
    expect((await preparedTexts()).length).toBe(before);
  });
});
