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
  private inFlight = 0;
  private scheduled = false;

  /**
   * `maxInFlight` batches may be committing at once. SQLite has one writer, so one is all it can
   * use. PostgreSQL commits concurrent transactions side by side: with one batch at a time, intake
   * waited for each batch's round trips in turn (measured: a node on PostgreSQL at a few hundred
   * sends/s with its server process mostly idle).
   */
  constructor(
    private readonly writeBatch: (items: T[]) => Promise<void>,
    private readonly maxBatch = 500,
    private readonly maxInFlight = 1,
  ) {}

  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  // A batch starts on the next turn of the event loop, not now: every writer that arrives in this
  // turn (requests already read from their sockets) joins it. With a synchronous driver
  // (better-sqlite3) a flush started at once would commit one message per fsync.
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.inFlight++;
    // Room for another batch: writers that arrive meanwhile need not wait for this one's commit.
    this.schedule();
    try {
      await this.writeBatch(batch.map((p) => p.item));
      for (const p of batch) p.resolve();
    } catch (err) {
      // With the database down (or its disk full) every retry would fail the same way, each
      // after its own wait: answer the whole batch now.
      if (batch.length === 1 || isServiceUnavailable(err)) {
        for (const p of batch) p.reject(err);
      } else {
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
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }
}
