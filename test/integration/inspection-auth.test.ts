// The inspection endpoints show mail: beyond loopback they need the console password; on loopback
// they answer only loopback host names (DNS rebinding), and a password set there is asked for too.
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { startSesd } from '../support/sesd.js';

let db: TestDatabase | undefined;
let app: RunningApp | undefined;
afterEach(async () => {
  await app?.close();
  await db?.drop();
  app = db = undefined;
});

/** A sesd on SQLite with `env`; its HTTP URL, reached over 127.0.0.1 wherever it listens. */
async function start(env: Record<string, string> = {}): Promise<string> {
  db = await createTestDatabase('sqlite');
  app = await startSesd(db, env);
  return app.httpUrl.replace('0.0.0.0', '127.0.0.1');
}

describe('inspection endpoints beyond loopback', () => {
  const beyondLoopback = (env: Record<string, string>) => start({ SESD_HTTP_HOST: '0.0.0.0', ...env });

  it('cannot be opened without SESD_CONSOLE_PASSWORD: sesd refuses to start', async () => {
    await expect(beyondLoopback({})).rejects.toThrow(/beyond loopback: set SESD_CONSOLE_PASSWORD/);
  });

  it('ask for the password and accept it (HTTP basic auth)', async () => {
    const url = await beyondLoopback({ SESD_CONSOLE_PASSWORD: 's3cret' });
    const none = await fetch(`${url}/_aws/ses`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Basic');
    const wrong = await fetch(`${url}/_aws/ses`, { headers: { authorization: `Basic ${Buffer.from('x:nope').toString('base64')}` } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${url}/_aws/ses`, { headers: { authorization: `Basic ${Buffer.from('any:s3cret').toString('base64')}` } });
    expect(right.status).toBe(200);
  });

  it('stop looking at passwords from an address after 10 wrong ones, on every endpoint that asks for it', async () => {
    const url = await beyondLoopback({ SESD_CONSOLE_PASSWORD: 's3cret' });
    const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`x:${password}`).toString('base64')}` });
    for (let i = 0; i < 10; i++) expect((await fetch(`${url}/_aws/ses`, { headers: basic(`guess${i}`) })).status).toBe(401);
    const locked = await fetch(`${url}/_aws/ses`, { headers: basic('s3cret') });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(((await locked.json()) as { message: string }).message).toMatch(/Too many wrong console passwords/);
    expect((await fetch(`${url}/_sesd/api/messages`, { headers: basic('s3cret') })).status).toBe(429);
    const login = await fetch(`${url}/_sesd/console/login`, { method: 'POST', body: 'password=s3cret', redirect: 'manual' });
    expect(login.status).toBe(429);
  });

  it('behind a trusted proxy (SESD_TRUST_PROXY), count each client by its X-Forwarded-For, so one guesser locks out only itself', async () => {
    const url = await beyondLoopback({ SESD_CONSOLE_PASSWORD: 's3cret', SESD_TRUST_PROXY: '127.0.0.1' });
    const from = (client: string, password: string) => ({ 'x-forwarded-for': client, authorization: `Basic ${Buffer.from(`x:${password}`).toString('base64')}` });
    for (let i = 0; i < 10; i++) expect((await fetch(`${url}/_aws/ses`, { headers: from('198.51.100.7', `guess${i}`) })).status).toBe(401);
    expect((await fetch(`${url}/_aws/ses`, { headers: from('198.51.100.7', 's3cret') })).status).toBe(429);
    expect((await fetch(`${url}/_aws/ses`, { headers: from('203.0.113.9', 's3cret') })).status).toBe(200);
  });
});

/** A GET with the Host header a browser sends for a page of `host` (fetch does not let a test set it). */
function getWithHost(url: string, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { headers: { host, accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('inspection and console on loopback', () => {
  it('answer only loopback host names without a password: a page that rebinds its domain to 127.0.0.1 is refused', async () => {
    const url = await start({ SESD_PUBLIC_URL: 'http://sesd.internal:8005' });
    const port = new URL(url).port;
    for (const path of ['/_aws/ses', '/_sesd/api/session', '/_sesd/api/messages', '/metrics']) {
      const foreign = await getWithHost(url, path, `attacker.example:${port}`);
      expect(foreign.status, path).toBe(403);
      expect(foreign.body).toContain('only under loopback names');
      expect((await getWithHost(url, path, `localhost:${port}`)).status, path).toBe(200);
    }
    // SESD_PUBLIC_URL's host is the operator's own name for this sesd.
    expect((await getWithHost(url, '/_aws/ses', 'sesd.internal:8005')).status).toBe(200);
  });

  it('ask for a password that is set, console included', async () => {
    const url = await start({ SESD_CONSOLE_PASSWORD: 's3cret' });
    expect((await fetch(`${url}/_sesd/api/messages`)).status).toBe(401);
    expect((await fetch(`${url}/_aws/ses`)).status).toBe(401);
    const basic = { authorization: `Basic ${Buffer.from('any:s3cret').toString('base64')}` };
    expect((await fetch(`${url}/_sesd/api/messages`, { headers: basic })).status).toBe(200);
    const home = await fetch(`${url}/_sesd/console/`, { redirect: 'manual' });
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toContain('login');
  });

  it('delete mail with DELETE /_aws/ses in capture mode only (elsewhere it is queued for delivery)', async () => {
    const url = await start({ SESD_DELIVERY_MODE: 'relay', SESD_RELAY_URL: 'smtp://127.0.0.1:9' });
    const res = await fetch(`${url}/_aws/ses`, { method: 'DELETE' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { message: string }).message).toContain('capture mode only');
  });
});
