// Shared by the benchmarks: a server process's RSS and CPU time from /proc, and the number of
// messages a SQLite data dir holds (to prove every accepted message was stored).
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function readProc(pid: number): { rssKb: number; cpuTicks: number } | undefined {
  try {
    const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return rss ? { rssKb: Number(rss[1]), cpuTicks: statTicks(`/proc/${pid}/stat`) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU ticks (user + system) of a process's main thread (its task whose id is the pid): in a Node.js
 * server, the thread that reads, parses and answers every request, so a share near one core says
 * that thread is the limit, whatever the other threads and the machine have left. Undefined where
 * /proc is missing or the process is gone.
 */
export function readMainThreadTicks(pid: number): number | undefined {
  try {
    return statTicks(`/proc/${pid}/task/${pid}/stat`);
  } catch {
    return undefined;
  }
}

function statTicks(file: string): number {
  const stat = readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
  return Number(fields[11]) + Number(fields[12]);
}

export async function countSqliteMessages(dataDir: string): Promise<number> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path.join(dataDir, 'sesd.db'), { readonly: true, fileMustExist: true });
  try {
    return Number((db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n);
  } finally {
    db.close();
  }
}
