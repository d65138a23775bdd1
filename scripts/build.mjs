#!/usr/bin/env node
// Compiles src/ into dist/ (tsc -p tsconfig.build.json) and the console into dist/console
// (scripts/build-console.mjs). With --if-stale (npm start's prestart) it
// compiles only when a source or build setting is newer than the last successful build, so a start
// with nothing changed costs a directory walk instead of a ~5 s compile. The stamp is written only
// after tsc succeeds: a failed build is retried at the next start.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');
const inputs = ['src', 'console', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestMtime(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted or renamed file changes its directory's mtime
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

if (process.argv.includes('--if-stale')) {
  const built = statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (Math.max(...inputs.map((p) => newestMtime(join(root, p)))) < built) process.exit(0);
  process.stderr.write('sesd: sources changed since the last build, compiling...\n');
}

// Sources saved while tsc runs must count as newer than this build.
const startedAt = new Date();
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
// package.json's bin: `npx sesd` in this folder runs the file itself, which tsc writes without the
// executable bit (npm sets it only on the copies it installs elsewhere).
chmodSync(join(root, 'dist', 'src', 'cli', 'main.js'), 0o755);
const consoleBuild = spawnSync(process.execPath, [join(root, 'scripts', 'build-console.mjs')], { stdio: 'inherit' });
if (consoleBuild.status !== 0) process.exit(consoleBuild.status ?? 1);
mkdirSync(dirname(stamp), { recursive: true });
writeFileSync(stamp, `${startedAt.toISOString()}\n`);
utimesSync(stamp, startedAt, startedAt);
