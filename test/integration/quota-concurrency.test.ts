// The daily quota under concurrent sends: the check and the count are one atomic step, on one node
// and across two nodes sharing one database, on every database.
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { DEFAULT_ACCOUNT_SETTINGS } from '../../src/domain/account/account-settings.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { sesv2Client, startSesd } from '../support/sesd.js';

const ACCOUNT = '000000000000';

const send = (app: RunningApp, region: string, to = 'to@example.net') =>
  sesv2Client(app, undefined, region).send(
    new SendEmailCommand({
      FromEmailAddress: 'sender@example.com',
      Destination: { ToAddresses: [to] },
      Content: { Simple: { Subject: { Data: 'quota' }, Body: { Text: { Data: 'quota' } } } },
    }),
  );

/** How many of the calls succeeded; every refusal must be SES's daily-quota Throttling. */
async function accepted(calls: Promise<unknown>[]): Promise<number> {
  const results = await Promise.allSettled(calls);
  for (const r of results) {
    if (r.status === 'rejected') expect(r.reason).toMatchObject({ name: 'TooManyRequestsException', message: 'Daily message quota exceeded.' });
  }
  return results.filter((r) => r.status === 'fulfilled').length;
}

describe.each(DIALECTS)('sending quota under concurrency (%s)', (dialect) => {
  let db: TestDatabase;
  let node1: RunningApp;
  let node2: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    node1 = await startSesd(db);
    node2 = await startSesd(db);
  });
  afterAll(async () => {
    await node2?.close();
    await node1?.close();
    await db?.drop();
  });

  it('accepts exactly the 5 sends left of the 24-hour quota out of 30 concurrent SendEmail calls', async () => {
    const region = 'eu-west-1';
    await node1.store.accountSettings.put({ accountId: ACCOUNT, region }, { ...DEFAULT_ACCOUNT_SETTINGS, max24HourSend: 8 });
    for (let i = 0; i < 3; i++) await send(node1, region);
    expect(await accepted(Array.from({ length: 30 }, () => send(node1, region)))).toBe(5);
    expect(await node1.store.accountSettings.recipientsSince({ accountId: ACCOUNT, region }, 0)).toBe(8);
  });

  it('holds across two nodes on one database', async () => {
    const region = 'eu-central-1';
    await node1.store.accountSettings.put({ accountId: ACCOUNT, region }, { ...DEFAULT_ACCOUNT_SETTINGS, max24HourSend: 6 });
    const calls = Array.from({ length: 24 }, (_, i) => send(i % 2 ? node2 : node1, region));
    expect(await accepted(calls)).toBe(6);
    expect(await node2.store.accountSettings.recipientsSince({ accountId: ACCOUNT, region }, 0)).toBe(6);
  });

  it('still sends to the mailbox simulator over the daily quota, and refuses over the sending rate', async () => {
    const region = 'ap-south-1';
    await node1.store.accountSettings.put({ accountId: ACCOUNT, region }, { ...DEFAULT_ACCOUNT_SETTINGS, max24HourSend: 0 });
    await send(node1, region, 'success@simulator.amazonses.com');
    await expect(send(node1, region)).rejects.toMatchObject({ name: 'TooManyRequestsException', message: 'Daily message quota exceeded.' });
    await node1.store.accountSettings.put({ accountId: ACCOUNT, region }, { ...DEFAULT_ACCOUNT_SETTINGS, maxSendRate: 0 });
    await expect(send(node1, region)).rejects.toMatchObject({ name: 'TooManyRequestsException', message: 'Maximum sending rate exceeded.' });
  });
});
