// The dispatcher's choices, with the store, the destinations and SNS replaced by fakes: which
// destinations an event goes to, in which shape, and what is recorded when one fails.
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { EventDestination } from '../../../src/domain/configuration-sets/event-destinations.js';
import { AwsError } from '../../../src/domain/errors.js';
import type { IdentityNotifications } from '../../../src/domain/identities/identity.js';
import { EventDispatcher, type DispatchStore } from '../../../src/events/dispatcher.js';
import { eventBridgePublisher, firehosePublisher, snsPublisher } from '../../../src/events/publishers.js';
import type { TopicPublishInput } from '../../../src/sns/topic-publisher.js';
import type { EventOutcome, PendingEvent, Publication } from '../../../src/store/event-dispatch-repository.js';
import type { MetricIncrement } from '../../../src/store/metric-counters.js';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:ses-events';
const BOUNCES = 'arn:aws:sns:us-east-1:000000000000:bounces';

const mail = {
  timestamp: '2026-01-01T00:00:00.000Z',
  source: 'sender@example.com',
  sourceArn: 'arn:aws:ses:us-east-1:000000000000:identity/example.com',
  sendingAccountId: '000000000000',
  messageId: 'm-1',
  destination: ['bounce@simulator.amazonses.com'],
  headersTruncated: false,
  headers: [{ name: 'Subject', value: 'Hi' }],
  commonHeaders: { subject: 'Hi' },
  tags: { 'ses:operation': ['SendEmail'], 'ses:source-ip': ['127.0.0.1'], 'ses:caller-identity': ['AKID'], 'ses:configuration-set': ['app'] },
};

function event(type: string, extra: Record<string, unknown>, attempts = 1): PendingEvent {
  return { id: 1, messageId: 'm-1', accountId: '000000000000', region: 'us-east-1', configurationSet: 'app', sourceApi: 'sesv2', type, payload: { eventType: type, mail, ...extra }, createdAt: 0, attempts };
}

function harness(opts: {
  events: PendingEvent[];
  destinations?: EventDestination[];
  notifications?: IdentityNotifications;
  publish?: (i: TopicPublishInput) => Promise<{ messageId: string }>;
  settled?: string[];
  /** Replaces the claim of every pending event at once. */
  claim?: DispatchStore['claim'];
  pollMs?: number;
}) {
  const published: TopicPublishInput[] = [];
  const publishCalls: number[] = [];
  const publish = async (i: TopicPublishInput) => {
    published.push(i);
    return opts.publish ? opts.publish(i) : { messageId: `sns-${published.length}` };
  };
  const recorded: { publications: Publication[]; outcomes: EventOutcome[]; metrics: MetricIncrement[] } = { publications: [], outcomes: [], metrics: [] };
  const store: DispatchStore = {
    claim: opts.claim ?? (async () => opts.events.splice(0)),
    settledDestinations: async () => new Map([[1, new Set(opts.settled ?? [])]]),
    complete: async (_w, publications, outcomes, metrics) => {
      recorded.publications.push(...publications);
      recorded.outcomes.push(...outcomes);
      recorded.metrics.push(...metrics);
    },
  };
  const dispatcher = new EventDispatcher({
    id: 'w',
    store,
    lookup: {
      eventDestinations: async () => opts.destinations ?? [],
      sendingIdentity: async () => (opts.notifications ? { identity: 'example.com', notifications: opts.notifications } : undefined),
    },
    sns: snsPublisher({
      publish,
      publishMany: (inputs) => {
        publishCalls.push(inputs.length);
        return Promise.all(inputs.map((i) => publish(i).catch((error: unknown) => ({ error }))));
      },
      topicExists: async () => true,
    }),
    eventBridge: eventBridgePublisher(undefined),
    firehose: firehosePublisher(undefined),
    retrySchedule: [1000, 2000],
    leaseMs: 60_000,
    pollMs: opts.pollMs ?? 10,
    batchSize: 10,
    concurrency: 4,
    log: pino({ level: 'silent' }),
    warnOnce: () => undefined,
    now: () => 10_000,
  });
  return { dispatcher, published, publishCalls, recorded };
}

