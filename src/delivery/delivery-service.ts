// Builds delivery from configuration: transports, signing pool, deliverer, worker and reaper.
// app.ts starts it when the process has the worker role.
import { randomBytes } from 'node:crypto';
import { availableParallelism, hostname as osHostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/load-config.js';
import { createResolver } from '../dns/resolver.js';
import { PeriodicTask } from '../periodic-task.js';
import { parseDuration, parseDurationList } from '../queue/duration.js';
import { releaseExpiredLeases } from '../queue/reaper.js';
import { DeliveryWorker } from '../queue/worker.js';
import type { DeliveriesRepository } from '../store/deliveries-repository.js';
import { captureTransport } from './capture-transport.js';
import { createDeliverer } from './deliver.js';
import { mxResolver } from './mx-resolver.js';
import { mxTransport } from './mx-transport.js';
import { defaultPolicy, noDkimKeys, noSuppression, type DeliveryMode, type DeliveryPolicy, type DkimKeyProvider, type SuppressionSink } from './policy.js';
import { relayTransport } from './relay-transport.js';
import { signingPool } from './signing-pool.js';
import type { Transport } from './transport.js';

export interface DeliveryHooks {
  policy?: DeliveryPolicy;
  dkimKeys?: DkimKeyProvider;
  suppression?: SuppressionSink;
}

export interface DeliveryService {
  workerId: string;
  stop(): Promise<void>;
}

export function startDelivery(config: Config, deliveries: DeliveriesRepository, log: Logger, hooks: DeliveryHooks = {}): DeliveryService {
  const transports: Partial<Record<DeliveryMode, Transport>> = {
    capture: captureTransport(),
    mx: mxTransport({
      hostname: config.hostname,
      port: config.delivery.mxPort,
      resolve: mxResolver(createResolver(config.delivery.dnsServers), config.delivery.allowPrivateAddresses),
      maxConnectionsPerDomain: config.delivery.maxConnectionsPerDomain,
    }),
  };
  if (config.delivery.relayUrl) {
    transports.relay = relayTransport({ url: config.delivery.relayUrl, hostname: config.hostname, maxConnections: config.delivery.maxConnectionsPerDomain });
  }
  const signer = signingPool(Math.max(1, Math.min(4, availableParallelism() - 1)));
  const leaseMs = parseDuration(config.queue.lease);
  const workerId = `${osHostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const worker = new DeliveryWorker({
    id: workerId,
    deliveries,
    deliver: createDeliverer({
      hostname: config.hostname,
      mode: config.delivery.mode,
      transports,
      schedule: { delays: parseDurationList(config.delivery.retrySchedule) },
      lifetimeMs: parseDuration(config.delivery.messageLifetime),
      policy: hooks.policy ?? defaultPolicy,
      dkimKeys: hooks.dkimKeys ?? noDkimKeys,
      suppression: hooks.suppression ?? noSuppression,
      sign: signer.sign,
      log,
    }),
    concurrency: config.delivery.concurrency,
    leaseMs,
    pollMs: parseDuration(config.queue.pollInterval),
    log,
  });
  const reaper = new PeriodicTask(Math.min(30_000, Math.max(100, leaseMs / 4)), () => releaseExpiredLeases(deliveries, log), (err) =>
    log.error({ err }, 'releasing expired delivery leases failed'),
  );
  worker.start();
  return {
    workerId,
    async stop() {
      await reaper.stop();
      await worker.stop();
      await Promise.all(Object.values(transports).map((t) => t.close()));
      await signer.close();
    },
  };
}
