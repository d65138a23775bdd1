// Who may use the console and its API. On loopback without a password it is open, to requests that
// name a loopback host (a DNS-rebinding page's requests name its own domain); bound anywhere else
// sesd needs SESD_CONSOLE_PASSWORD (it refuses to start without one). With a password, wherever it
// listens, the console asks for it in a login form, then keeps an HttpOnly, SameSite=Strict (and,
// behind an https public URL, Secure) session cookie signed with a secret kept in `settings` (so
// every node accepts it) and the password (so a new password ends the old sessions). Scripts may
// send the password as HTTP basic auth instead.
// A session is also a row of `console_sessions`, so logging out ends it on every node even if its
// cookie was copied. Wrong passwords are counted per client address (consoleGuessLimit): after 10
// in 15 minutes the address is refused (429) until the window ends, on every endpoint that asks
// for the password. Per node, in memory: N nodes allow N times the guesses, still a few a minute.
// Every change (any method but GET/HEAD) also needs the CSRF token of its session in a header, and
// a cross-origin Origin header is refused outright.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthFailureLimit } from '../net/auth-failure-limit.js';

export const SESSION_COOKIE = 'sesd_console';
export const CSRF_HEADER = 'x-sesd-csrf';
const SESSION_MS = 12 * 60 * 60 * 1000;

/** Who may read what sesd holds (console, inspection, metrics, delivery logs): one rule for all. */
export interface ListenerAccess {
  /** SESD_CONSOLE_PASSWORD; required when not on loopback. */
  password: string;
  listensOnLoopback: boolean;
  /** Host names an open (passwordless, loopback) listener answers besides loopback's: SESD_PUBLIC_URL's. */
  allowedHosts?: readonly string[];
  /** Wrong passwords per client address, shared by every endpoint that asks for the password. */
  guesses: AuthFailureLimit;
}

/** A password a client gave: right, wrong, or not looked at because its address guessed too often. */
export type PasswordCheck = { result: 'right' } | { result: 'wrong' } | { result: 'locked'; retryAfterS: number };

/** Compares a password a client at `address` gave with the console password, counting wrong ones. */
export function checkPassword(access: ListenerAccess, address: string, given: string): PasswordCheck {
  const until = access.guesses.blockedUntil(address);
  if (until !== undefined) return { result: 'locked', retryAfterS: Math.max(1, Math.ceil((until - Date.now()) / 1000)) };
  if (access.password && equal(given, access.password)) return { result: 'right' };
  access.guesses.recordFailure(address);
  return { result: 'wrong' };
}

/** The console's limit: 10 wrong passwords per client address in 15 minutes (loopback included: the password guards it there too). */
export const consoleGuessLimit = (): AuthFailureLimit => new AuthFailureLimit({ maxFailures: 10, windowMs: 15 * 60 * 1000 });

/** The password of an HTTP basic Authorization header (any user name), if it is one. */
export function basicAuthPassword(header: string | undefined): string | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}

/** The answer to an address that guessed too often. */
export const lockedMessage = (retryAfterS: number): string =>
  `Too many wrong console passwords from this address: try again in ${Math.ceil(retryAfterS / 60)} minute(s).`;

/** The JSON endpoints' 429 to an address that guessed too often (the login form answers with its page). */
export const replyLocked = (reply: FastifyReply, retryAfterS: number): FastifyReply =>
  reply.code(429).header('retry-after', String(retryAfterS)).send({ message: lockedMessage(retryAfterS) });

/** Console sessions that have not ended (logout deletes one): store/console-queries.ts. */
export interface ConsoleSessions {
  startSession(id: string, expiresAt: number): Promise<void>;
  sessionIsLive(id: string, now: number): Promise<boolean>;
  endSession(id: string): Promise<void>;
}

/** Open: on loopback with no password set (sesd refuses to listen beyond loopback without one). */
export const isOpen = (access: ListenerAccess): boolean => access.listensOnLoopback && !access.password;

/** Whether the listener may answer a request with this Host: any when a password guards it, else only loopback names. */
export const hostAllowed = (access: ListenerAccess, hostHeader: string | undefined): boolean =>
  !isOpen(access) || namesLoopback(hostHeader, access.allowedHosts);

export interface ConsoleAuthOptions extends ListenerAccess {
  /** Session cookies only over https (the public URL is https). */
  secureCookies?: boolean;
  /** The signing secret (from `settings`). */
  secret: () => Promise<string>;
  sessions: ConsoleSessions;
  now?: () => number;
}

