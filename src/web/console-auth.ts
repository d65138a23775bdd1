// Who may use the console and its API. On loopback it is open; bound anywhere else sesd needs
// SESD_CONSOLE_PASSWORD (it refuses to start without one) and the console asks for it in a login
// form, then keeps an HttpOnly, SameSite=Strict session cookie signed with a secret kept in
// `settings` (so every node accepts it). Scripts may send the password as HTTP basic auth instead.
// Every change (any method but GET/HEAD) also needs the CSRF token of its session in a header, and
// a cross-origin Origin header is refused outright.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'sesd_console';
export const CSRF_HEADER = 'x-sesd-csrf';
const SESSION_MS = 12 * 60 * 60 * 1000;

export interface ConsoleAuthOptions {
  password: string;
  listensOnLoopback: boolean;
  /** The signing secret (from `settings`). */
  secret: () => Promise<string>;
  now?: () => number;
}

/** sesd beyond loopback without a console password would show every message to anyone. */
export function assertConsoleProtected(host: string, password: string): void {
  if (!isLoopbackHost(host) && !password) {
    throw new Error(`the HTTP listener is bound to ${host}, beyond loopback: set SESD_CONSOLE_PASSWORD (the console and inspection endpoints show mail)`);
  }
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export type Access = { ok: true; session: string } | { ok: false };

export class ConsoleAuth {
  private readonly now: () => number;

  constructor(private readonly opts: ConsoleAuthOptions) {
    this.now = opts.now ?? Date.now;
  }

  get loginRequired(): boolean {
    return !this.opts.listensOnLoopback;
  }

  /** Who the request is: its session id ("open" on loopback, "basic" for basic auth), or refused. */
  async access(request: FastifyRequest): Promise<Access> {
    if (!this.loginRequired) return { ok: true, session: 'open' };
    const cookie = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (cookie) {
      const session = await this.verifySession(cookie);
      if (session) return { ok: true, session };
    }
    if (this.basicAuthMatches(request.headers.authorization)) return { ok: true, session: 'basic' };
    return { ok: false };
  }

  passwordMatches(given: string): boolean {
    return Boolean(this.opts.password) && equal(given, this.opts.password);
  }

  /** A new session cookie's value: expiry.nonce.signature. */
  async newSession(): Promise<string> {
    const body = `${this.now() + SESSION_MS}.${randomBytes(16).toString('base64url')}`;
    return `${body}.${await this.sign(body)}`;
  }

  sessionCookie(value: string): string {
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}`;
  }

  clearedCookie(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }

  async csrfToken(session: string): Promise<string> {
    return this.sign(`csrf:${session}`);
  }

  /** For changes: the Origin (when sent) is this server, and the CSRF header is the session's token. */
  async changeAllowed(request: FastifyRequest, session: string): Promise<boolean> {
    if (!fromOwnOrigin(request)) return false;
    const token = request.headers[CSRF_HEADER];
    return typeof token === 'string' && equal(token, await this.csrfToken(session));
  }

  private async verifySession(value: string): Promise<string | undefined> {
    const dot = value.lastIndexOf('.');
    if (dot < 0) return undefined;
    const body = value.slice(0, dot);
    if (!equal(value.slice(dot + 1), await this.sign(body))) return undefined;
    const expires = Number(body.split('.')[0]);
    return expires > this.now() ? body : undefined;
  }

  private basicAuthMatches(header: string | undefined): boolean {
    if (!header?.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    return this.passwordMatches(decoded.slice(decoded.indexOf(':') + 1));
  }

  private async sign(text: string): Promise<string> {
    return createHmac('sha256', await this.opts.secret()).update(text).digest('base64url');
  }
}

/** No Origin header (not a browser's cross-site request), or this server's own. */
export function fromOwnOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  return origin === undefined || origin === `http://${request.headers.host}` || origin === `https://${request.headers.host}`;
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Refuses a request the console may not serve; resolves to the session otherwise. */
export async function guard(auth: ConsoleAuth, request: FastifyRequest, reply: FastifyReply): Promise<string | undefined> {
  const access = await auth.access(request);
  if (!access.ok) {
    await reply.code(401).send({ message: 'Log in to the sesd console first (or send the console password as HTTP basic auth).' });
    return undefined;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD' && !(await auth.changeAllowed(request, access.session))) {
    await reply.code(403).send({ message: `Changes need the ${CSRF_HEADER} header from GET /_sesd/api/session, sent from the console's own origin.` });
    return undefined;
  }
  return access.session;
}
