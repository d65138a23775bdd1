import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { ConsoleAuth, consoleGuessLimit, isLoopbackHost, namesLoopback, SESSION_COOKIE, type ConsoleSessions } from '../../../src/web/console-auth.js';
import { AuthFailureLimit } from '../../../src/net/auth-failure-limit.js';

/** Sessions as the console_sessions table keeps them. */
function sessionTable(): ConsoleSessions {
  const rows = new Map<string, number>();
  return {
    startSession: async (id, expiresAt) => void rows.set(id, expiresAt),
    sessionIsLive: async (id, now) => (rows.get(id) ?? 0) > now,
    endSession: async (id) => void rows.delete(id),
  };
}
const sessions = sessionTable();
const auth = (password: string, opts: { listensOnLoopback?: boolean; secureCookies?: boolean; guesses?: AuthFailureLimit } = {}) =>
  new ConsoleAuth({
    password,
    listensOnLoopback: opts.listensOnLoopback ?? true,
    secret: async () => 'stored-secret',
    secureCookies: opts.secureCookies,
    sessions,
    guesses: opts.guesses ?? consoleGuessLimit(),
  });
const withCookie = (value: string) => ({ headers: { cookie: `${SESSION_COOKIE}=${value}`, host: '127.0.0.1:8005' } }) as unknown as FastifyRequest;
const withBasic = (password: string, ip = '192.0.2.7') =>
  ({ ip, headers: { authorization: `Basic ${Buffer.from(`u:${password}`).toString('base64')}`, host: 'sesd.example' } }) as unknown as FastifyRequest;

describe('loopback', () => {
  it('is an address of 127.0.0.0/8, ::1 or localhost, not a name that starts with "127."', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['127.0.0.1.example.com', '0.0.0.0', 'example.com', '128.0.0.1']) expect(isLoopbackHost(host)).toBe(false);
  });

  it('is what a Host header must name for an open console (a rebound domain is refused)', () => {
    for (const host of ['127.0.0.1:8005', 'localhost:8005', 'LOCALHOST', 'app.localhost:8005', '[::1]:8005']) expect(namesLoopback(host)).toBe(true);
    for (const host of ['attacker.example:8005', '127.0.0.1.example.com', undefined]) expect(namesLoopback(host)).toBe(false);
    expect(namesLoopback('sesd.internal:8005', ['sesd.internal'])).toBe(true);
  });
});

describe('ConsoleAuth', () => {
  it('asks for the password whenever one is set, on loopback too', () => {
    expect(auth('').loginRequired).toBe(false);
    expect(auth('pw').loginRequired).toBe(true);
    expect(auth('pw', { listensOnLoopback: false }).loginRequired).toBe(true);
  });

  it('ends the sessions made under another password', async () => {
    const cookie = await auth('old').newSession();
    expect((await auth('old').access(withCookie(cookie))).ok).toBe(true);
    expect((await auth('new').access(withCookie(cookie))).ok).toBe(false);
  });

  it('ends a session at logout, for every copy of its cookie', async () => {
    const console = auth('pw');
    const cookie = await console.newSession();
    expect((await console.access(withCookie(cookie))).ok).toBe(true);
    await console.endSession(withCookie(cookie));
    expect((await console.access(withCookie(cookie))).ok).toBe(false);
  });

  it('stops looking at basic-auth passwords from an address that guessed wrong too often', async () => {
    let now = Date.now();
    const console = auth('pw', { guesses: new AuthFailureLimit({ maxFailures: 3, windowMs: 60_000, now: () => now }) });
    for (let i = 0; i < 3; i++) expect(await console.access(withBasic('guess'))).toEqual({ ok: false });
    expect(await console.access(withBasic('pw'))).toEqual({ ok: false, retryAfterS: expect.any(Number) });
    expect((await console.access(withBasic('pw', '192.0.2.8'))).ok).toBe(true);
    now += 60_000;
    expect((await console.access(withBasic('pw'))).ok).toBe(true);
  });

  it('marks the session cookie Secure behind an https public URL', () => {
    expect(auth('pw', { secureCookies: true }).sessionCookie('v')).toContain('; Secure;');
    expect(auth('pw').sessionCookie('v')).not.toContain('Secure');
  });
});
