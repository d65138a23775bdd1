// A message as intake hands it to the store (NewMessage), for store and queue tests: one queued
// recipient and no events unless the test says otherwise.
import type { NewMessage } from '../../src/store/messages-repository.js';

export const newMessage = (id: string, overrides: Partial<NewMessage> = {}): NewMessage => ({
  id,
  accountId: '000000000000',
  region: 'us-east-1',
  sourceApi: 'sesv2',
  envelopeFrom: 'from@example.com',
  fromHeader: 'from@example.com',
  subject: 's',
  destination: { ToAddresses: ['a@example.net'] },
  configurationSet: null,
  tags: [],
  raw: Buffer.from(`Subject: ${id}\r\n\r\nbody\r\n`),
  createdAt: 1_700_000_000_000,
  recipients: [{ address: 'a@example.net', status: 'queued' }],
  events: [],
  ...overrides,
});

/** A Destination of these addresses, each a queued recipient. */
export const queuedTo = (addresses: string[]): Pick<NewMessage, 'destination' | 'recipients'> => ({
  destination: { ToAddresses: addresses },
  recipients: addresses.map((address) => ({ address, status: 'queued' })),
});
