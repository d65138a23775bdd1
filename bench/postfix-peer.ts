// Postfix as the peer of the benchmarks: a private Postfix instance (its own config and queue in a
// directory under /tmp). bench/delivery.ts has it relay to the same sink sesd delivers to, fed by
// Postfix's own smtp-source, and measures from the first injected message to the last one the sink
// received; bench/smtp.ts drives its smtpd with the client it drives sesd with.
//
// Needs Debian's postfix package (`apt-get install postfix`; smtp-source comes with it) and root.
// Postfix only starts an instance whose directory the default main.cf lists in
// alternate_config_directories; the script adds it there (creating /etc/postfix/main.cf if absent).
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';

export type PostfixResult = { rate: number; received: number } | { skipped: string };

const DIR = '/tmp/sesd-bench-postfix';

// Every service Postfix needs, none chrooted (the directory has no chroot jail).
const MASTER_CF = (port: number) => `127.0.0.1:${port} inet n - n - - smtpd
pickup    unix n - n 60 1 pickup
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
`;

export interface PostfixInstance {
  port: number;
  /** Pids of the instance's processes now (master and its children), for CPU accounting. */
  pids(): number[];
  stop(): void;
}

/**
 * Starts a private Postfix instance in `dir` (its own config and queue) whose smtpd listens on a
 * free loopback port and accepts mail from 127.0.0.0/8 for any domain; `settings` are further
 * main.cf lines (where accepted mail goes).
 */
export async function startPostfix(dir: string, settings: string[]): Promise<PostfixInstance | { skipped: string }> {
  if (!existsSync('/usr/sbin/postfix')) return { skipped: 'postfix is not installed (apt-get install postfix)' };
  if (process.getuid?.() !== 0) return { skipped: 'a private Postfix instance needs root' };
  const port = await freePort();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(`${dir}/queue`, { recursive: true });
  mkdirSync(`${dir}/data`, { recursive: true });
  chownSync(`${dir}/data`, Number(execFileSync('id', ['-u', 'postfix']).toString()), 0);
  allowConfigDirectory(dir);
  writeFileSync(
    `${dir}/main.cf`,
    [
      'compatibility_level = 3.6',
      `queue_directory = ${dir}/queue`,
      `data_directory = ${dir}/data`,
      'mail_owner = postfix',
      'setgid_group = postdrop',
      'myhostname = postfix.bench',
      'mydestination =',
      'inet_interfaces = loopback-only',
      'inet_protocols = ipv4',
      'mynetworks = 127.0.0.0/8',
      'biff = no',
      `maillog_file = ${dir}/maillog`,
      `maillog_file_prefixes = ${dir}`,
      'smtpd_client_connection_count_limit = 0',
      'smtpd_client_connection_rate_limit = 0',
      'in_flow_delay = 0',
      ...settings,
    ].join('\n') + '\n',
  );
  writeFileSync(`${dir}/master.cf`, MASTER_CF(port));
  const postfix = (action: string) => execFileSync('/usr/sbin/postfix', ['-c', dir, action], { stdio: 'pipe' });
  const stop = () => {
    try {
      postfix('stop');
    } catch {
      // not running
    }
  };
  try {
    postfix('start');
    await waitForPort(port);
  } catch (err) {
    stop();
    return { skipped: `Postfix did not run (see ${dir}/maillog): ${(err as Error).message.split('\n')[0]}` };
  }
  return { port, pids: () => instancePids(dir), stop };
}

/** `sessions`: smtp-source's concurrent sessions into smtpd (20 unless told). */
export async function benchPostfix(count: number, sinkPort: number, received: () => number, sessions = 20): Promise<PostfixResult> {
  if (!existsSync('/usr/sbin/smtp-source')) return { skipped: 'postfix is not installed (apt-get install postfix)' };
  const instance = await startPostfix(DIR, [
    `relayhost = [127.0.0.1]:${sinkPort}`,
    'smtp_tls_security_level = none',
    'smtpd_tls_security_level = none',
    'default_destination_concurrency_limit = 20',
  ]);
  if ('skipped' in instance) return instance;
  try {
    const before = received();
    const started = performance.now();
    // ~2 KB messages, like sesd's run.
    const source = spawnSync('/usr/sbin/smtp-source', ['-c', '-s', String(sessions), '-m', String(count), '-l', '2000', '-f', 'bench@example.com', '-t', 'to@example.net', `127.0.0.1:${instance.port}`], { stdio: 'pipe' });
    if (source.status !== 0) return { skipped: `smtp-source failed: ${source.stderr.toString().trim()}` };
    const deadline = Date.now() + 120_000;
    while (received() - before < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return { rate: count / ((performance.now() - started) / 1000), received: received() - before };
  } finally {
    instance.stop();
  }
}

/** The master process (its pid file) and every process whose parent it is. */
function instancePids(dir: string): number[] {
  let master: number;
  try {
    master = Number(readFileSync(`${dir}/queue/pid/master.pid`, 'utf8').trim());
  } catch {
    return [];
  }
  const children = spawnSync('pgrep', ['-P', String(master)], { stdio: 'pipe' }).stdout.toString().split('\n').filter(Boolean).map(Number);
  return [master, ...children];
}

/** Adds `dir` to the default main.cf's alternate_config_directories, keeping the ones listed. */
function allowConfigDirectory(dir: string): void {
  const main = '/etc/postfix/main.cf';
  const current = existsSync(main) ? readFileSync(main, 'utf8') : 'compatibility_level = 3.6\n';
  const listed = /^alternate_config_directories\s*=(.*)$/m.exec(current)?.[1]?.split(/[\s,]+/).filter(Boolean) ?? [];
  if (listed.includes(dir)) return;
  const value = [...listed, dir].join(' ');
  process.stderr.write(`bench: adding ${dir} to alternate_config_directories in ${main}\n`);
  if (existsSync(main)) execFileSync('/usr/sbin/postconf', ['-e', `alternate_config_directories = ${value}`]);
  else writeFileSync(main, `${current}alternate_config_directories = ${value}\n`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Postfix did not listen on ${port}`);
}
