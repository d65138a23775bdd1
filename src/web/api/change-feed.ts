// Live updates for every open console from one cheap poll: while anyone listens, every 500 ms the
// feed asks the store for messages created, delivery rows changed and complaints recorded (a
// complaint after delivery changes no delivery row) since it last looked (a little
// further back, so a commit that lands late — another node, the delivery thread — is still seen),
// and hands listeners the summaries of what is new or changed. The work is the same for one listener
// or a hundred; nothing runs while no one listens.
import type { ConsoleQueries, MessageSummary } from '../../store/console-queries.js';

export type FeedEvent = { kind: 'message' | 'status'; message: MessageSummary } | { kind: 'deleted'; id?: string };

export interface ChangeFeedOptions {
  queries: ConsoleQueries;
  intervalMs?: number;
  /** How far back each poll looks again for late commits. */
  lookBackMs?: number;
  now?: () => number;
  onError?: (err: unknown) => void;
}

/** A row of one of the feed's reads. */
type RowOf<Read extends 'messagesSince' | 'deliveryChangesSince' | 'complaintsSince'> = Awaited<ReturnType<ConsoleQueries[Read]>>[number];

// Rows read per poll; a burst larger than this moves the window on (a reload shows everything).
const ROWS_PER_POLL = 500;

export class ChangeFeed {
  private readonly listeners = new Set<(e: FeedEvent) => void>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private readonly created: LookBackWindow<RowOf<'messagesSince'>>;
  private readonly deliveries: LookBackWindow<RowOf<'deliveryChangesSince'>>;
  private readonly complaints: LookBackWindow<RowOf<'complaintsSince'>>;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: ChangeFeedOptions) {
    this.intervalMs = opts.intervalMs ?? 500;
    this.now = opts.now ?? Date.now;
    const lookBackMs = opts.lookBackMs ?? 5000;
    const q = opts.queries;
    this.created = new LookBackWindow((since, limit) => q.messagesSince(since, limit), (m) => m.id, (m) => m.createdAt, lookBackMs);
    // A delivery row is news again when its status or update time changes.
    this.deliveries = new LookBackWindow((since, limit) => q.deliveryChangesSince(since, limit), (d) => `${d.id}:${d.updatedAt}:${d.status}`, (d) => d.updatedAt, lookBackMs);
    this.complaints = new LookBackWindow((since, limit) => q.complaintsSince(since, limit), (c) => String(c.id), (c) => c.createdAt, lookBackMs);
  }

  subscribe(listener: (e: FeedEvent) => void): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      for (const w of this.windows()) w.start(this.now());
      this.timer = setInterval(() => {
        this.polling ??= this.poll()
          .catch((err: unknown) => this.opts.onError?.(err))
          .finally(() => (this.polling = undefined));
      }, this.intervalMs);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Tells listeners of a deletion made through this node (other nodes' deletions show on reload). */
  publish(event: FeedEvent): void {
    for (const l of this.listeners) l(event);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.stop();
    await this.polling;
  }

  private windows(): { start(now: number): void; forget(): void }[] {
    return [this.created, this.deliveries, this.complaints];
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const w of this.windows()) w.forget();
  }

  async poll(): Promise<void> {
    const fresh = await this.created.next();
    const changedMessages = new Set([...(await this.deliveries.next()), ...(await this.complaints.next())].map((r) => r.messageId));
    const freshIds = new Set(fresh.map((m) => m.id));
    const ids = [...new Set([...freshIds, ...changedMessages])];
    if (ids.length === 0 || this.listeners.size === 0) return;
    // Oldest first, so a list that prepends ends newest on top.
    const summaries = (await this.opts.queries.summaries(ids)).reverse();
    for (const message of summaries) this.publish({ kind: freshIds.has(message.id) ? 'message' : 'status', message });
  }
}

/**
 * One kind of row the feed reads by time: where its next read starts (a look-back earlier, for late
 * commits) and what inside the look-back was already announced.
 */
class LookBackWindow<T> {
  private from = 0;
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly read: (since: number, limit: number) => Promise<T[]>,
    private readonly keyOf: (row: T) => string,
    private readonly timeOf: (row: T) => number,
    private readonly lookBackMs: number,
  ) {}

  start(now: number): void {
    this.from = now;
  }

  forget(): void {
    this.seen.clear();
  }

  /** The rows not announced before. */
  async next(): Promise<T[]> {
    const rows = await this.read(this.from - this.lookBackMs, ROWS_PER_POLL);
    const fresh = rows.filter((r) => !this.seen.has(this.keyOf(r)));
    for (const r of fresh) this.seen.set(this.keyOf(r), this.timeOf(r));
    const last = rows.at(-1);
    if (last && rows.length === ROWS_PER_POLL) this.from = this.timeOf(last) + this.lookBackMs;
    else if (last) this.from = Math.max(this.from, this.timeOf(last));
    for (const [key, at] of this.seen) if (at < this.from - this.lookBackMs) this.seen.delete(key);
    return fresh;
  }
}
