// Opens and clicks become Open / Click event rows without making the recipient wait on the database:
// record() only checks the per-target limit and queues; the queue is written in batches (one statement
// per batch) a moment later, or at once when it is long. close() writes what is queued, so an open or
// click that was answered is not lost on a clean shutdown. The crash window: what was queued in the
// last FLUSH_MS (and any batch the database refused meanwhile) is lost if the process dies; the
// recipient already had their redirect, and SES too counts opens and clicks on a best-effort basis.
import type { EngagementEventRow, TrackingRepository } from '../store/tracking-repository.js';
import type { TrackingTarget } from './tracking-token.js';

export interface Engagement {
  target: TrackingTarget;
  ipAddress: string;
  userAgent: string;
  at: number;
}

export interface EngagementRecorderOptions {
  store: Pick<TrackingRepository, 'mailObjects' | 'insertEvents'>;
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** How long a queued event may wait for its batch. */
  flushMs?: number;
  /** A batch is written at once when the queue reaches this length. */
  maxBatch?: number;
  /**
   * Every open and click is an event, repeats included (SES counts each one). This bounds the rows one
   * tracking target (one recipient's open image, or one link of one recipient's copy) can add: past
   * `maxPerTarget` in `targetWindowMs`, requests are still answered but not recorded. It is sesd's own
   * limit, far above what a person does, so that a flood of requests to one link (a scanner, a loop, a
   * script) cannot grow the event table without end.
   */
  maxPerTarget?: number;
  targetWindowMs?: number;
  /** Past this many queued events (the database is away), new ones are dropped rather than growing memory. */
  maxQueued?: number;
  now?: () => number;
}

/** Targets whose counts are kept at once (about 100 bytes each). */
const MAX_TARGETS = 500_000;

export class EngagementRecorder {
  private queue: Engagement[] = [];
  /** Per target: the end of its current window and how many requests it has had in it. */
  private readonly seen = new Map<string, { until: number; count: number }>();
  private nextSweep = 0;
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly maxPerTarget: number;
  private readonly targetWindowMs: number;
  private readonly maxQueued: number;
  private readonly now: () => number;

  constructor(private readonly options: EngagementRecorderOptions) {
    this.flushMs = options.flushMs ?? 200;
    this.maxBatch = options.maxBatch ?? 500;
    this.maxPerTarget = options.maxPerTarget ?? 100;
    this.targetWindowMs = options.targetWindowMs ?? 3_600_000;
    this.maxQueued = options.maxQueued ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** Queues the event; false when its target is past its limit for now (or the queue is full). */
  record(e: Engagement): boolean {
    const now = this.now();
    const key = e.target.kind === 'open' ? `o ${e.target.messageId} ${e.target.recipient}` : `c ${e.target.messageId} ${e.target.recipient} ${e.target.index}`;
    let counter = this.seen.get(key);
    if (counter && counter.count >= this.maxPerTarget && counter.until > now) {
      if (counter.count++ === this.maxPerTarget) this.options.log?.warn({ messageId: e.target.messageId, kind: e.target.kind, limit: this.maxPerTarget }, 'open/click events not recorded: too many for one tracking link');
      return false;
    }
    if (this.queue.length >= this.maxQueued) {
      this.options.log?.warn({ queued: this.queue.length }, 'open/click event dropped: too many waiting for the database');
      return false;
    }
    if (!counter || counter.until <= now) {
      // A sweep walks every target, so a map that is large with live windows is swept once a minute at most.
      if (this.seen.size > 100_000 && now >= this.nextSweep) {
        this.forgetExpired(now);
        this.nextSweep = now + 60_000;
      }
      // Still past the bound with live windows (a campaign's images all fetched within the hour):
      // the oldest windows go (a Map keeps insertion order), so memory stays bounded.
      if (this.seen.size >= MAX_TARGETS) this.seen.delete(this.seen.keys().next().value!);
      this.seen.delete(key);
      counter = { until: now + this.targetWindowMs, count: 0 };
      this.seen.set(key, counter);
    }
    counter.count++;
    this.queue.push(e);
    if (this.queue.length >= this.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs).unref();
    return true;
  }

  /** Writes everything queued so far; one write at a time, in order. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(() => this.writeQueued());
    return this.writing;
  }

  /** Writes what is queued (the HTTP listener is closed first, so nothing new arrives). */
  async close(): Promise<void> {
    await this.flush();
    if (this.queue.length > 0) this.options.log?.error({ lost: this.queue.length }, 'open/click events could not be written before shutdown');
  }

  private async writeQueued(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.maxBatch);
      try {
        await this.options.store.insertEvents(await this.rows(batch));
      } catch (err) {
        // Kept for the next flush (the database may be back by then).
        this.options.log?.warn({ err, queued: this.queue.length }, 'open/click events not written yet');
        this.timer ??= setTimeout(() => void this.flush(), 1000).unref();
        return;
      }
      this.queue.splice(0, batch.length);
    }
  }

  private async rows(batch: Engagement[]): Promise<EngagementEventRow[]> {
    const mails = await this.options.store.mailObjects([...new Set(batch.map((e) => e.target.messageId))]);
    const rows: EngagementEventRow[] = [];
    for (const e of batch) {
      const message = mails.get(e.target.messageId);
      if (!message) continue; // deleted since (retention, DELETE /_aws/ses): nothing to report on
      rows.push({ messageId: e.target.messageId, accountId: message.accountId, recipient: e.target.recipient, createdAt: e.at, ...engagementEvent(message.mail, e) });
    }
    return rows;
  }

  private forgetExpired(now: number): void {
    for (const [key, counter] of this.seen) if (counter.until <= now) this.seen.delete(key);
  }
}

/** SES's Open and Click event documents (event publishing format). */
export function engagementEvent(mail: unknown, e: Engagement): { type: 'Open' | 'Click'; payload: unknown } {
  const common = { ipAddress: e.ipAddress, timestamp: new Date(e.at).toISOString(), userAgent: e.userAgent };
  if (e.target.kind === 'open') return { type: 'Open', payload: { eventType: 'Open', mail, open: common } };
  return { type: 'Click', payload: { eventType: 'Click', mail, click: { ...common, link: e.target.link, linkTags: e.target.linkTags } } };
}
