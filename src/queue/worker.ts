// A delivery worker: claims due recipients under a lease, hands each message's recipients at one
// domain to the deliverer together (they may share an SMTP transaction), and commits the outcome.
// Up to `concurrency` recipients are in flight; when the queue is empty it polls. A failure between
// claim and completion leaves the rows leased; the reaper returns them when the lease runs out.
import type { Logger } from 'pino';
import type { ClaimedDelivery, DeliveriesRepository, DeliveryUpdate, QueuedMessage } from '../store/deliveries-repository.js';

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
  private wake: (() => void) | undefined;
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
    this.wake?.();
    await this.loop;
    await Promise.all([...this.idle]);
  }

  private async run(): Promise<void> {
    while (this.running) {
      const free = this.opts.concurrency - this.inFlight;
      let claimed: ClaimedDelivery[] = [];
      if (free > 0) {
        try {
          claimed = await this.opts.deliveries.claim(this.opts.id, free, this.opts.leaseMs, this.now());
          if (claimed.length > 0) this.dispatch(claimed);
        } catch (err) {
          this.opts.log.error({ err }, 'claiming deliveries failed');
        }
      }
      // Go straight on while there is work and room; otherwise wait for a slot or the next poll.
      if (claimed.length === 0 || claimed.length >= free) await this.pause(claimed.length === 0 || free <= 0 ? this.opts.pollMs : 0);
    }
  }

  private dispatch(claimed: ClaimedDelivery[]): void {
    this.inFlight += claimed.length;
    const task = this.process(claimed).finally(() => {
      this.inFlight -= claimed.length;
      this.idle.delete(task);
      this.wake?.();
    });
    this.idle.add(task);
  }

  private async process(claimed: ClaimedDelivery[]): Promise<void> {
    let messages: Map<string, QueuedMessage>;
    try {
      messages = await this.opts.deliveries.messages([...new Set(claimed.map((c) => c.messageId))]);
    } catch (err) {
      this.opts.log.error({ err }, 'loading claimed messages failed');
      return;
    }
    const groups = new Map<string, ClaimedDelivery[]>();
    for (const c of claimed) {
      const key = `${c.messageId} ${c.recipient.slice(c.recipient.lastIndexOf('@') + 1).toLowerCase()}`;
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    await Promise.all(
      [...groups.values()].map(async (group) => {
        const message = messages.get(group[0]!.messageId);
        if (!message) return; // deleted meanwhile (DELETE /_aws/ses); its rows went with it
        const started = this.now();
        try {
          const updates = await this.opts.deliver(message, group);
          await this.opts.deliveries.complete(this.opts.id, updates, this.now());
          for (const u of updates) {
            this.opts.log.info({ messageId: message.id, deliveryId: u.deliveryId, status: u.status, response: u.lastResponse, ms: this.now() - started }, 'delivery attempt');
          }
        } catch (err) {
          this.opts.log.error({ err, messageId: message.id }, 'delivery attempt failed; the lease will return it');
        }
      }),
    );
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