const snsDestination = (types: EventDestination['MatchingEventTypes'], enabled = true): EventDestination => ({ Name: 'sns', Enabled: enabled, MatchingEventTypes: types, SnsDestination: { TopicArn: TOPIC } });
const bounce = { bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: 'bounce@simulator.amazonses.com' }] } };

describe('EventDispatcher', () => {
  it('publishes the event publishing record to an SNS destination with SES\'s Subject', async () => {
    const h = harness({ events: [event('Bounce', bounce)], destinations: [snsDestination(['BOUNCE'])] });
    await h.dispatcher.dispatchOnce();
    expect(h.published).toHaveLength(1);
    expect(h.published[0]).toMatchObject({ topicArn: TOPIC, subject: 'Amazon SES Email Event Notification', accountId: '000000000000', region: 'us-east-1' });
    const record = JSON.parse(h.published[0]!.message);
    expect(record).toMatchObject({ eventType: 'Bounce', bounce: bounce.bounce, mail: { tags: mail.tags } });
    expect(h.recorded.publications[0]).toMatchObject({ destination: 'configuration-set/app/sns', kind: 'sns', status: 'published', remoteId: 'sns-1', attempt: 1 });
    expect(h.recorded.outcomes).toEqual([{ eventId: 1 }]);
  });

  it('publishes the events of a batch for one topic with one call of the SNS service, each with its own outcome', async () => {
    const events = [1, 2, 3].map((id) => ({ ...event('Bounce', bounce), id }));
    const h = harness({
      events,
      destinations: [snsDestination(['BOUNCE'])],
      publish: async () => {
        if (h.published.length === 2) throw new AwsError('InternalError', 'boom', 500);
        return { messageId: `sns-${h.published.length}` };
      },
    });
    await h.dispatcher.dispatchOnce();
    expect(h.publishCalls).toEqual([3]);
    expect(h.recorded.publications.map((p) => [p.eventId, p.status])).toEqual([
      [1, 'published'],
      [2, 'failed'],
      [3, 'published'],
    ]);
    expect(h.recorded.outcomes).toEqual([{ eventId: 1 }, { eventId: 2, retryAt: expect.any(Number) }, { eventId: 3 }]);
  });

  it('skips disabled destinations and event types the destination does not match', async () => {
    const h = harness({ events: [event('Send', { send: {} })], destinations: [snsDestination(['BOUNCE']), snsDestination(['SEND'], false)] });
    await h.dispatcher.dispatchOnce();
    expect(h.published).toEqual([]);
    expect(h.recorded.outcomes).toEqual([{ eventId: 1 }]);
  });

  it('publishes an identity notification without headers or tags, with sourceIp and callerIdentity and no Subject', async () => {
    const h = harness({ events: [event('Bounce', bounce)], notifications: { bounceTopic: BOUNCES } });
    await h.dispatcher.dispatchOnce();
    expect(h.published).toHaveLength(1);
    expect(h.published[0]!.subject).toBeUndefined();
    const record = JSON.parse(h.published[0]!.message);
    expect(Object.keys(record)).toEqual(['notificationType', 'bounce', 'mail']);
    expect(record.notificationType).toBe('Bounce');
    expect(record.mail).toEqual({
      timestamp: mail.timestamp,
      source: mail.source,
      sourceArn: mail.sourceArn,
      sourceIp: '127.0.0.1',
      callerIdentity: 'AKID',
      sendingAccountId: '000000000000',
      messageId: 'm-1',
      destination: mail.destination,
    });
    expect(h.recorded.publications[0]).toMatchObject({ destination: 'identity/example.com/Bounce', target: BOUNCES });
  });

  it('includes the original headers when the identity turned headers on for that type', async () => {
    const h = harness({ events: [event('Delivery', { delivery: { recipients: ['a@b.c'], remoteMtaIp: '192.0.2.1' } })], notifications: { deliveryTopic: BOUNCES, headersInDelivery: true } });
    await h.dispatcher.dispatchOnce();
    const record = JSON.parse(h.published[0]!.message);
    expect(record.mail).toMatchObject({ headersTruncated: false, headers: mail.headers, commonHeaders: mail.commonHeaders });
    expect(record.mail).not.toHaveProperty('tags');
    // remoteMtaIp belongs to identity notifications.
    expect(record.delivery.remoteMtaIp).toBe('192.0.2.1');
  });

  it('sends no identity notification for types other than Bounce, Complaint and Delivery', async () => {
    const h = harness({ events: [event('DeliveryDelay', { deliveryDelay: {} })], notifications: { bounceTopic: BOUNCES, complaintTopic: BOUNCES, deliveryTopic: BOUNCES } });
    await h.dispatcher.dispatchOnce();
    expect(h.published).toEqual([]);
  });

  it('records a missing topic as undeliverable with SNS\'s reason and settles the event', async () => {
    const h = harness({
      events: [event('Bounce', bounce)],
      destinations: [snsDestination(['BOUNCE'])],
      publish: async () => {
        throw new AwsError('NotFound', 'Topic does not exist', 404);
      },
    });
    await h.dispatcher.dispatchOnce();
    expect(h.recorded.publications[0]).toMatchObject({ status: 'undeliverable', statusCode: 404, error: 'NotFound: Topic does not exist' });
    expect(h.recorded.outcomes).toEqual([{ eventId: 1 }]);
  });

  it('retries only the destination that failed, and gives up with the last error once the schedule is spent', async () => {
    const failing = async () => {
      throw new Error('connection refused');
    };
    const first = harness({ events: [event('Bounce', bounce)], destinations: [snsDestination(['BOUNCE'])], notifications: { bounceTopic: BOUNCES }, publish: async (i) => (i.topicArn === TOPIC ? failing() : { messageId: 'x' }) });
    await first.dispatcher.dispatchOnce();
    expect(first.recorded.publications.map((p) => [p.destination, p.status])).toEqual([
      ['configuration-set/app/sns', 'failed'],
      ['identity/example.com/Bounce', 'published'],
    ]);
    expect(first.recorded.outcomes).toEqual([{ eventId: 1, retryAt: 11_000 }]);
    // Own figures are counted once, when the event is settled.
    expect(first.recorded.metrics.some((m) => m.name === 'sesd_delivery_outcomes_total')).toBe(false);

    const last = harness({ events: [event('Bounce', bounce, 3)], destinations: [snsDestination(['BOUNCE'])], notifications: { bounceTopic: BOUNCES }, publish: failing, settled: ['identity/example.com/Bounce'] });
    await last.dispatcher.dispatchOnce();
    expect(last.published.map((p) => p.topicArn)).toEqual([TOPIC]);
    expect(last.recorded.publications).toEqual([expect.objectContaining({ status: 'undeliverable', attempt: 3, error: 'Gave up after 3 attempts: connection refused' })]);
    expect(last.recorded.outcomes).toEqual([{ eventId: 1 }]);
    expect(last.recorded.metrics).toContainEqual({ name: 'sesd_delivery_outcomes_total', labels: { outcome: 'bounced' }, value: 1 });
  });

  it('keeps two batches in flight: the next batch is claimed while one waits for its publishes', async () => {
    const pending = [1, 2, 3].map((id) => ({ ...event('Bounce', bounce), id }));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let claims = 0;
    const h = harness({
      events: [],
      destinations: [snsDestination(['BOUNCE'])],
      // One event a batch, so that every batch is a claim of its own.
      claim: async () => {
        claims++;
        return pending.splice(0, 1);
      },
      // Every publish waits until released: a batch that waits alone would stop the claims at one.
      publish: async () => {
        await released;
        return { messageId: 'x' };
      },
    });
    h.dispatcher.start();
    await expect.poll(() => claims).toBe(2);
    expect(h.recorded.outcomes).toEqual([]);
    release();
    await expect.poll(() => h.recorded.outcomes.length).toBe(3);
    await h.dispatcher.stop();
    expect(h.recorded.outcomes.map((o) => o.eventId).sort()).toEqual([1, 2, 3]);
  });

  it('stops at once, ending the pause of every batch loop', async () => {
    // The poll's timer never fires here: a loop whose pause stop() did not end keeps stop() waiting.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const h = harness({ events: [], pollMs: 60_000 });
      h.dispatcher.start();
      await new Promise((r) => setImmediate(r));
      expect(vi.getTimerCount()).toBe(2);
      const stopped = h.dispatcher.stop().then(() => 'stopped');
      const stillWaiting = new Promise((r) => setImmediate(() => setImmediate(() => r('still waiting'))));
      expect(await Promise.race([stopped, stillWaiting])).toBe('stopped');
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
