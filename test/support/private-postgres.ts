// A PostgreSQL cluster of a test's own (initdb in a temp dir, on a free port of 127.0.0.1), so a
// test can stop and start the server under a running sesd. PostgreSQL refuses to run as root: as
// root the cluster runs as the `postgres` user (runuser). Tests skip, with the reason, where no
// cluster can be made (no server binaries, no such user).
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrivatePostgres {
  url: string;
  port: number;
  start(): void;
  /** Stops the server at once (`pg_ctl stop -m fast`: sessions are terminated). */
  stop(): void;
  destroy(): void;
}

/** A running private cluster, or the reason none can be made here. */
export async function startPrivatePostgres(): Promise<PrivatePostgres | { unavailable: string }> {
  const bin = findBinaries();
  if (!bin) return { unavailable: 'no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb)' };
  const asRoot = process.getuid?.() === 0;
  let user: { uid: number; gid: number } | undefined;
  if (asRoot) {
    try {
      user = { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
    } catch {
      return { unavailable: 'running as root and there is no `postgres` user to run initdb as' };
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'sesd-pg-'));
  const data = join(dir, 'data');
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chmodSync(dir, 0o700);
  }
  const run = (cmd: string, args: string[]) =>
    execFileSync(user ? 'runuser' : cmd, user ? ['-u', 'postgres', '--', cmd, ...args] : args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  const port = await freePort();
  try {
    run(join(bin, 'initdb'), ['-D', data, '--auth=trust', '-U', 'postgres', '--no-sync']);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { unavailable: `initdb failed: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}` };
  }
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c max_connections=100`;
  const pg: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: () => void run(join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']),
    stop: () => void run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']),
    destroy: () => {
      try {
        pg.stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    pg.start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { unavailable: `pg_ctl start failed: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}` };
  }
  return pg;
}

function findBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((b) => existsSync(join(b, 'initdb')));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
