// Bulk INSERTs (src/store/raw-sql.ts, BulkInsert): on SQLite multi-row VALUES in chunks, on PostgreSQL
// one statement of one array per column whose text is the same whatever the rows (the writer thread
// keeps it prepared).
import { describe, expect, it } from 'vitest';
import { BulkInsert, ROWS_PER_STATEMENT } from '../../../src/store/raw-sql.js';

type Row = { seq: number; raw: Buffer | null; note: string };
const columns = { seq: 'bigint', raw: 'bytea', note: 'text' } as const;
const rows = (n: number): Row[] => Array.from({ length: n }, (_, i) => ({ seq: i, raw: i % 2 ? null : Buffer.from([i]), note: `n${i}` }));

describe('BulkInsert', () => {
  it('on PostgreSQL: one statement with an array per column, in the rows order, and one text for any number of rows', () => {
    const insert = new BulkInsert<Row>('postgres', 't', columns, 'on conflict (seq) do nothing');
    const [one, ...rest] = insert.queries(rows(3));
    expect(rest).toEqual([]);
    expect(one!.sql).toBe(
      'insert into t (seq, raw, note) select c0, substring($2::bytea from c1_at + 1 for c1_length), c2 ' +
        'from unnest($1::bigint[], $3::integer[], $4::integer[], $5::text[]) as t(c0, c1_at, c1_length, c2) on conflict (seq) do nothing',
    );
    // A bytea column: its bytes as one binary parameter, then each row's offset and length (NULL: a NULL value).
    expect(one!.parameters).toEqual([[0, 1, 2], Buffer.from([0, 2]), [0, 1, 1], [1, null, 1], ['n0', 'n1', 'n2']]);
    const many = insert.queries(rows(ROWS_PER_STATEMENT + 1));
    expect(many).toHaveLength(1);
    expect(many[0]!.sql).toBe(one!.sql);
  });

  it('on PostgreSQL: leaves a bytea column holding a message still to compress to the writer thread to pack', () => {
    const deferred = { deflateRaw: Buffer.from('x'), options: {} };
    const [one] = new BulkInsert<{ seq: number; raw: unknown }>('postgres', 't', { seq: 'bigint', raw: 'bytea' }).queries([
      { seq: 1, raw: deferred },
      { seq: 2, raw: Buffer.from([7]) },
    ]);
    expect(one!.parameters).toEqual([[1, 2], { packBytes: [deferred, Buffer.from([7])] }, { packOffsets: true }, { packLengths: true }]);
  });

  it('on SQLite: multi-row VALUES of at most ROWS_PER_STATEMENT rows each', () => {
    const insert = new BulkInsert<Row>('sqlite', 't', columns);
    const queries = insert.queries(rows(ROWS_PER_STATEMENT + 1));
    expect(queries).toHaveLength(2);
    expect(queries[1]!.sql).toBe('insert into t (seq, raw, note) values (?, ?, ?)');
    expect(queries[1]!.parameters).toEqual([ROWS_PER_STATEMENT, Buffer.from([ROWS_PER_STATEMENT % 256]), `n${ROWS_PER_STATEMENT}`]);
    expect(queries[0]!.parameters).toHaveLength(ROWS_PER_STATEMENT * 3);
  });

  it('writes nothing for no rows', () => {
    expect(new BulkInsert<Row>('postgres', 't', columns).queries([])).toEqual([]);
    expect(new BulkInsert<Row>('sqlite', 't', columns).queries([])).toEqual([]);
  });
});
