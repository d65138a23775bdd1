// The reaper: returns the recipients of expired leases (a worker that crashed or hung) to the
// queue. Runs periodically (src/periodic-task.ts).
import type { Logger } from 'pino';
import type { DeliveriesRepository } from '../store/deliveries-repository.js';

export async function releaseExpiredLeases(deliveries: DeliveriesRepository, log: Logger, now = Date.now()): Promise<number> {
  const released = await deliveries.releaseExpired(now);
  if (released > 0) log.warn({ released }, 'returned expired delivery leases to the queue');
  return released;
}
