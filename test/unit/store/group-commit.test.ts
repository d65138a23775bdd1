import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../src/store/group-commit.js';

describe('GroupCommit', () => {
  it('shares one batch between writers that arrive while a commit is in flight', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const gc = new GroupCommit<number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
    });
    const first = gc.submit(1);
    const rest = [2, 3, 4].map((n) => gc.submit(n));
    release();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('fails only the item that cannot be written, not its batch neighbours', async () => {
    const written: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const gc = new GroupCommit<number>(async (items) => {
      if (items.includes(3)) throw new Error('bad item');
      if (items[0] === 0) await gate;
      written.push(...items);
    });
    const blocker = gc.submit(0);
    const results = Promise.allSettled([2, 3, 4].map((n) => gc.submit(n)));
    release();
    await blocker;
    const settled = await results;
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(written.sort()).toEqual([0, 2, 4]);
  });
});
