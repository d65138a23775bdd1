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

  it('records every repeated open and click, as SES counts each one', async () => {
    const store = fakeStore();
    const recorder = new EngagementRecorder({ store, flushMs: 60_000 });
    const click: Engagement = { ...open('a@example.net'), target: { kind: 'click', messageId: 'm-1', recipient: 'a@example.net', index: 0, link: 'https://a.example/', linkTags: {} } };
    expect([recorder.record(open('a@example.net')), recorder.record(open('a@example.net')), recorder.record(click), recorder.record(click)]).toEqual([true, true, true, true]);
    await recorder.close();
    expect(store.written.map((r) => r.type)).toEqual(['Open', 'Open', 'Click', 'Click']);
  });

  it('stops recording one target past maxPerTarget in its window (other targets unaffected) and starts again after it', async () => {
    let now = 0;
    const store = fakeStore();
    const warnings: string[] = [];
    const log = { warn: (_: object, msg: string) => warnings.push(msg), error: () => {} };
    const recorder = new EngagementRecorder({ store, log, flushMs: 60_000, maxPerTarget: 3, targetWindowMs: 1_000, now: () => now });
    const a = () => recorder.record(open('a@example.net'));
    expect([a(), a(), a(), a(), a(), recorder.record(open('b@example.net'))]).toEqual([true, true, true, false, false, true]);
    expect(warnings).toEqual(['open/click events not recorded: too many for one tracking link']); // once per window
    now = 1_000;
    expect(a()).toBe(true);
    await recorder.close();
    expect(store.written.map((r) => r.recipient)).toEqual(['a@example.net', 'a@example.net', 'a@example.net', 'b@example.net', 'a@example.net']);
  });

  it('by default allows 100 events per target an hour', async () => {
    let now = 0;
    const store = fakeStore();
    const recorder = new EngagementRecorder({ store, flushMs: 60_000, now: () => now });
    const results = Array.from({ length: 101 }, () => recorder.record(open('a@example.net')));
    expect(results.filter(Boolean)).toHaveLength(100);
    expect(results.at(-1)).toBe(false);
    now = 3_599_999;
    expect(recorder.record(open('a@example.net'))).toBe(false);
    now = 3_600_000;
    expect(recorder.record(open('a@example.net'))).toBe(true);
    await recorder.close();
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
