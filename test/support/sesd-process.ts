// sesd as a child process (the `sesd start` command under tsx), for tests that kill it or read its
// output (stdout: the start lines; stderr: the log).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const CLI = ['--import', 'tsx', join(import.meta.dirname, '../../src/cli/main.ts')];

export interface SesdProcess {
  child: ChildProcess;
  /** Empty for `--role worker`. */
  httpUrl: string;
  /** Waits for the process to exit (after a signal). */
  exited: Promise<void>;
}

export async function spawnSesd(env: Record<string, string>, timeoutMs = 30_000, opts: { cwd?: string; args?: string[] } = {}): Promise<SesdProcess & { stdout(): string; stderr(): string }> {
  const child = spawn(process.execPath, [...CLI, 'start', ...(opts.args ?? [])], { cwd: opts.cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let seen = '';
  let errors = '';
  child.stderr!.on('data', (c: Buffer) => (errors += c.toString()));
  const httpUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sesd did not start: ${seen}\n${errors.slice(-4000)}`)), timeoutMs);
    child.stdout!.on('data', (c: Buffer) => {
      seen += c.toString();
      const http = /^sesd listening http=(\S+)/m.exec(seen);
      const worker = /^sesd delivery worker \S+ running/m.test(seen);
      if (http || worker) {
        clearTimeout(timer);
        resolve(http ? http[1]! : '');
      }
    });
    child.once('exit', (code) => reject(new Error(`sesd exited with ${code}: ${seen}\n${errors.slice(-4000)}`)));
  });
  return { child, httpUrl, exited, stdout: () => seen, stderr: () => errors };
}
