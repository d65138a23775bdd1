// Fills the filesystem of `dir` but for a few kB (fallocate, so it is instant), for full-disk tests.
// The space taken is retried a few times: a writer under load keeps using what is left.
import { execFileSync } from 'node:child_process';
import { rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

/** Fills the disk; returns a function that frees the space again. */
export function fillDisk(dir: string): () => void {
  const files: string[] = [];
  for (let i = 0; i < 20; i++) {
    const { bavail, bsize } = statfsSync(dir);
    const free = bavail * bsize;
    if (free <= 16 * 1024) break;
    const file = join(dir, `filler-${i}`);
    try {
      execFileSync('fallocate', ['-l', String(free - 8192), file], { stdio: 'pipe' });
      files.push(file);
    } catch {
      rmSync(file, { force: true }); // taken meanwhile: try again with what is left now
    }
  }
  return () => {
    for (const f of files) rmSync(f, { force: true });
  };
}
