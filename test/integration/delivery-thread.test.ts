// `sesd start` (role all) delivers in its own thread, at the configured lower CPU priority, and
// stops it with the app. On every database.
import { readdirSync, readFileSync } from 'node:fs';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { settled, startDeliverySesd } from '../support/delivery-sesd.js';
import { sesv2Client } from '../support/sesd.js';

const NICE = 7; // a value no other thread of the test process has

/** Nice values of this process's threads (Linux), or undefined where /proc has no per-thread view. */
function threadNiceValues(): number[] | undefined {
  try {
    // stat: "tid (comm) state ..."; nice is field 19, the 17th after the parenthesised name.
    return readdirSync('/proc/self/task').map((tid) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]));
  } catch {
    return undefined;
  }
}

describe.each(DIALECTS)('the delivery thread (%s)', (dialect) => {
  let db: TestDatabase;
  let app: RunningApp | undefined;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    app = await startDeliverySesd(db, { SESD_DELIVERY_THREAD_NICE: String(NICE) });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('delivers accepted mail, at the configured nice value, and ends with the app', async () => {
    // A mailbox simulator address: capture mode delivers other recipients at acceptance, the simulator's in the queue.
    const { MessageId } = await sesv2Client(app!).send(
      new SendEmailCommand({ FromEmailAddress: 'a@example.com', Destination: { ToAddresses: ['success@simulator.amazonses.com'] }, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } } }),
    );
    const { recipients, events } = await settled(app!, MessageId!);
    expect(recipients).toEqual([{ recipient: 'success@simulator.amazonses.com', status: 'delivered' }]);
    expect(events[1]!.payload.delivery).toMatchObject({ smtpResponse: '250 2.6.0 Message received' });

    const before = threadNiceValues();
    if (before === undefined) {
      console.log('skipped the nice check: no /proc/self/task on this system');
    } else {
      expect(before).toContain(NICE);
    }
    await app!.close();
    app = undefined;
    if (before !== undefined) expect(threadNiceValues()).not.toContain(NICE);
  });
});
