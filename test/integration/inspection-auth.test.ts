// The inspection endpoints show mail: beyond loopback they need the console password.
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { startSesd } from '../support/sesd.js';

describe('inspection endpoints beyond loopback', () => {
  let db: TestDatabase | undefined;
  let app: RunningApp | undefined;
  afterEach(async () => {
    await app?.close();
    await db?.drop();
  });

  async function start(env: Record<string, string>): Promise<string> {
    db = await createTestDatabase('sqlite');
    app = await startSesd(db, { SESD_HTTP_HOST: '0.0.0.0', ...env });
    return app.httpUrl.replace('0.0.0.0', '127.0.0.1');
  }

  it('cannot be opened without SESD_CONSOLE_PASSWORD: sesd refuses to start', async () => {
    await expect(start({})).rejects.toThrow(/beyond loopback: set SESD_CONSOLE_PASSWORD/);
  });

  it('ask for the password and accept it (HTTP basic auth)', async () => {
    const url = await start({ SESD_CONSOLE_PASSWORD: 's3cret' });
    const none = await fetch(`${url}/_aws/ses`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Basic');
    const wrong = await fetch(`${url}/_aws/ses`, { headers: { authorization: `Basic ${Buffer.from('x:nope').toString('base64')}` } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${url}/_aws/ses`, { headers: { authorization: `Basic ${Buffer.from('any:s3cret').toString('base64')}` } });
    expect(right.status).toBe(200);
  });
});
