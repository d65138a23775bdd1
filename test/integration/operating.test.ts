// What an operator relies on, in-process on both databases: readiness, a drained shutdown, log lines
// that say why a request failed, and access keys managed by SESD_ACCESS_KEYS.
import { Writable } from 'node:stream';
import { GetAccountCommand, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { pino, type Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { awsFailure, sesv2Client, startSesd, TEST_KEY } from '../support/sesd.js';
import { authenticatedSession, smtpUrls } from '../support/smtp-client.js';

function memoryLog(): { lines: Record<string, unknown>[]; logger: pino.Logger } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: 'info', timestamp: pino.stdTimeFunctions.isoTime }, stream) };
}

describe.each(DIALECTS)('operating sesd (%s)', { timeout: 120_000 }, (dialect) => {
  let db: TestDatabase;
  let app: RunningApp | undefined;
  const start = (env: Record<string, string> = {}, log?: Logger) => startSesd(db, env, log);

  beforeEach(async () => {
    db = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await db.drop();
  }, 120_000);

  it('answers /_sesd/ready with each check, and 503 once shutting down', async () => {
    app = await start();
    // The delivery thread takes a moment to start: not ready until it runs.
    let ready = await fetch(`${app.httpUrl}/_sesd/ready`);
    for (let i = 0; i < 100 && ready.status !== 200; i++) {
      expect(await ready.json()).toMatchObject({ status: 'not ready', checks: { delivery: 'the delivery thread is not running' } });
      await new Promise((r) => setTimeout(r, 200));
      ready = await fetch(`${app.httpUrl}/_sesd/ready`);
    }
    expect(await ready.json()).toEqual({ status: 'ready', checks: { shutdown: 'ok', database: 'ok', delivery: 'ok', listeners: 'ok' } });
    expect((await fetch(`${app.httpUrl}/_sesd/health`)).status).toBe(200);

    // An SMTP session held open keeps the listeners draining, so the endpoint can be asked meanwhile.
    const session = await authenticatedSession(smtpUrls(app).smtp);
    const closing = app.close();
    app = undefined;
    const during = await fetch(`${new URL('/_sesd/ready', ready.url)}`, { headers: { connection: 'close' } }).catch(() => undefined);
    // Either sesd answers that it is shutting down, or it no longer accepts connections: never "ready".
    if (during) expect(during.status).toBe(503);
    session.destroy();
    await closing;
  });

  it('lets an SMTP transaction in flight finish when it shuts down, and refuses new commands', async () => {
    app = await start({ SESD_SHUTDOWN_TIMEOUT: '20s' });
    const session = await authenticatedSession(smtpUrls(app).smtp);
    expect((await session.command('MAIL FROM:<a@example.com>')).code).toBe(250);
    expect((await session.command('RCPT TO:<b@example.net>')).code).toBe(250);
    expect((await session.command('DATA')).code).toBe(354);
    session.write('From: a@example.com\r\nTo: b@example.net\r\nSubject: in flight\r\n\r\nbody\r\n');
    const running = app;
    const closing = running.close();
    app = undefined;
    await new Promise((r) => setTimeout(r, 200));
    session.write('.\r\n');
    const accepted = await session.reply();
    expect(accepted.code).toBe(250);
    expect((await session.command('MAIL FROM:<a@example.com>')).code).toBe(421);
    session.destroy();
    await closing;
    // The message was stored before the answer and survives the shutdown.
    app = await start();
    const [message] = await app.store.messages.list({ id: /^Ok (\S+)/.exec(accepted.text)![1] });
    expect(message?.subject).toBe('in flight');
  });

  it('logs a refused request with its operation, error code, message and access key id, and where the keys are for an unknown key', async () => {
    const { lines, logger } = memoryLog();
    app = await start({}, logger);
    await awsFailure(
      sesv2Client(app).send(new SendEmailCommand({ FromEmailAddress: 'not an address', Destination: { ToAddresses: ['b@example.net'] }, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } } })),
    );
    const invalid = lines.find((l) => l.msg === 'request' && l.status === 400)!;
    expect(invalid).toMatchObject({ operation: 'SendEmail', accessKeyId: TEST_KEY.accessKeyId, error: expect.any(String), errorMessage: expect.any(String) });
    expect(String(invalid.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const unknown = await awsFailure(sesv2Client(app, { accessKeyId: 'AKIDNOSUCHKEY0000000', secretAccessKey: 'x'.repeat(40) }).send(new GetAccountCommand({})));
    expect(unknown.name).toBe('UnrecognizedClientException');
    const line = lines.find((l) => l.accessKeyId === 'AKIDNOSUCHKEY0000000')!;
    expect(line).toMatchObject({ operation: 'GetAccount', status: 403, error: 'UnrecognizedClientException', hint: expect.stringContaining('SESD_ACCESS_KEYS') });
    expect(JSON.stringify(lines)).not.toContain(TEST_KEY.secretAccessKey);
  });

  it('removes a key dropped from SESD_ACCESS_KEYS at the next start, and leaves keys made by hand', async () => {
    app = await start({ SESD_ACCESS_KEYS: `${TEST_KEY.accessKeyId}:${TEST_KEY.secretAccessKey},AKIDDROPPED:dropped-secret` });
    await app.store.accounts.putAccessKey({ accessKeyId: 'AKIDBYHAND', secretAccessKey: 'by-hand', accountId: '000000000000' }, 'cli');
    await app.close();
    app = await start({ SESD_ACCESS_KEYS: `${TEST_KEY.accessKeyId}:${TEST_KEY.secretAccessKey}` });
    expect(app.keys.removed).toEqual(['AKIDDROPPED']);
    const keys = await app.store.accounts.listAccessKeys();
    expect(keys.map((k) => [k.accessKeyId, k.source]).sort()).toEqual([
      ['AKIDBYHAND', 'cli'],
      [TEST_KEY.accessKeyId, 'env'],
    ]);
    const refused = await awsFailure(sesv2Client(app, { accessKeyId: 'AKIDDROPPED', secretAccessKey: 'dropped-secret' }).send(new GetAccountCommand({})));
    expect(refused.name).toBe('UnrecognizedClientException');
  });
});
