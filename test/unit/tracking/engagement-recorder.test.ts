import { describe, expect, it } from 'vitest';
import { EngagementRecorder, type Engagement } from '../../../src/tracking/engagement-recorder.js';
import type { EngagementEventRow } from '../../../src/store/tracking-repository.js';

const open = (recipient: string, at = 1_000): Engagement => ({ target: { kind: 'open', messageId: 'm-1', recipient }, ipAddress: '192.0.2.1', userAgent: 'UA', at });

function fakeStore(failures = 0) {
  const written: EngagementEventRow[] = [];
  let left = failures;
  return {
    written,
    mailObjects: async (ids: string[]) => new Map(ids.filter((id) => id === 'm-1').map((id) => [id, { accountId: '000000000000', mail: { messageId: id } }])),
    insertEvents: async (rows: EngagementEventRow[]) => {
      if (left-- > 0) throw new Error('database away');
      written.push(...rows);
    },
  };
}

describe('EngagementRecorder', () => {
  it('answers at once and writes on close what was queued', async () => {
    const store = fakeStore();
    const recorder = new EngagementRecorder({ store, flushMs: 60_000 });
    expect(recorder.record(open('a@example.net'))).toBe(true);
    expect(store.written).toEqual([]);
    await recorder.close();
    expect(store.written).toEqual([
      { messageId: 'm-1', accountId: '000000000000', recipient: 'a@example.net', type: 'Open', createdAt: 1_000, payload: { eventType: 'Open', mail: { messageId: 'm-1' }, open: { ipAddress: '192.0.2.1', timestamp: new Date(1_000).toISOString(), userAgent: 'UA' } } },
    ]);
  });

  it('counts a repeat within the window once, per recipient', async () => {
    let now = 0;
    const store = fakeStore();
    const recorder = new EngagementRecorder({ store, flushMs: 60_000, dedupMs: 60_000, now: () => now });
    expect([recorder.record(open('a@example.net')), recorder.record(open('a@example.net')), recorder.record(open('b@example.net'))]).toEqual([true, false, true]);
    now = 60_001;
    expect(recorder.record(open('a@example.net'))).toBe(true);
    await recorder.close();
    expect(store.written.map((r) => r.recipient)).toEqual(['a@example.net', 'b@example.net', 'a@example.net']);
  });

  it('keeps a batch the database refused and writes it on the next flush; skips deleted messages', async () => {
    const store = fakeStore(1);
    const recorder = new EngagementRecorder({ store, flushMs: 60_000 });
    recorder.record(open('a@example.net'));
    recorder.record({ ...open('b@example.net'), target: { kind: 'open', messageId: 'gone', recipient: 'b@example.net' } });
    await recorder.flush();
    expect(store.written).toEqual([]);
    await recorder.close();
    expect(store.written.map((r) => r.recipient)).toEqual(['a@example.net']);
  });
});
