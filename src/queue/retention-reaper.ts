// Retention: deletes finished messages (with their deliveries and events) once they are older than
// the configured age, or beyond the configured count of newest messages. It runs in the background
// where delivery runs (the delivery thread of `sesd start`, or worker nodes), a batch per
// transaction with a turn of the event loop between batches, so intake never waits on it.
import type { Logger } from 'pino';
import type { Config } from '../config/load-config.js';
import { PeriodicTask } from '../periodic-task.js';
import type { MessageCursor } from '../store/messages-repository.js';
import type { RetentionRepository } from '../store/retention-repository.js';
import { parseDuration } from './duration.js';
import { logBackgroundFailure } from '../store/availability.js';

export interface RetentionPolicy {
  /** Milliseconds; 0 keeps messages whatever their age. */
  maxAgeMs: number;
  /** 0 keeps any number. */
  maxMessages: number;
}

/** Messages per delete transaction, and batches per run: a run does a bounded amount of work. */
export const RETENTION_BATCH = 100;
const BATCHES_PER_RUN = 100;

export function retentionPolicy(config: Config): RetentionPolicy {
  return {
    maxAgeMs: config.retention.maxAge === 'off' ? 0 : parseDuration(config.retention.maxAge),
    maxMessages: config.retention.maxMessages,
  };
}

/** One run: reaps what the policy allows, at most BATCHES_PER_RUN batches. Returns how many messages went. */
export async function reapRetention(repo: RetentionRepository, policy: RetentionPolicy, log: Logger, now = Date.now()): Promise<number> {
  const boundaries: MessageCursor[] = [];
  // Strictly older than the age: (now - maxAge, 0) comes before every message of that millisecond (keys start at 1).
  if (policy.maxAgeMs > 0) boundaries.push({ createdAt: now - policy.maxAgeMs, seq: 0 });
  if (policy.maxMessages > 0) {
    const beyond = await repo.beyondNewest(policy.maxMessages);
    if (beyond) boundaries.push(beyond);
  }
  let deleted = 0;
  let batches = 0;
  for (const boundary of boundaries) {
    while (batches < BATCHES_PER_RUN) {
      const ids = await repo.finishedUpTo(boundary, RETENTION_BATCH);
      if (ids.length === 0) break;
      batches++;
      const n = await repo.deleteFinished(ids, boundary);
      deleted += n;
      // A message chosen but kept (a late event) would be chosen again: stop, the next run retries.
      if (ids.length < RETENTION_BATCH || n < ids.length) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  if (deleted > 0) log.info({ deleted }, 'retention: deleted finished messages');
  return deleted;
}

/** Starts the periodic reaper when the configuration asks for retention. */
export function startRetention(config: Config, repo: RetentionRepository, log: Logger): PeriodicTask | undefined {
  const policy = retentionPolicy(config);
  if (policy.maxAgeMs === 0 && policy.maxMessages === 0) return undefined;
  return new PeriodicTask(parseDuration(config.retention.interval), () => reapRetention(repo, policy, log), (err) =>
    logBackgroundFailure(log, err, {}, 'retention: deleting old messages failed'),
  );
}
