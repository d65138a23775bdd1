// `sesd start --role api` accepts and does not deliver; `sesd start --role worker` (another process
// on the same database) delivers what the API node accepted. In capture mode storing a message is
// its delivery, which the API node does at acceptance; the mailbox simulator's recipients are the
// queue's there too. On every database.
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { messageEvents, settled, startDeliverySesd } from '../support/delivery-sesd.js';
import { spawnSesd, type SesdProcess } from '../support/sesd-process.js';
import { sesv2Client } from '../support/sesd.js';

describe.each(DIALECTS)('api and worker roles (%s)', (dialect) => {
  let db: TestDatabase;
  let api: RunningApp;
  let worker: SesdProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    api = await startDeliverySesd(db, { SESD_ROLE: 'api' });
  });
  afterAll(async () => {
    worker?.child.kill('SIGTERM');
    await worker?.exited;
    await api?.close();
    await db?.drop();
  });

  it('delivers what the api node accepted once a worker node runs', async () => {
    const send = (to: string) =>
      sesv2Client(api).send(new SendEmailCommand({ FromEmailAddress: 'a@example.com', Destination: { ToAddresses: [to] }, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } } }));
    const captured = await send('b@example.net');
    const simulated = await send('success@simulator.amazonses.com');
    await new Promise((r) => setTimeout(r, 300));
    const atAcceptance = await messageEvents(api, captured.MessageId!);
    expect(atAcceptance.recipients).toEqual([{ recipient: 'b@example.net', status: 'delivered' }]);
    expect(atAcceptance.events[1]!.payload.delivery).toMatchObject({ smtpResponse: '250 captured', reportingMTA: 'sesd.test', processingTimeMillis: 0 });
    expect((await messageEvents(api, simulated.MessageId!)).recipients).toEqual([{ recipient: 'success@simulator.amazonses.com', status: 'queued' }]);

    worker = await spawnSesd({ SESD_ROLE: 'worker', SESD_DATA_DIR: db.dataDir, SESD_DATABASE_URL: db.databaseUrl, SESD_HOSTNAME: 'worker.test', SESD_QUEUE_POLL_INTERVAL: '20ms', SESD_LOG_LEVEL: 'error' });
    expect(worker.httpUrl).toBe('');
    const e = await settled(api, simulated.MessageId!);
    expect(e.events.map((x) => x.type)).toEqual(['Send', 'Delivery']);
    expect(e.events[1]!.payload.delivery).toMatchObject({ smtpResponse: '250 2.6.0 Message received', reportingMTA: 'worker.test' });
  });
});
