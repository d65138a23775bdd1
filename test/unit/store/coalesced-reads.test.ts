import { describe, expect, it } from 'vitest';
import { keyedReader } from '../../../src/store/coalesced-reads.js';
import { IDS_PER_STATEMENT } from '../../../src/store/raw-sql.js';
import type { Scope } from '../../../src/domain/identities/identity.js';

type Row = { account: string; key: string; n: number };
const A = { accountId: '111111111111', region: 'us-east-1' };
const B = { accountId: '222222222222', region: 'us-east-1' };

/** A table of rows (two for key `dup`), recording every statement it was asked to run. */
function table() {
  const rows: Row[] = [
    { account: A.accountId, key: 'a1', n: 1 },
    { account: A.accountId, key: 'a2', n: 2 },
    { account: A.accountId, key: 'dup', n: 3 },
    { account: A.accountId, key: 'dup', n: 4 },
    { account: B.accountId, key: 'a1', n: 5 },
  ];
  const statements: { scope: Scope; keys: string[] }[] = [];
  const read = async (scope: Scope, keys: string[]) => {
    statements.push({ scope, keys });
    return rows.filter((r) => r.account === scope.accountId && keys.includes(r.key));
  };
  return { read, statements };
}

describe('keyedReader', () => {
  it('makes the reads of one turn one statement per scope, each caller getting the rows of its own keys', async () => {
    const t = table();
    const read = keyedReader(t.read, (r) => r.key);
    const [a1, a2, both, b1, none] = await Promise.all([read(A, ['a1']), read(A, ['a2', 'missing']), read(A, ['a1', 'dup', 'a1']), read(B, ['a1']), read(A, ['nothing'])]);
    expect(a1.map((r) => r.n)).toEqual([1]);
    expect(a2.map((r) => r.n)).toEqual([2]);
    // A key named twice gives its rows once; a key with two rows gives both.
    expect(both.map((r) => r.n)).toEqual([1, 3, 4]);
    expect(b1.map((r) => r.n)).toEqual([5]);
    expect(none).toEqual([]);
    expect(t.statements).toHaveLength(2);
    expect(t.statements.find((s) => s.scope.accountId === A.accountId)!.keys.sort()).toEqual(['a1', 'a2', 'dup', 'missing', 'nothing']);
  });

  it('reads again for calls made after a batch was sent', async () => {
    const t = table();
    const read = keyedReader(t.read, (r) => r.key);
    await read(A, ['a1']);
    await read(A, ['a1']);
    expect(t.statements).toHaveLength(2);
  });

  it('splits a union longer than an IN list into statements of at most IDS_PER_STATEMENT keys', async () => {
    const t = table();
    const read = keyedReader(t.read, (r) => r.key);
    const many = Array.from({ length: IDS_PER_STATEMENT + 5 }, (_, i) => `k${i}`);
    const [rows] = await Promise.all([read(A, [...many, 'a2']), read(A, ['a1'])]);
    expect(rows.map((r) => r.n)).toEqual([2]);
    expect(t.statements.map((s) => s.keys.length)).toEqual([IDS_PER_STATEMENT, 7]);
  });

  it("fails every caller of a batch whose statement failed, and not the next batch's", async () => {
    let fail = true;
    const read = keyedReader<Row>(
      async () => {
        if (fail) throw new Error('connection lost');
        return [];
      },
      (r) => r.key,
    );
    const results = await Promise.allSettled([read(A, ['a1']), read(A, ['a2'])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(read(A, ['a1'])).resolves.toEqual([]);
  });
});
