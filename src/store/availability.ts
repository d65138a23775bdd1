// Which database failures mean "the database cannot be used right now" (a lost connection, the
// server down or restarting, a full disk, a lock held too long), as opposed to a fault in one
// request or in sesd. Those are answered ServiceUnavailable (HTTP 503, SMTP 451) so clients retry,
// and they are logged once per outage with a count, not once per request: on a full disk or with
// PostgreSQL down, thousands of requests fail the same way and one stack trace says it all.
import type { Logger } from 'pino';
import { AwsError, serviceUnavailable } from '../domain/errors.js';

// PostgreSQL SQLSTATEs: class 08 connection exception, 53 insufficient resources (disk full, out of
// memory, too many connections), 58 system error (I/O); 57P01-57P03 the server is shutting down,
// restarting or not yet accepting connections; 25006 a read-only server (a standby after failover).
const PG_UNAVAILABLE = /^(08|53|58)...$|^57P0[123]$|^25006$/;
// Node's socket errors, as pg reports an unreachable or vanished server.
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
// SQLite primary result codes (extended codes start with them: SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT).
const SQLITE_UNAVAILABLE = /^SQLITE_(FULL|BUSY|LOCKED|IOERR|CANTOPEN|READONLY|NOMEM|PROTOCOL)/;
// pg's own errors for a connection that died, or that could not be made in time, carry no code.
const PG_CONNECTION_MESSAGES = /^Connection terminated|not queryable|timeout exceeded when trying to connect|the SQLite writer thread stopped/;

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SOCKET_ERRORS.has(code) || SQLITE_UNAVAILABLE.test(code) || PG_UNAVAILABLE.test(code)) return true;
  }
  if (PG_CONNECTION_MESSAGES.test(err.message)) return true;
  // pg reports a host with several addresses (localhost: ::1 and 127.0.0.1) as an AggregateError.
  return err instanceof AggregateError && err.errors.some(isDatabaseUnavailable);
}

/** What callers get while the database is unavailable, with the database's error as its cause. */
function unavailableError(cause: unknown): AwsError {
  const err = serviceUnavailable();
  Object.defineProperty(err, 'cause', { value: cause, enumerable: false });
  return err;
}

export function isServiceUnavailable(err: unknown): boolean {
  return err instanceof AwsError && err.code === 'ServiceUnavailable';
}

// While an outage lasts, how often it is reported again (with the count so far).
const REMIND_MS = 30_000;

/**
 * Tracks outages of one database connection (pool) and logs each once: when it starts (with the
 * error), every 30 s while it lasts, and when the database answers again, with how many operations
 * failed meanwhile.
 */
export class DatabaseHealth {
  private outage: { since: number; failures: number; reminder: NodeJS.Timeout } | undefined;

  constructor(
    private readonly log: Logger | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  get available(): boolean {
    return this.outage === undefined;
  }

  /**
   * Turns a database error into what callers should see: an unavailable database becomes
   * ServiceUnavailable (and is counted); any other error is returned as it is.
   */
  translate(err: unknown): unknown {
    if (isServiceUnavailable(err)) return err;
    if (!isDatabaseUnavailable(err)) return err;
    this.failed(err);
    return unavailableError(err);
  }

  failed(err: unknown): void {
    if (this.outage) {
      this.outage.failures++;
      return;
    }
    const since = this.now();
    const reminder = setInterval(() => {
      if (this.outage) this.log?.error({ failures: this.outage.failures, since: new Date(this.outage.since).toISOString() }, `database unavailable since ${new Date(this.outage.since).toISOString()}: ${this.outage.failures} operations failed so far`);
    }, REMIND_MS);
    reminder.unref();
    this.outage = { since, failures: 1, reminder };
    this.log?.error({ err }, 'database unavailable: requests are answered ServiceUnavailable until it recovers');
  }

  succeeded(): void {
    if (!this.outage) return;
    const { since, failures, reminder } = this.outage;
    this.outage = undefined;
    clearInterval(reminder);
    const seconds = ((this.now() - since) / 1000).toFixed(1);
    this.log?.warn({ failures, since: new Date(since).toISOString(), seconds: Number(seconds) }, `database recovered after ${seconds} s; ${failures} operations failed meanwhile`);
  }

  close(): void {
    if (this.outage) clearInterval(this.outage.reminder);
  }
}