/** sesd beyond loopback without a console password would show every message to anyone. */
export function assertConsoleProtected(host: string, password: string): void {
  if (!isLoopbackHost(host) && !password) {
    throw new Error(`the HTTP listener is bound to ${host}, beyond loopback: set SESD_CONSOLE_PASSWORD (the console and inspection endpoints show mail)`);
  }
}

/** Whether a listener's host is loopback: localhost, ::1 or an address of 127.0.0.0/8 (not a name that starts with "127."). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Whether a request's Host header names loopback (localhost, *.localhost, 127.x.x.x, [::1]) or one of
 * `allowed`: what an open (passwordless) listener answers. A page that rebinds its own domain to
 * 127.0.0.1 reaches the listener with its domain in Host, and is refused.
 */
export function namesLoopback(hostHeader: string | undefined, allowed: readonly string[] = []): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.toLowerCase().replace(/:\d+$/, '');
  return isLoopbackHost(host) || host.endsWith('.localhost') || allowed.includes(host);
}

/** The refusal of an open listener's endpoint asked for under another name. */
export const FOREIGN_HOST_MESSAGE =
  'sesd answers its console and inspection endpoints without a password only under loopback names (localhost, 127.0.0.1, [::1]) or SESD_PUBLIC_URL\'s host; set SESD_CONSOLE_PASSWORD to use another name.';

export type Access = { ok: true; session: string } | { ok: false; retryAfterS?: number };

export class ConsoleAuth {
  private readonly now: () => number;

  constructor(private readonly opts: ConsoleAuthOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Whenever a password is set (sesd refuses to listen beyond loopback without one). */
  get loginRequired(): boolean {
    return !isOpen(this.opts);
  }

  /** Whether an open console may answer this request (its Host names loopback). */
  hostAllowed(request: FastifyRequest): boolean {
    return hostAllowed(this.opts, request.headers.host);
  }

  /** Who the request is: its session id ("open" on loopback, "basic" for basic auth), or refused. */
  async access(request: FastifyRequest): Promise<Access> {
    if (!this.loginRequired) return this.hostAllowed(request) ? { ok: true, session: 'open' } : { ok: false };
    const cookie = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (cookie) {
      const session = await this.verifySession(cookie);
      if (session) return { ok: true, session };
    }
    const given = basicAuthPassword(request.headers.authorization);
    if (given === undefined) return { ok: false };
    const check = checkPassword(this.opts, request.ip, given);
    if (check.result === 'right') return { ok: true, session: 'basic' };
    return check.result === 'locked' ? { ok: false, retryAfterS: check.retryAfterS } : { ok: false };
  }

  /** The login form's password, from a client at `address`. */
  checkPassword(address: string, given: string): PasswordCheck {
    return checkPassword(this.opts, address, given);
  }

  /** A new session (stored), as its cookie's value: expiry.nonce.signature. */
  async newSession(): Promise<string> {
    const expiresAt = this.now() + SESSION_MS;
    const nonce = randomBytes(16).toString('base64url');
    await this.opts.sessions.startSession(nonce, expiresAt);
    const body = `${expiresAt}.${nonce}`;
    return `${body}.${await this.sign(body)}`;
  }

  /** Ends the session of a request's cookie, if it has a valid one: the cookie no longer works anywhere. */
  async endSession(request: FastifyRequest): Promise<void> {
    const cookie = readCookie(request.headers.cookie, SESSION_COOKIE);
    const session = cookie && (await this.verifySession(cookie));
    if (session) await this.opts.sessions.endSession(session.slice(session.indexOf('.') + 1));
  }

  sessionCookie(value: string): string {
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict${this.opts.secureCookies ? '; Secure' : ''}; Max-Age=${SESSION_MS / 1000}`;
  }

  clearedCookie(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict${this.opts.secureCookies ? '; Secure' : ''}; Max-Age=0`;
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
    const [expires, nonce] = body.split('.');
    const now = this.now();
    return Number(expires) > now && nonce && (await this.opts.sessions.sessionIsLive(nonce, now)) ? body : undefined;
  }

  // Keyed by the password too: sessions made under an old password end with it.
  private async sign(text: string): Promise<string> {
    return createHmac('sha256', `${await this.opts.secret()}\u0000${this.opts.password}`).update(text).digest('base64url');
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
  if (!auth.hostAllowed(request)) {
    await reply.code(403).send({ message: FOREIGN_HOST_MESSAGE });
    return undefined;
  }
  const access = await auth.access(request);
  if (!access.ok && access.retryAfterS) {
    await replyLocked(reply, access.retryAfterS);
    return undefined;
  }
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
