// A delivery worker: claims due recipients under a lease, hands each message's recipients at one
// domain to the deliverer together (they may share an SMTP transaction), and commits the outcome.
// Up to `concurrency` recipients are in flight. It claims again once a quarter of the slots are free
// (a claim is a write transaction, too dear to make per recipient), and polls when the queue is
// empty. When the database is unavailable for a moment, recipients not yet attempted are given
// back at once and outcomes already known are written again until they are recorded (left leased,
// they waited the whole lease, 10 minutes by default, and were then sent a second time); what
// cannot be recorded before the worker stops stays leased, and the reaper returns it when the
// lease runs out.
import type { Logger } from 'pino';
import { isServiceUnavailable, logBackgroundFailure } from '../store/availability.js';
import type { ClaimedDelivery, DeliveriesRepository, DeliveryUpdate, QueuedMessage } from '../store/deliveries-repository.js';
import { WakeablePause } from '../wakeable-pause.js';

const RECORD_RETRY_FIRST_MS = 250;
const RECORD_RETRY_MAX_MS = 5_000;

export interface WorkerOptions {
  id: string;
  deliveries: DeliveriesRepository;
  deliver: (message: QueuedMessage, deliveries: ClaimedDelivery[]) => Promise<DeliveryUpdate[]>;
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  log: Logger;
  now?: () => number;
}

export class DeliveryWorker {
  private inFlight = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly pause = new WakeablePause();
  private readonly idle = new Set<Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly opts: WorkerOptions) {
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops claiming and waits for the recipients in flight to be completed. */
  async stop(): Promise<void> {
    this.running = false;
    this.pause.wake();
    await this.loop;
    await Promise.all([...this.idle]);
  }

  private async run(): Promise<void> {
    const threshold = Math.max(1, Math.ceil(this.opts.concurrency / 4));
    while (this.running) {
      const free = this.opts.concurrency - this.inFlight;
      if (free < threshold && this.inFlight > 0) {
        await this.pause.sleep(this.opts.pollMs);
        continue;
      }
      let claimed: ClaimedDelivery[] = [];
      try {
        claimed = await this.opts.deliveries.claim(this.opts.id, free, this.opts.leaseMs, this.now());
        if (claimed.length > 0) this.dispatch(claimed);
      } catch (err) {
        this.logFailure(err, {}, 'claiming deliveries failed');
      }
      // A short claim means the queue is drained for now.
      if (claimed.length < free) await this.pause.sleep(this.opts.pollMs);
    }
  }

  private dispatch(claimed: ClaimedDelivery[]): void {
    this.inFlight += claimed.length;
    const task = this.process(claimed).finally(() => this.idle.delete(task));
    this.idle.add(task);
  }

  /** Frees a recipient's slot as soon as its own group is done, not when the whole claim is. */
  private release(count: number): void {
    this.inFlight -= count;
    this.pause.wake();
  }

  private async process(claimed: ClaimedDelivery[]): Promise<void> {
    let messages: Map<string, QueuedMessage>;
    try {
      messages = await this.opts.deliveries.messages([...new Set(claimed.map((c) => c.messageId))]);
    } catch (err) {
      this.logFailure(err, {}, 'loading claimed messages failed');
      await this.opts.deliveries.release(this.opts.id, claimed.map((c) => c.id)).catch((e: unknown) => this.logFailure(e, {}, 'giving back claimed deliveries failed; the lease will return them'));
      this.release(claimed.length);
      return;
    }
    const groups = new Map<string, ClaimedDelivery[]>();
    for (const c of claimed) {
      // A recipient with its own copy of the message (list-managed mail) is sent that copy on its own.
      const key = c.raw ? `${c.messageId} #${c.id}` : `${c.messageId} ${c.recipient.slice(c.recipient.lastIndexOf('@') + 1).toLowerCase()}`;
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    await Promise.all(
      [...groups.values()].map(async (group) => {
        try {
          const message = messages.get(group[0]!.messageId);
          const own = group[0]!.raw;
          await this.deliverGroup(message && own ? { ...message, raw: own } : message, group);
        } finally {
          this.release(group.length);
        }
      }),
    );
  }

  private async deliverGroup(message: QueuedMessage | undefined, group: ClaimedDelivery[]): Promise<void> {
    if (!message) return; // deleted meanwhile (DELETE /_aws/ses); its rows went with it
    const started = this.now();
    try {
      const updates = await this.opts.deliver(message, group);
      await this.record(updates, started + this.opts.leaseMs / 2);
      for (const u of updates) {
        this.opts.log.info({ messageId: message.id, deliveryId: u.deliveryId, status: u.status, response: u.lastResponse, ms: this.now() - started }, 'delivery attempt');
      }
    } catch (err) {
      this.logFailure(err, { messageId: message.id }, 'delivery attempt failed; the lease will return it');
    }
  }

  /**
   * Commits outcomes, trying again while the database is unavailable and the worker runs, until
   * `deadline`: well inside the lease, so a recipient is never recorded after it was reclaimed.
   */
  private async record(updates: DeliveryUpdate[], deadline: number): Promise<void> {
    for (let pause = RECORD_RETRY_FIRST_MS; ; pause = Math.min(pause * 2, RECORD_RETRY_MAX_MS)) {
      try {
        return await this.opts.deliveries.complete(this.opts.id, updates, this.now());
      } catch (err) {
        if (!isServiceUnavailable(err) || !this.running || this.now() + pause > deadline) throw err;
        this.opts.log.debug({ error: (err as Error).message, retryInMs: pause }, 'recording delivery outcomes failed; trying again');
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  private logFailure(err: unknown, context: Record<string, unknown>, message: string): void {
    logBackgroundFailure(this.opts.log, err, context, message);
  }

}
