// The event dispatcher: takes committed events from the outbox under a lease, finds their
// destinations — the configuration set's event destinations (Enabled, MatchingEventTypes) and the
// sending identity's notification topics (Bounce, Complaint, Delivery) — publishes each in SES's
// shape, and records every attempt. A destination that failed is tried again on the retry schedule
// (only that destination: the others are settled); once the schedule is spent, it is recorded as
// undeliverable with the last error. Nothing committed is dropped: an event stays pending until
// every destination is settled, and a lease that runs out (a crash) hands it to the next claim.
import type { Logger } from 'pino';
import type { EventDestination } from '../domain/configuration-sets/event-destinations.js';
import { notificationTopic, type IdentityNotifications, type Scope } from '../domain/identities/identity.js';
import type { EventOutcome, PendingEvent, Publication } from '../store/event-dispatch-repository.js';
import type { MetricIncrement } from '../store/metric-counters.js';
import { EVENT_PUBLISHING_SUBJECT, eventPublishingRecord, identityNotificationRecord } from './event-records.js';
import { eventTypeNames, isNotificationType } from './event-types.js';
import { cloudWatchIncrement, ownFigures } from './metrics.js';
import type { eventBridgePublisher, firehosePublisher, PublishResult, snsPublisher } from './publishers.js';
import { logBackgroundFailure } from '../store/availability.js';
import { WakeablePause } from '../wakeable-pause.js';

export interface DispatchStore {
  claim(workerId: string, limit: number, leaseMs: number, now: number): Promise<PendingEvent[]>;
  settledDestinations(eventIds: number[]): Promise<Map<number, Set<string>>>;
  complete(workerId: string, publications: Publication[], outcomes: EventOutcome[], metrics: MetricIncrement[], now: number): Promise<void>;
}

export interface DestinationLookup {
  /** The set's event destinations; none when the set no longer exists. */
  eventDestinations(scope: Scope, configurationSet: string): Promise<EventDestination[]>;
  /** The notification settings of the identity a source address sends as (address first, then its domain). */
  sendingIdentity(scope: Scope, source: string): Promise<{ identity: string; notifications: IdentityNotifications } | undefined>;
}

export interface DispatcherDeps {
  id: string;
  store: DispatchStore;
  lookup: DestinationLookup;
  sns: ReturnType<typeof snsPublisher>;
  eventBridge: ReturnType<typeof eventBridgePublisher>;
  firehose: ReturnType<typeof firehosePublisher>;
  /** Delays before the 2nd, 3rd, ... attempt of a failed destination; spent, it is undeliverable. */
  retrySchedule: number[];
  leaseMs: number;
  pollMs: number;
  batchSize: number;
  /** Publishes in flight at once, per batch. */
  concurrency: number;
  log: Logger;
  /** Logs a message once per key (a destination and its reason): the attempts table has every event. */
  warnOnce: (key: string, message: string) => void;
  now?: () => number;
}

/** One destination of one event, ready to publish. */
interface Planned {
  destination: string;
  kind: string;
  target: string;
  publish(): Promise<PublishResult>;
  /** Counters a CloudWatch destination moves when published. */
  metrics?: MetricIncrement[];
}

interface Processed {
  publications: Publication[];
  outcome: EventOutcome;
  metrics: MetricIncrement[];
}

/**
 * Two batches in flight: a batch spends most of its time waiting for the database (the claim, the
 * messages it rebuilds `mail` from, the SNS rows, the outcomes), and one batch at a time left the
 * publishing rate at what one batch's round trips allowed. Measured on PostgreSQL (bench/delivery.ts
 * capture+sns, 2 cores), a 200-event batch took 150-250 ms: its claim 30-60 ms, its completion 20-90.
 */
const BATCHES_IN_FLIGHT = 2;

export class EventDispatcher {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly pause = new WakeablePause();
  private readonly now: () => number;

  constructor(private readonly deps: DispatcherDeps) {
    this.now = deps.now ?? Date.now;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const loops = Array.from({ length: BATCHES_IN_FLIGHT }, () => this.run());
    this.loop = Promise.all(loops).then(() => undefined);
  }

