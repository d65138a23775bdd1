import { describe, expect, it } from 'vitest';
import { CoalescedReads, type ReadPart, type RunParts } from '../../../src/store/coalesced-reads.js';
import type { Scope } from '../../../src/domain/identities/identity.js';

type Row = { account: string; key: string; n: number };
const A = { accountId: '111111111111', region: 'us-east-1' };
const B = { accountId: '222222222222', region: 'us-east-1' };
const ITEMS = { table: 'items', keyColumn: 'key' };
const OTHERS = { table: 'others', keyColumn: 'key' };

/** Two tables of rows (two for key `dup` in items), recording every read it was asked to run. */
function tables() {
  const rows: Record<string, Row[]> = {
    items: [
      { account: A.accountId, key: 'a1', n: 1 },
      { account: A.accountId, key: 'a2', n: 2 },
      { account: A.accountId, key: 'dup', n: 3 },
      { account: A.accountId, key: 'dup', n: 4 },
      { account: B.accountId, key: 'a1', n: 5 },
    ],
    others: [{ account: A.accountId, key: 'a1', n: 6 }],
  };
  const runs: { scope: Scope; parts: ReadPart[] }[] = [];
  const run: RunParts = async (scope, parts) => {
    runs.push({ scope, parts });
    return parts.map((p) => rows[p.table.table]!.filter((r) => r.account === scope.accountId && p.keys.includes(r.key)));
  };
  return { run, runs };
}

describe('CoalescedReads', () => {
  it('makes the reads of one turn one read per scope, each caller getting the rows of its own keys', async () => {
    const t = tables();
    const read = new CoalescedReads(t.run).reader<Row>(ITEMS, (r) => r.key);
    const [a1, a2, both, b1, none] = await Promise.all([read(A, ['a1']), read(A, ['a2', 'missing']), read(A, ['a1', 'dup', 'a1']), read(B, ['a1']), read(A, ['nothing'])]);
    expect(a1.map((r) => r.n)).toEqual([1]);
    expect(a2.map((r) => r.n)).toEqual([2]);
    // A key named twice gives its rows once; a key with two rows gives both.
    expect(both.map((r) => r.n)).toEqual([1, 3, 4]);
    expect(b1.map((r) => r.n)).toEqual([5]);
    expect(none).toEqual([]);
    expect(t.runs).toHaveLength(2);
    expect(t.runs.find((s) => s.scope.accountId === A.accountId)!.parts[0]!.keys.sort()).toEqual(['a1', 'a2', 'dup', 'missing', 'nothing']);
  });

  it("joins the reads of several tables in one turn into one read per scope, each table's rows to its own callers", async () => {
    const t = tables();
    const reads = new CoalescedReads(t.run);
    const items = reads.reader<Row>(ITEMS, (r) => r.key);
    const others = reads.reader<Row>(OTHERS, (r) => r.key);
    const [item, other, otherB] = await Promise.all([items(A, ['a1']), others(A, ['a1', 'a2']), others(B, ['a1'])]);
    expect(item.map((r) => r.n)).toEqual([1]);
    expect(other.map((r) => r.n)).toEqual([6]);
    expect(otherB).toEqual([]);
    expect(t.runs.map((r) => [r.scope.accountId, r.parts.map((p) => `${p.table.table}:${p.keys.join(',')}`)])).toEqual([
      [A.accountId, ['items:a1', 'others:a1,a2']],
      [B.accountId, ['others:a1']],
    ]);
  });

  it('reads again for calls made after a batch was sent', async () => {
    const t = tables();
    const read = new CoalescedReads(t.run).reader<Row>(ITEMS, (r) => r.key);
    await read(A, ['a1']);
    await read(A, ['a1']);
    expect(t.runs).toHaveLength(2);
  });

  it("fails every caller of a read that failed, whatever its table, and not the next read's", async () => {
    let fail = true;
    const reads = new CoalescedReads(async (_scope, parts) => {
      if (fail) throw new Error('connection lost');
      return parts.map(() => []);
    });
    const items = reads.reader<Row>(ITEMS, (r) => r.key);
    const others = reads.reader<Row>(OTHERS, (r) => r.key);
    const results = await Promise.allSettled([items(A, ['a1']), items(A, ['a2']), others(A, ['a1'])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    fail = false;
    await expect(items(A, ['a1'])).resolves.toEqual([]);
  });
});
