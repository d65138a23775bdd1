// CPU beyond the server process, for the PostgreSQL rows of bench/send-email.ts: the CPU time of a
// set of processes (PostgreSQL's backends, which come and go) and the machine's idle share, from /proc.
import { readFileSync } from 'node:fs';
import { readProc } from './process-stats.js';

export interface MachineCpu {
  idleTicks: number;
  totalTicks: number;
}

/** All CPUs' ticks since boot (the `cpu` line of /proc/stat); undefined where /proc is missing. */
export function readMachineCpu(): MachineCpu | undefined {
  try {
    const line = /^cpu\s+(.*)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1];
    if (!line) return undefined;
    // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user/nice.
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    // iowait counts as idle: a CPU waiting for the disk could have run anything else.
    const idleTicks = idle! + (iowait ?? 0);
    return { idleTicks, totalTicks: user! + nice! + system! + idleTicks + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0) };
  } catch {
    return undefined;
  }
}

/** Share (0–1) of the machine's CPU time left idle between two readings. */
export function idleShare(start: MachineCpu | undefined, end: MachineCpu | undefined): number | undefined {
  if (!start || !end || end.totalTicks <= start.totalTicks) return undefined;
  return (end.idleTicks - start.idleTicks) / (end.totalTicks - start.totalTicks);
}

/** Ticks all CPUs spent busy between two readings. */
export function busyTicks(start: MachineCpu | undefined, end: MachineCpu | undefined): number | undefined {
  if (!start || !end) return undefined;
  return end.totalTicks - start.totalTicks - (end.idleTicks - start.idleTicks);
}

/** CPU ticks (user + system) of each of these processes now; those already gone are left out. */
export function cpuTicksOf(pids: readonly number[]): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    const p = readProc(pid);
    if (p) ticks.set(pid, p.cpuTicks);
  }
  return ticks;
}

/**
 * Ticks spent between two readings of cpuTicksOf: a process missing from the first started after it
 * (all its ticks count); one missing from the second exited meanwhile and its last ticks are lost.
 */
export function ticksBetween(start: Map<number, number>, end: Map<number, number>): number {
  let sum = 0;
  for (const [pid, ticks] of end) sum += ticks - (start.get(pid) ?? 0);
  return sum;
}

// A server still working off a window's load (Postfix's queue manager discarding the mail it
// queued: ~1–2 s of CPU; PostgreSQL's writers after a burst of inserts) took that CPU from the next
// window, whichever server it measured: the bench waits for it before the next one.
const SETTLE_MAX_MS = 15_000;
const CLK_TCK = 100; // /proc/<pid>/stat's time unit on Linux
const SETTLE_STEP_MS = 250;
const SETTLE_IDLE_CPU = 0.05; // of one core

/** Waits until these processes together use under 5% of a core (at most 15 s); resolves with the seconds it took. */
export async function settle(pids: () => readonly number[] | Promise<readonly number[]>): Promise<number> {
  const started = Date.now();
  const busy = async () => [...cpuTicksOf(await pids()).values()].reduce((a, b) => a + b, 0);
  while (Date.now() - started < SETTLE_MAX_MS) {
    const before = await busy();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_STEP_MS));
    if ((((await busy()) - before) / CLK_TCK) * (1000 / SETTLE_STEP_MS) < SETTLE_IDLE_CPU) break;
  }
  return (Date.now() - started) / 1000;
}
