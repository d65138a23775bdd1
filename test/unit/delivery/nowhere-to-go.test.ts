// Which of a delivery's events are written settled (src/delivery/deliver.ts, markNowhereToGo): with no
// configuration set, every event but an identity notification the sender has a topic for.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { captureTransport } from '../../../src/delivery/capture-transport.js';
import { createDeliverer } from '../../../src/delivery/deliver.js';
import { defaultPolicy, noDkimKeys, noSuppression, type Scope } from '../../../src/delivery/policy.js';
import type { NotificationType } from '../../../src/events/event-types.js';
import type { QueuedMessage } from '../../../src/store/deliveries-repository.js';

const SIM = 'simulator.amazonses.com';
const T0 = 1_700_000_000_000;

/** A deliverer in capture mode whose senders have topics for `topics`; records what it was asked. */
function deliverer(topics: NotificationType[]) {
  const asked: string[] = [];
  const deliver = createDeliverer({
    hostname: 'sesd.test',
    mode: 'capture',
    transports: { capture: captureTransport() },
    schedule: { delays: [60_000] },
    lifetimeMs: 3_600_000,
    policy: {
      ...defaultPolicy,
      identityNotifies: async (_scope: Scope, source: string, type: NotificationType) => {
        asked.push(`${source} ${type}`);
        return topics.includes(type);
      },
    },
    dkimKeys: noDkimKeys,
    suppression: noSuppression,
    sign: async (raw) => raw,
    log: pino({ level: 'silent' }),
    now: () => T0 + 10,
  });
  return { deliver, asked };
}

const message = (configurationSet: string | null): QueuedMessage => ({
  id: 'm1',
  accountId: '000000000000',
  region: 'us-east-1',
  sourceApi: 'sesv2',
  envelopeFrom: 'sender@example.com',
  configurationSet,
  raw: Buffer.from('From: sender@example.com\r\nSubject: s\r\n\r\nbody\r\n'),
  createdAt: T0,
  feedbackAddress: null,
  mail: { messageId: 'm1', source: 'sender@example.com', tags: {} },
});

const recipients = [`success@${SIM}`, `complaint@${SIM}`, `bounce@${SIM}`].map((recipient, i) => ({ id: i + 1, messageId: 'm1', recipient, attempts: 1 }));

const marks = (updates: Awaited<ReturnType<ReturnType<typeof deliverer>['deliver']>>) => updates.flatMap((u) => u.events.map((e) => `${e.type} ${e.nowhereToGo ? 'settled' : 'pending'}`));

describe('events with nowhere to go, at delivery', () => {
  it('settles the notification types the sender has no topic for, and leaves the others pending', async () => {
    const { deliver, asked } = deliverer(['Complaint']);
    expect(marks(await deliver(message(null), recipients))).toEqual(['Delivery settled', 'Delivery settled', 'Complaint pending', 'Bounce settled']);
    expect(asked).toContain('sender@example.com Delivery');
  });

  it('leaves every event of a message with a configuration set pending, without asking', async () => {
    const { deliver, asked } = deliverer([]);
    expect(marks(await deliver(message('app'), recipients))).toEqual(['Delivery pending', 'Delivery pending', 'Complaint pending', 'Bounce pending']);
    expect(asked).toEqual([]);
  });
});
