// Builds the console's assets (dist/console) for tests that load its pages; `npm run build` does the
// same. Takes well under a second with esbuild.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export function buildConsole(): void {
  execFileSync(process.execPath, [join(import.meta.dirname, '..', '..', 'scripts', 'build-console.mjs')], { stdio: 'inherit' });
}
