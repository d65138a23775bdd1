// Builds the console (console/) into dist/console: one minified ES module bundled by esbuild (which
// tsx already brings), the page and the stylesheet. sesd serves these itself; nothing comes from a
// CDN. Prints the gzip size of what a browser downloads.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'console');
mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: [join(root, 'console', 'src', 'main.ts')],
  outfile: join(out, 'app.js'),
  write: false,
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2022',
  legalComments: 'none',
  logLevel: 'warning',
});
// Each file is replaced whole (written aside, then renamed), so a sesd starting meanwhile (tests
// build in parallel) never reads half a file.
const replace = (file, body) => {
  const aside = join(out, `.${file}.${process.pid}`);
  writeFileSync(aside, body);
  renameSync(aside, join(out, file));
};
replace('app.js', result.outputFiles[0].contents);
for (const file of ['index.html', 'style.css']) replace(file, readFileSync(join(root, 'console', file)));
if (process.argv.includes('--size')) {
  let total = 0;
  for (const file of ['index.html', 'style.css', 'app.js']) {
    const body = readFileSync(join(out, file));
    const gz = gzipSync(body, { level: 9 }).length;
    total += gz;
    console.log(`${file}: ${body.length} B, ${gz} B gzip`);
  }
  console.log(`console total: ${total} B gzip`);
}