  /** Stops claiming and waits for the batches in flight to be recorded. */
  async stop(): Promise<void> {
    this.running = false;
    this.pause.wake();
    await this.loop;
  }

  /** Claims and publishes one batch; the number of events it held. */
  async dispatchOnce(): Promise<number> {
    const { store, id, leaseMs, batchSize } = this.deps;
    const events = await store.claim(id, batchSize, leaseMs, this.now());
    if (events.length === 0) return 0;
    const retried = events.filter((e) => e.attempts > 1).map((e) => e.id);
    const settled = await store.settledDestinations(retried);
    const cache = new BatchCache(this.deps.lookup);
    const processed = await mapLimit(events, this.deps.concurrency, (e) => this.process(e, settled.get(e.id) ?? new Set(), cache));
    const now = this.now();
    await store.complete(
      id,
      processed.flatMap((p) => p.publications),
      processed.map((p) => p.outcome),
      processed.flatMap((p) => p.metrics),
      now,
    );
    return events.length;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let count = 0;
      try {
        count = await this.dispatchOnce();
      } catch (err) {
        // The claimed events stay leased and come back when the lease runs out.
        logBackgroundFailure(this.deps.log, err, {}, 'dispatching events failed');
      }
      if (count < this.deps.batchSize) await this.pause.sleep(this.deps.pollMs);
    }
  }

  private async process(event: PendingEvent, settled: Set<string>, cache: BatchCache): Promise<Processed> {
    let planned: Planned[];
    try {
      planned = await this.plan(event, cache);
    } catch (err) {
      // Destinations could not be read (the database is away): the whole event is tried again.
      logBackgroundFailure(this.deps.log, err, { eventId: event.id }, 'finding the destinations of an event failed');
      return { publications: [], outcome: { eventId: event.id, retryAt: this.now() + this.delay(event.attempts) }, metrics: [] };
    }
    const publications: Publication[] = [];
    const metrics: MetricIncrement[] = [];
    const spent = event.attempts > this.deps.retrySchedule.length;
    let failed = false;
    for (const p of planned) {
      if (settled.has(p.destination)) continue;
      const started = performance.now();
      let result: PublishResult;
      try {
        result = await p.publish();
      } catch (err) {
        result = { status: 'failed', error: (err as Error).message };
      }
      if (result.status === 'failed' && spent) {
        result = { ...result, status: 'undeliverable', error: `Gave up after ${event.attempts} attempts: ${result.error ?? 'failed'}` };
      }
      if (result.status === 'failed') failed = true;
      if (result.status === 'undeliverable') this.deps.warnOnce(`${p.destination}\u0000${result.error}`, `events for ${p.destination} are not publishable: ${result.error}`);
      if (result.status === 'published' && p.metrics) metrics.push(...p.metrics);
      metrics.push({ name: 'sesd_event_publications_total', labels: { kind: p.kind, status: result.status }, value: 1 });
      publications.push({
        eventId: event.id,
        messageId: event.messageId,
        accountId: event.accountId,
        eventType: event.type,
        destination: p.destination,
        kind: p.kind,
        target: p.target,
        attempt: event.attempts,
        status: result.status,
        statusCode: result.statusCode,
        latencyMs: performance.now() - started,
        error: result.error,
        remoteId: result.remoteId,
        at: this.now(),
      });
    }
    if (failed) return { publications, outcome: { eventId: event.id, retryAt: this.now() + this.delay(event.attempts) }, metrics };
    return { publications, outcome: { eventId: event.id }, metrics: [...metrics, ...ownFigures(event, this.now())] };
  }

  private delay(attempts: number): number {
    const s = this.deps.retrySchedule;
    return s[Math.min(attempts - 1, s.length - 1)] ?? 60_000;
  }

  /** Every destination the event goes to. */
  private async plan(event: PendingEvent, cache: BatchCache): Promise<Planned[]> {
    const names = eventTypeNames(event.type);
    const mail = (event.payload.mail ?? {}) as { tags?: Record<string, string[]>; source?: string; sourceArn?: string };
    const region = event.region ?? String(mail.sourceArn ?? '').split(':')[3] ?? '';
    const scope = { accountId: event.accountId, region };
    const planned: Planned[] = [];
    if (!names) return planned;

    const set = event.configurationSet ?? mail.tags?.['ses:configuration-set']?.[0];
    if (set) {
      const record = eventPublishingRecord(event.payload);
      for (const d of await cache.eventDestinations(scope, set)) {
        if (!d.Enabled || !d.MatchingEventTypes.includes(names.matching as never)) continue;
        const destination = `configuration-set/${set}/${d.Name}`;
        if (d.SnsDestination) {
          const topicArn = d.SnsDestination.TopicArn;
          planned.push({ destination, kind: 'sns', target: topicArn, publish: () => this.deps.sns({ ...scope, topicArn, message: JSON.stringify(record), subject: EVENT_PUBLISHING_SUBJECT }) });
        } else if (d.EventBridgeDestination) {
          const eventBusArn = d.EventBridgeDestination.EventBusArn;
          const resources = [`arn:aws:ses:${region}:${event.accountId}:configuration-set/${set}`];
          planned.push({
            destination,
            kind: 'eventbridge',
            target: eventBusArn,
            publish: () => this.deps.eventBridge({ region, eventBusArn, detailType: names.detailType, detail: record, resources, time: new Date(event.createdAt).toISOString() }),
          });
        } else if (d.KinesisFirehoseDestination) {
          const deliveryStreamArn = d.KinesisFirehoseDestination.DeliveryStreamArn;
          planned.push({ destination, kind: 'firehose', target: deliveryStreamArn, publish: () => this.deps.firehose({ region, deliveryStreamArn, record }) });
        } else if (d.CloudWatchDestination) {
          const increment = cloudWatchIncrement(names, record, { configurationSet: set, destination: d.Name, dimensions: d.CloudWatchDestination.DimensionConfigurations });
          // An increment of 0 is a metric SES would not send (metrics.ts): no series at all, as in CloudWatch.
          planned.push({ destination, kind: 'cloudwatch', target: increment.name, metrics: increment.value ? [increment] : [], publish: async () => ({ status: 'published' }) });
        } else if (d.PinpointDestination) {
          planned.push({
            destination,
            kind: 'pinpoint',
            target: d.PinpointDestination.ApplicationArn ?? '',
            publish: async () => ({ status: 'undeliverable', error: 'sesd does not publish events to Amazon Pinpoint.' }),
          });
        }
      }
    }

    if (isNotificationType(event.type) && mail.source) {
      const sender = await cache.sendingIdentity(scope, mail.source);
      const n = sender?.notifications;
      const topic = notificationTopic(n, event.type);
      if (n && sender && topic) {
        const withHeaders = { Bounce: n.headersInBounce, Complaint: n.headersInComplaint, Delivery: n.headersInDelivery }[event.type] ?? false;
        const message = JSON.stringify(identityNotificationRecord(event.type, event.payload, withHeaders));
        planned.push({ destination: `identity/${sender.identity}/${event.type}`, kind: 'sns', target: topic, publish: () => this.deps.sns({ ...scope, topicArn: topic, message }) });
      }
    }
    return planned;
  }
}

/** Destinations and identities read once per claimed batch: a batch is mostly one sender's mail. */
class BatchCache {
  private readonly sets = new Map<string, Promise<EventDestination[]>>();
  private readonly identities = new Map<string, ReturnType<DestinationLookup['sendingIdentity']>>();

  constructor(private readonly lookup: DestinationLookup) {}

  eventDestinations(scope: Scope, set: string): Promise<EventDestination[]> {
    const key = `${scope.accountId}\u0000${scope.region}\u0000${set}`;
    let found = this.sets.get(key);
    if (!found) this.sets.set(key, (found = this.lookup.eventDestinations(scope, set)));
    return found;
  }

  sendingIdentity(scope: Scope, source: string): ReturnType<DestinationLookup['sendingIdentity']> {
    const key = `${scope.accountId}\u0000${scope.region}\u0000${source}`;
    let found = this.identities.get(key);
    if (!found) this.identities.set(key, (found = this.lookup.sendingIdentity(scope, source)));
    return found;
  }
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}
