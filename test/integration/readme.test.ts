// The README's snippets, run as a new user would: after the README's first command (`npm start`
// in a fresh folder, here `sesd start` with a fresh ./data), every ```js and ```sh block works as it
// is. Only the ports change (the test's sesd listens on free ports, not 8005/2587); blocks that
// start sesd or develop it (npm start/install/test/run) are the test's own job; the AWS CLI block
// runs where `aws` is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSesd, type SesdProcess } from '../support/sesd-process.js';

const ROOT = join(import.meta.dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const HAS_AWS_CLI = spawnSync('aws', ['--version']).status === 0;

interface Snippet {
  lang: 'js' | 'sh';
  code: string;
  line: number;
}

function snippets(): Snippet[] {
  const out: Snippet[] = [];
  for (const m of README.matchAll(/^```(js|sh)\n([\s\S]*?)^```$/gm)) {
    const code = m[2]!;
    if (/\bnpm (start|install|test|run)\b/.test(code)) continue;
    out.push({ lang: m[1] as 'js' | 'sh', code, line: README.slice(0, m.index).split('\n').length });
  }
  return out;
}

/** Env without the developer's own AWS settings, so the snippets find only what the README says. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('SESD_')));
}

describe('the README', () => {
  // Inside the repository, so the snippets resolve its node_modules and `npx sesd` finds the project's bin.
  const dir = join(ROOT, '.tmp', `readme-${process.pid}-${Date.now()}`);
  let sesd: SesdProcess;
  let ports: { http: string; smtp: string };

  beforeAll(async () => {
    // `npx sesd` runs the built CLI, as after the README's `npm install`.
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--if-stale'], { stdio: 'inherit' });
    mkdirSync(dir, { recursive: true });
    sesd = await spawnSesd({ SESD_HTTP_PORT: '0', SESD_SMTP_PORT: '0', SESD_SMTPS_PORT: '0' }, 60_000, { cwd: dir });
    ports = { http: new URL(sesd.httpUrl).port, smtp: / smtp=smtp:\/\/127\.0\.0\.1:(\d+)/.exec(sesd.stdout())![1]! };
  }, 300_000);

  afterAll(async () => {
    sesd?.child.kill('SIGTERM');
    await sesd?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('has js and sh snippets to run', () => {
    const langs = snippets().map((s) => s.lang);
    expect(langs).toContain('js');
    expect(langs).toContain('sh');
  });

  it('prints the credentials file and the SMTP user at start', () => {
    expect(sesd.stdout()).toMatch(/^sesd credentials: data\/credentials, profile "sesd" \(key AKIA[A-Z2-7]{16}, account 000000000000\)/m);
    expect(sesd.stdout()).toContain(`export AWS_SHARED_CREDENTIALS_FILE=${join(dir, 'data', 'credentials')} AWS_PROFILE=sesd`);
  });

  for (const [i, snippet] of snippets().entries()) {
    const needsAws = /^\s*aws /m.test(snippet.code);
    it.skipIf(needsAws && !HAS_AWS_CLI)(`runs the ${snippet.lang} snippet at README.md line ${snippet.line} as it is`, () => {
      const code = snippet.code.replaceAll('127.0.0.1:8005', `127.0.0.1:${ports.http}`).replaceAll('port: 2587', `port: ${ports.smtp}`);
      const file = join(dir, `snippet-${i}.${snippet.lang === 'js' ? 'mjs' : 'sh'}`);
      writeFileSync(file, code);
      const run = spawnSync(snippet.lang === 'js' ? process.execPath : 'bash', snippet.lang === 'js' ? [file] : ['-euo', 'pipefail', file], {
        cwd: dir,
        env: cleanEnv(),
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      if (/SendEmailCommand|send-email/.test(snippet.code)) expect(run.stdout).toMatch(/01[0-9a-f]{14}-/);
      if (/sendMail/.test(snippet.code)) expect(run.stdout).toMatch(/^250 Ok 01[0-9a-f]{14}-/m);
      if (/smtp-password/.test(snippet.code) && snippet.lang === 'sh') expect(run.stdout).toMatch(/^B[A-Za-z0-9+/=]{40,}$/m);
    }, 90_000);
  }
});
