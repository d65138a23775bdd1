// Fits the listeners' connection limits into the process's open-files limit (`ulimit -n`), with a
// reserve for what else holds descriptors: database connections and files, DNS, outgoing SMTP,
// worker threads, logs. Node raises the soft limit to the hard one at start by itself, so the
// limit read here is already the most the process can have.
import { readFileSync } from 'node:fs';

/** Descriptors kept for everything but the listeners' client connections. */
export const BASE_RESERVE = 256;

export interface ConnectionBudgets {
  http: number;
  smtp: number;
}

/** The soft open-files limit from /proc/self/limits (Linux); undefined where unknown or unlimited. */
export function openFilesLimit(limitsText: string | undefined = readProcLimits()): number | undefined {
  const line = limitsText?.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
}

function readProcLimits(): string | undefined {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The budgets as configured when they fit in `limit` with `reserve` to spare; else both shrunk in
 * proportion. Throws when even the smallest useful budgets do not fit.
 */
export function fitBudgets(wanted: ConnectionBudgets, limit: number | undefined, reserve: number): ConnectionBudgets & { shrunk: boolean } {
  if (limit === undefined) return { ...wanted, shrunk: false };
  const available = limit - reserve;
  const total = wanted.http + wanted.smtp;
  if (total <= available) return { ...wanted, shrunk: false };
  if (available < 2 * MIN_BUDGET) {
    throw new Error(`the open-files limit (ulimit -n) is ${limit}: too low for sesd, which keeps ${reserve} for its own use; raise it (e.g. LimitNOFILE=65536 in a systemd unit)`);
  }
  const scale = (n: number) => Math.max(MIN_BUDGET, Math.floor((n * available) / total));
  return { http: scale(wanted.http), smtp: scale(wanted.smtp), shrunk: true };
}

const MIN_BUDGET = 16;
