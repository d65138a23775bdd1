// The data dir holds secrets (the database with access keys and DKIM private keys, the credentials
// file, the TLS key): it is created 0700, and one found open to others is closed down. On SQLite one
// `sesd start` owns it at a time: a lock file with the owner's pid; a lock whose process is gone
// (crash, kill -9, reboot) is taken over.
import { chmodSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';

export function prepareDataDir(dir: string): { tightened: boolean } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return { tightened: false };
  chmodSync(dir, 0o700);
  return { tightened: true };
}

export class LockedError extends Error {}

/** Takes the lock or throws LockedError naming the running owner; returns the release function. */
export function acquireLock(lockFile: string, what: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(lockFile, 'utf8').trim() === String(process.pid)) unlinkSync(lockFile);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processExists(owner)) {
      throw new LockedError(
        `another sesd (pid ${owner}) is running on ${what} (lock ${lockFile}). SQLite serves one sesd process: stop that one, use another SESD_DATA_DIR, or share a PostgreSQL database (SESD_DATABASE_URL) between nodes.`,
      );
    }
    // Stale: its process is gone (or it is our own pid, reused after a container restart).
    unlinkSync(lockFile);
  }
  throw new LockedError(`could not take the lock ${lockFile}: another sesd is starting on ${what}`);
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
