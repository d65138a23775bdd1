// The delivery worker when the database fails for a moment: outcomes already known are written
// again until they are recorded, and recipients not yet attempted are given back at once (not
// left leased for the whole lease).
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { serviceUnavailable } from '../../../src/domain/errors.js';
import { DeliveryWorker } from '../../../src/queue/worker.js';
import type { ClaimedDelivery, DeliveriesRepository, DeliveryUpdate, QueuedMessage } from '../../../src/store/deliveries-repository.js';

const claimed: ClaimedDelivery[] = [{ id: 7, messageId: 'm1', recipient: 'a@x.test', attempts: 1 }];
const message = { id: 'm1', accountId: '1', region: 'us-east-1', sourceApi: 'sesv2', envelopeFrom: 'f@x.test', configurationSet: null, raw: Buffer.from('x'), createdAt: 0, feedbackAddress: null } satisfies QueuedMessage;

/** A queue holding one claimable recipient whose operations fail as `failures` says. */
function queue(failures: { messages?: number; complete?: number }) {
  const calls = { complete: 0, recorded: [] as DeliveryUpdate[][], released: [] as number[][] };
  let handedOut = false;
  let messagesFailures = failures.messages ?? 0;
  let completeFailures = failures.complete ?? 0;
  const deliveries = {
    claim: async () => (handedOut ? [] : ((handedOut = true), claimed)),
    messages: async () => {
      if (messagesFailures-- > 0) throw serviceUnavailable();
      return new Map([[message.id, message]]);
    },
    complete: async (_worker: string, updates: DeliveryUpdate[]) => {
      calls.complete++;
      if (completeFailures-- > 0) throw serviceUnavailable();
      calls.recorded.push(updates);
    },
    release: async (_worker: string, ids: number[]) => void calls.released.push(ids),
  } as unknown as DeliveriesRepository;
  return { deliveries, calls };
}

function worker(deliveries: DeliveriesRepository, delivered: string[]) {
  return new DeliveryWorker({
    id: 'w1',
    deliveries,
    deliver: async (_m, group) => {
      delivered.push(...group.map((g) => g.recipient));
      return group.map((g) => ({ deliveryId: g.id, messageId: g.messageId, accountId: '1', status: 'delivered' as const, lastResponse: '250 ok', events: [], generated: [] }));
    },
    concurrency: 4,
    leaseMs: 60_000,
    pollMs: 10,
    log: pino({ level: 'silent' }),
  });
}

describe('the delivery worker while the database is unavailable', () => {
  it('records an outcome once the database answers again, and delivers only once', async () => {
    const { deliveries, calls } = queue({ complete: 2 });
    const delivered: string[] = [];
    const w = worker(deliveries, delivered);
    w.start();
    await expect.poll(() => calls.recorded.length, { timeout: 5_000 }).toBe(1);
    await w.stop();
    expect(calls.complete).toBe(3);
    expect(delivered).toEqual(['a@x.test']);
  });

  it('gives back what it claimed when it cannot load the messages', async () => {
    const { deliveries, calls } = queue({ messages: 1 });
    const delivered: string[] = [];
    const w = worker(deliveries, delivered);
    w.start();
    await expect.poll(() => calls.released.length).toBe(1);
    await w.stop();
    expect(calls.released).toEqual([[7]]);
    expect(delivered).toEqual([]);
  });
});
