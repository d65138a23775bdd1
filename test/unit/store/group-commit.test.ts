import { describe, expect, it } from 'vitest';
import { serviceUnavailable } from '../../../src/domain/errors.js';
import { GroupCommit } from '../../../src/store/group-commit.js';

describe('GroupCommit', () => {
  it('commits writers that arrive in the same turn of the event loop together', async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number>(async (items) => {
      batches.push(items);
    });
    await Promise.all([1, 2, 3].map((n) => gc.submit(n)));
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('gathers writers that arrive while a commit is in flight into the next batch', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const gc = new GroupCommit<number>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
    });
    const first = gc.submit(1);
    await new Promise((r) => setImmediate(r));
    const rest = [2, 3, 4].map((n) => gc.submit(n));
    release();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('with two batches in flight, hands the next batch over while the first is still being written', async () => {
    const started: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const gc = new GroupCommit<number>(
      async (items) => {
        started.push(items);
        await gate;
      },
      { batchesInFlight: 2 },
    );
    const first = gc.submit(1);
    await new Promise((r) => setImmediate(r));
    const second = [2, 3].map((n) => gc.submit(n));
    await new Promise((r) => setImmediate(r));
    // The first batch is still held: the second started all the same, and a third waits for either.
    expect(started).toEqual([[1], [2, 3]]);
    const third = gc.submit(4);
    await new Promise((r) => setImmediate(r));
    expect(started).toHaveLength(2);
    release();
    await Promise.all([first, ...second, third]);
    expect(started).toEqual([[1], [2, 3], [4]]);
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

  it('fails the whole batch at once when the database is unavailable, without retrying each item alone', async () => {
    let calls = 0;
    const gc = new GroupCommit<number>(async () => {
      calls++;
      throw serviceUnavailable();
    });
    const settled = await Promise.allSettled([1, 2, 3, 4].map((n) => gc.submit(n)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect(settled.map((s) => s.status === 'rejected' && (s.reason as { code: string }).code)).toEqual(Array(4).fill('ServiceUnavailable'));
    expect(calls).toBe(1);
  });
});
