// The console: `/` for a browser (a GET that asks for HTML, with no query and no AWS signature — a
// signed SES v1 `GET /?Action=...` still reaches the API), its built assets under /_sesd/console/
// (from dist/console, made by `npm run build`; nothing from a CDN), the login form when sesd listens
// beyond loopback, and the JSON API under /_sesd/api/ (web/api/).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FOREIGN_HOST_MESSAGE, fromOwnOrigin, lockedMessage, type ConsoleAuth } from './console-auth.js';

export const CONSOLE_PATH = '/_sesd/console';
const LOGIN_PATH = `${CONSOLE_PATH}/login`;

/** The console page may load only its own script, style and frames (the sandboxed preview). */
const PAGE_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/** dist/console of the package sesd runs from (src/web or dist/src/web are below its root). */
export function consoleAssetsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'dist', 'console');
}

export function registerConsoleRoutes(app: FastifyInstance, deps: { auth: ConsoleAuth; assetsDir?: string }): void {
  const { auth } = deps;
  const dir = deps.assetsDir ?? consoleAssetsDir();
  const assets = new Map<string, Buffer>();
  if (existsSync(dir)) for (const name of readdirSync(dir)) if (TYPES[extname(name)]) assets.set(name, readFileSync(join(dir, name)));

  const home = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!auth.hostAllowed(request)) return reply.code(403).type('text/plain').send(FOREIGN_HOST_MESSAGE);
    if (!(await auth.access(request)).ok) return reply.redirect(LOGIN_PATH, 303);
    const page = assets.get('index.html');
    if (!page) return reply.code(503).type('text/plain').send('The console is not built: run `npm run build` (it writes dist/console).');
    return reply.header('content-security-policy', PAGE_POLICY).header('cache-control', 'no-store').type(TYPES['.html']!).send(page);
  };

  // `/` belongs to the AWS APIs (http-listener.ts); only a browser's plain page load is the console's.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'GET' && request.url === '/' && !request.headers.authorization && (request.headers.accept ?? '').includes('text/html')) {
      await home(request, reply);
      return reply;
    }
  });
  app.get(`${CONSOLE_PATH}/`, home);

  app.get<{ Params: { file: string } }>(`${CONSOLE_PATH}/:file`, async (request, reply) => {
    const file = request.params.file;
    if (file === 'login') return loginPage(reply);
    const body = file === 'index.html' ? undefined : assets.get(file);
    if (!body) return reply.code(404).type('text/plain').send('Not found');
    return reply.header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').type(TYPES[extname(file)]!).send(body);
  });

  app.post(LOGIN_PATH, async (request, reply) => {
    if (!fromOwnOrigin(request)) return reply.code(403).send('Cross-origin login refused.');
    const form = new URLSearchParams(Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '');
    const check = auth.checkPassword(request.ip, form.get('password') ?? '');
    if (check.result === 'locked') {
      return loginPage(reply.code(429).header('retry-after', String(check.retryAfterS)), lockedMessage(check.retryAfterS));
    }
    if (check.result === 'wrong') {
      // A little slower for each wrong guess; other requests are not held up.
      await new Promise((r) => setTimeout(r, 300));
      return loginPage(reply.code(401), 'Wrong password.');
    }
    return reply.header('set-cookie', auth.sessionCookie(await auth.newSession())).redirect('/', 303);
  });

  app.post(`${CONSOLE_PATH}/logout`, async (request, reply) => {
    if (!fromOwnOrigin(request)) return reply.code(403).send('Cross-origin logout refused.');
    await auth.endSession(request);
    return reply.header('set-cookie', auth.clearedCookie()).redirect(LOGIN_PATH, 303);
  });
}

function loginPage(reply: FastifyReply, error?: string): FastifyReply {
  return reply
    .header('content-security-policy', PAGE_POLICY)
    .header('cache-control', 'no-store')
    .type(TYPES['.html']!)
    .send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>sesd console · log in</title><link rel="stylesheet" href="${CONSOLE_PATH}/style.css"></head>
<body class="login"><form method="post" action="${LOGIN_PATH}" class="card">
<h1>sesd console</h1>
<p>sesd listens beyond loopback: enter the console password (SESD_CONSOLE_PASSWORD).</p>
${error ? `<p class="error" role="alert">${error}</p>` : ''}
<label>Password <input type="password" name="password" autocomplete="current-password" autofocus required></label>
<button type="submit">Log in</button>
</form></body></html>`);
}
