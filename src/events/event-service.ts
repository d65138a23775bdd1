// Builds the event dispatcher from configuration and the store. It runs where delivery runs (the
// worker role: `sesd start --role worker`, and the delivery thread of role `all`), never in role
// `api`: publishing, like delivering, is background work that must not share the event loop that
// answers clients, and every worker node shares the outbox through its lease.
import { randomBytes } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/load-config.js';
import { candidateIdentities } from '../domain/identities/identities-service.js';
import { parseDuration, parseDurationList } from '../queue/duration.js';
import type { TopicPublisher } from '../sns/topic-publisher.js';
import type { Store } from '../store/store.js';
import { EventDispatcher, type DestinationLookup } from './dispatcher.js';
import { eventBridgePublisher, firehosePublisher, onceLogger, snsPublisher, type EndpointConfig } from './publishers.js';

export interface EventService {
  dispatcher: EventDispatcher;
  stop(): Promise<void>;
}

/** Event destinations and identity notification settings, read from the store. */
export function storeDestinationLookup(store: Store): DestinationLookup {
  return {
    eventDestinations: (scope, set) => store.configurationSets.eventDestinations(scope, set),
    sendingIdentity: async (scope, source) => {
      const names = candidateIdentities(source);
      const found = await store.identities.getMany(scope, names);
      // The most specific identity that covers the source: the address, then its domain, then parents.
      const identity = names.map((n) => found.find((i) => i.identity === n)).find((i) => i !== undefined);
      return identity && { identity: identity.identity, notifications: identity.notifications };
    },
  };
}

export function startEventDispatch(config: Config, store: Store, log: Logger, topics: TopicPublisher | undefined): EventService {
  const credentials = { accessKeyId: config.events.awsAccessKeyId, secretAccessKey: config.events.awsSecretAccessKey };
  const endpoint = (url: string): EndpointConfig | undefined => (url ? { url, credentials } : undefined);
  const warnOnce = onceLogger(log);
  const dispatcher = new EventDispatcher({
    id: `${osHostname()}:${process.pid}:events:${randomBytes(4).toString('hex')}`,
    store: store.eventDispatch,
    lookup: storeDestinationLookup(store),
    sns: snsPublisher(topics),
    eventBridge: eventBridgePublisher(endpoint(config.events.eventBridgeUrl)),
    firehose: firehosePublisher(endpoint(config.events.firehoseUrl)),
    retrySchedule: parseDurationList(config.events.retrySchedule),
    leaseMs: parseDuration(config.events.lease),
    pollMs: parseDuration(config.queue.pollInterval),
    batchSize: 200,
    concurrency: config.events.concurrency,
    log,
    warnOnce,
  });
  dispatcher.start();
  return { dispatcher, stop: () => dispatcher.stop() };
}
