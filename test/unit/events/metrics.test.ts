// A histogram observation as counter increments (src/events/metrics.ts observe), and increments
// added up per counter (src/store/metric-counters.ts mergeIncrements): a histogram without labels
// hands out the same frozen increments for every observation, which merging must not change.
import { describe, expect, it } from 'vitest';
import { observe, SECONDS_BUCKETS } from '../../../src/events/metrics.js';
import { mergeIncrements } from '../../../src/store/metric-counters.js';

const value = (rows: ReturnType<typeof mergeIncrements>, name: string, labels: Record<string, string>) =>
  rows.find((r) => r.name === name && r.labels === JSON.stringify(labels))?.value;

describe('histogram observations', () => {
  it('count in every bucket at or above the value, +Inf, the sum and the count', () => {
    const out = observe('h', {}, 0.3);
    expect(out.map((m) => [m.name, m.labels, m.value])).toEqual([
      ...SECONDS_BUCKETS.filter((le) => le >= 0.3).map((le) => ['h_bucket', { le: String(le) }, 1]),
      ['h_bucket', { le: '+Inf' }, 1],
      ['h_sum', {}, 0.3],
      ['h_count', {}, 1],
    ]);
    expect(observe('h', {}, 99_999).map((m) => m.labels)).toEqual([{ le: '+Inf' }, {}, {}]);
  });

  it('keep their labels beside le', () => {
    expect(observe('h', { door: 'smtp' }, 4_000)[0]).toEqual({ name: 'h_bucket', labels: { door: 'smtp', le: '14400' }, value: 1 });
  });

  it('add up per counter, however many observations share the same increments', () => {
    const increments = [...observe('h', {}, 0.005), ...observe('h', {}, 0.2), ...observe('h', {}, 0.2), ...observe('h', { door: 'smtp' }, 0.2)];
    for (let round = 0; round < 2; round++) {
      const rows = mergeIncrements(increments);
      expect(value(rows, 'h_bucket', { le: '0.01' })).toBe(1);
      expect(value(rows, 'h_bucket', { le: '0.25' })).toBe(3);
      expect(value(rows, 'h_bucket', { le: '+Inf' })).toBe(3);
      expect(value(rows, 'h_bucket', { door: 'smtp', le: '0.25' })).toBe(1);
      expect(value(rows, 'h_sum', {})).toBeCloseTo(0.405);
      expect(value(rows, 'h_count', {})).toBe(3);
      expect(value(rows, 'h_count', { door: 'smtp' })).toBe(1);
    }
    // The shared increments themselves are unchanged by merging.
    expect(observe('h', {}, 0.2)[0]!.value).toBe(1);
  });

  it('merge labels given in any order into one counter, and order the rows by name and labels', () => {
    const rows = mergeIncrements([
      { name: 'z_total', labels: {}, value: 1 },
      { name: 'c_total', labels: { b: '2', a: '1' }, value: 1 },
      { name: 'c_total', labels: { a: '1', b: '2' }, value: 2 },
      { name: 'c_total', labels: { a: '0' }, value: 5 },
    ]);
    expect(rows).toEqual([
      { name: 'c_total', labels: '{"a":"0"}', value: 5 },
      { name: 'c_total', labels: '{"a":"1","b":"2"}', value: 3 },
      { name: 'z_total', labels: '{}', value: 1 },
    ]);
  });
});
