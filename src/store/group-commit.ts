// Group commit: concurrent writers share one transaction, and each waits for that commit.
// With synchronous=FULL (SQLite) or fsync (PostgreSQL) the cost of durability is paid once per
// batch instead of once per message, which is what lets the API answer fast and still never
// acknowledge a message that is not on disk.
import { isServiceUnavailable } from './availability.js';

interface Pending<T> {
  item: T;
  resolve(): void;
  reject(err: unknown): void;
}

export class GroupCommit<T> {
  private queue: Pending<T>[] = [];
  /** Flush loops running: each has at most one batch being written. */
  private loops = 0;
  /** A loop is to start on the next turn of the event loop. */
  private starting = false;

  private readonly maxBatch: number;
  private readonly batchesInFlight: number;

  /**
   * `batchesInFlight` (1): how many batches may be written at once. More than one suits a writer
   * that runs its batches one after the other without a round trip between them (the SQLite writer
   * thread): the next batch waits there rather than for the previous one's answer to reach this
   * event loop.
   */
  constructor(
    private readonly writeBatch: (items: T[]) => Promise<void>,
    opts: { maxBatch?: number; batchesInFlight?: number } = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 500;
    this.batchesInFlight = opts.batchesInFlight ?? 1;
  }

  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.starting && this.loops < this.batchesInFlight) {
        this.starting = true;
        // Start on the next turn of the event loop, not now: every writer that arrives in this turn
        // (requests already read from their sockets) joins the batch. With a synchronous driver
        // (better-sqlite3) a flush started at once would commit one message per fsync.
        setImmediate(() => {
          this.starting = false;
          this.loops++;
          void this.flush();
        });
      }
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await this.writeBatch(batch.map((p) => p.item));
          for (const p of batch) p.resolve();
        } catch (err) {
          // With the database down (or its disk full) every retry would fail the same way, each
          // after its own wait: answer the whole batch now.
          if (batch.length === 1 || isServiceUnavailable(err)) {
            for (const p of batch) p.reject(err);
            continue;
          }
          // One bad item must not fail its neighbours: retry each on its own.
          for (const p of batch) {
            try {
              await this.writeBatch([p.item]);
              p.resolve();
            } catch (itemErr) {
              p.reject(itemErr);
            }
          }
        }
      }
    } finally {
      this.loops--;
    }
  }
}
