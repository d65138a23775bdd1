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

// Rows read per poll; a burst larger than this moves the window on (a reload shows everything).
const ROWS_PER_POLL = 500;

export class ChangeFeed {
  private readonly listeners = new Set<(e: FeedEvent) => void>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private messagesFrom = 0;
  private deliveriesFrom = 0;
  private complaintsFrom = 0;
  /** What was already announced inside the look-back window: message ids, delivery id:updated:status. */
  private seenMessages = new Map<string, number>();
  private seenDeliveries = new Map<string, number>();
  private seenComplaints = new Map<string, number>();
  private readonly intervalMs: number;
  private readonly lookBackMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: ChangeFeedOptions) {
    this.intervalMs = opts.intervalMs ?? 500;
    this.lookBackMs = opts.lookBackMs ?? 5000;
    this.now = opts.now ?? Date.now;
  }

  subscribe(listener: (e: FeedEvent) => void): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.messagesFrom = this.deliveriesFrom = this.complaintsFrom = this.now();
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

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.seenMessages.clear();
    this.seenDeliveries.clear();
    this.seenComplaints.clear();
  }

  async poll(): Promise<void> {
    const q = this.opts.queries;
    const created = await q.messagesSince(this.messagesFrom - this.lookBackMs, ROWS_PER_POLL);
    const fresh = created.filter((m) => !this.seenMessages.has(m.id));
    for (const m of fresh) this.seenMessages.set(m.id, m.createdAt);
    if (created.length === ROWS_PER_POLL) this.messagesFrom = created.at(-1)!.createdAt + this.lookBackMs;
    else if (created.length) this.messagesFrom = Math.max(this.messagesFrom, created.at(-1)!.createdAt);

    const changed = await q.deliveryChangesSince(this.deliveriesFrom - this.lookBackMs, ROWS_PER_POLL);
    const changedMessages = new Set<string>();
    for (const d of changed) {
      const key = `${d.id}:${d.updatedAt}:${d.status}`;
      if (this.seenDeliveries.has(key)) continue;
      this.seenDeliveries.set(key, d.updatedAt);
      changedMessages.add(d.messageId);
    }
    if (changed.length === ROWS_PER_POLL) this.deliveriesFrom = changed.at(-1)!.updatedAt + this.lookBackMs;
    else if (changed.length) this.deliveriesFrom = Math.max(this.deliveriesFrom, changed.at(-1)!.updatedAt);

    const complaints = await q.complaintsSince(this.complaintsFrom - this.lookBackMs, ROWS_PER_POLL);
    for (const c of complaints) {
      if (this.seenComplaints.has(String(c.id))) continue;
      this.seenComplaints.set(String(c.id), c.createdAt);
      changedMessages.add(c.messageId);
    }
    if (complaints.length === ROWS_PER_POLL) this.complaintsFrom = complaints.at(-1)!.createdAt + this.lookBackMs;
    else if (complaints.length) this.complaintsFrom = Math.max(this.complaintsFrom, complaints.at(-1)!.createdAt);
    prune(this.seenMessages, this.messagesFrom - this.lookBackMs);
    prune(this.seenDeliveries, this.deliveriesFrom - this.lookBackMs);
    prune(this.seenComplaints, this.complaintsFrom - this.lookBackMs);

    const freshIds = new Set(fresh.map((m) => m.id));
    const ids = [...new Set([...freshIds, ...changedMessages])];
    if (ids.length === 0 || this.listeners.size === 0) return;
    // Oldest first, so a list that prepends ends newest on top.
    const summaries = (await q.summaries(ids)).reverse();
    for (const message of summaries) this.publish({ kind: freshIds.has(message.id) ? 'message' : 'status', message });
  }
}

function prune(seen: Map<string, number>, before: number): void {
  for (const [key, at] of seen) if (at < before) seen.delete(key);
}
