// sesd as a child process (the `sesd start` command under tsx), for tests that kill it.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const CLI = ['--import', 'tsx', join(import.meta.dirname, '../../src/cli/main.ts')];

export interface SesdProcess {
  child: ChildProcess;
  /** Empty for `--role worker`. */
  httpUrl: string;
  /** The STARTTLS submission listener, when on. */
  smtpUrl?: string;
  /** Waits for the process to exit (after a signal). */
  exited: Promise<void>;
  /** Its standard error so far (the log), up to the last megabyte. */
  stderr(): string;
  /** Its standard output so far (the start lines). */
  stdout(): string;
}

/** `opts.cwd`: where it runs (the default data dir is ./data there). */
export async function spawnSesd(env: Record<string, string>, timeoutMs = 30_000, opts: { cwd?: string } = {}): Promise<SesdProcess> {
  const child = spawn(process.execPath, [...CLI, 'start'], { cwd: opts.cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let seen = '';
  let errors = '';
  let log = '';
  child.stderr!.on('data', (c: Buffer) => {
    errors = (errors + c.toString()).slice(-4000);
    log = (log + c.toString()).slice(-1_000_000);
  });
  let smtpUrl: string | undefined;
  const httpUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sesd did not start: ${seen}\n${errors}`)), timeoutMs);
    child.stdout!.on('data', (c: Buffer) => {
      seen += c.toString();
      const http = /^sesd listening http=(\S+)/m.exec(seen);
      const worker = /^sesd delivery worker \S+ running/m.test(seen);
      if (http || worker) {
        smtpUrl = /^sesd listening .* smtp=(\S+)/m.exec(seen)?.[1];
        clearTimeout(timer);
        resolve(http ? http[1]! : '');
      }
    });
    child.once('exit', (code) => reject(new Error(`sesd exited with ${code}: ${seen}\n${errors}`)));
  });
  return { child, httpUrl, smtpUrl, exited, stderr: () => log, stdout: () => seen };
}
