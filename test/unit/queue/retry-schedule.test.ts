import { describe, expect, it } from 'vitest';
import { parseDuration, parseDurationList } from '../../../src/queue/duration.js';
import { expiresAt, nextAttemptAt } from '../../../src/queue/retry-schedule.js';

describe('durations', () => {
  it.each([
    ['100ms', 100],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
  ])('%s is %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it('parses a comma-separated schedule and refuses what is not a duration', () => {
    expect(parseDurationList('1m, 5m,30m,2h')).toEqual([60_000, 300_000, 1_800_000, 7_200_000]);
    expect(() => parseDuration('5')).toThrow(/not a duration/);
    expect(() => parseDuration('5 minutes')).toThrow(/not a duration/);
  });
});

describe('retry schedule', () => {
  const schedule = { delays: [60_000, 300_000, 1_800_000] };
  const t0 = 1_000_000;
  const far = t0 + 86_400_000;

  it('waits the delay of the attempt that failed, and repeats the last delay', () => {
    expect(nextAttemptAt(schedule, 1, t0, far)).toBe(t0 + 60_000);
    expect(nextAttemptAt(schedule, 2, t0, far)).toBe(t0 + 300_000);
    expect(nextAttemptAt(schedule, 3, t0, far)).toBe(t0 + 1_800_000);
    expect(nextAttemptAt(schedule, 9, t0, far)).toBe(t0 + 1_800_000);
  });

  it('moves the last attempt up to the expiry time, and gives up once it has passed', () => {
    expect(nextAttemptAt(schedule, 3, t0, t0 + 1000)).toBe(t0 + 1000);
    expect(nextAttemptAt(schedule, 3, t0 + 1000, t0 + 1000)).toBeUndefined();
  });

  it("bounds the lifetime by the configuration set's MaxDeliverySeconds, never lengthens it", () => {
    expect(expiresAt(t0, 50_400_000)).toBe(t0 + 50_400_000);
    expect(expiresAt(t0, 50_400_000, 300_000)).toBe(t0 + 300_000);
    expect(expiresAt(t0, 600_000, 3_600_000)).toBe(t0 + 600_000);
  });
});
