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
const PG_CONNECTION_MESSAGES = /^Connection terminated|not queryable|timeout exceeded when trying to connect|the (SQLite|PostgreSQL) writer thread stopped/;

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

/**
 * How a background job (delivery, dispatchers, retention) logs a failure: an unavailable database is
 * logged once per outage by DatabaseHealth, so here only at debug, not a stack trace per poll.
 */
export function logBackgroundFailure(
  log: { debug(obj: object, msg: string): void; error(obj: object, msg: string): void },
  err: unknown,
  context: Record<string, unknown>,
  message: string,
): void {
  if (isServiceUnavailable(err)) log.debug({ ...context, error: (err as Error).message }, message);
  else log.error({ ...context, err }, message);
}

// While an outage lasts, how often it is reported again (with the count so far).
const REMIND_MS = 30_000;
// An outage is over once the database has answered and nothing has failed for this long: on a full
// disk reads still succeed between failing writes, and each must not start an outage of its own.
const QUIET_MS = 2_000;
const CHECK_MS = 500;

interface Outage {
  since: number;
  failures: number;
  lastFailure: number;
  lastSuccess: number;
  lastReport: number;
  timer: NodeJS.Timeout;
}

/**
 * Tracks outages of one database (its pool, or SQLite's connections) and logs each once: when it
 * starts (with the error), every 30 s while it lasts, and when the database answers again, with
 * how many operations failed meanwhile.
 */
export class DatabaseHealth {
  private outage: Outage | undefined;

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
    const now = this.now();
    if (this.outage) {
      this.outage.failures++;
      this.outage.lastFailure = now;
      return;
    }
    const timer = setInterval(() => this.check(), CHECK_MS);
    timer.unref();
    this.outage = { since: now, failures: 1, lastFailure: now, lastSuccess: 0, lastReport: now, timer };
    this.log?.error({ err }, 'database unavailable: requests are answered ServiceUnavailable until it recovers');
  }

  succeeded(): void {
    if (!this.outage) return;
    this.outage.lastSuccess = this.now();
    this.check();
  }

  close(): void {
    if (this.outage) clearInterval(this.outage.timer);
  }

  private check(): void {
    const o = this.outage;
    if (!o) return;
    const now = this.now();
    const since = new Date(o.since).toISOString();
    if (o.lastSuccess > o.lastFailure && now - o.lastFailure >= QUIET_MS) {
      this.outage = undefined;
      clearInterval(o.timer);
      const seconds = ((o.lastFailure - o.since) / 1000).toFixed(1);
      this.log?.warn({ failures: o.failures, since, seconds: Number(seconds) }, `database recovered after ${seconds} s; ${o.failures} operations failed meanwhile`);
    } else if (now - o.lastReport >= REMIND_MS) {
      o.lastReport = now;
      this.log?.error({ failures: o.failures, since }, `database unavailable since ${since}: ${o.failures} operations failed so far`);
    }
  }
}
