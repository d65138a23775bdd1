// Shared by the benchmarks: a server process's RSS and CPU time from /proc, and the number of
// messages a SQLite data dir holds (to prove every accepted message was stored).
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function readProc(pid: number): { rssKb: number; cpuTicks: number } | undefined {
  try {
    const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
    return rss ? { rssKb: Number(rss[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) } : undefined;
  } catch {
    return undefined;
  }
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
