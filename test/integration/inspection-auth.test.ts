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

  it('are off without SESD_CONSOLE_PASSWORD, while health still answers', async () => {
    const url = await start({});
    expect((await fetch(`${url}/_aws/ses`)).status).toBe(403);
    expect((await fetch(`${url}/_sesd/health`)).status).toBe(200);
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
