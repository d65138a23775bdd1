// The account suppression list's Get and Delete read the address as SES does (answers recorded
// against SES v2 by floci-io/floci), through the real SDK client, on every database. (A review of
// templates, contact lists and this list against recorded answers found no other difference.)
import {
  DeleteSuppressedDestinationCommand,
  GetSuppressedDestinationCommand,
  PutSuppressedDestinationCommand,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, sesv2Client, useSesd } from '../support/sesd.js';

describe.each(DIALECTS)('suppressed addresses as SES reads them (%s)', (dialect) => {
  const sesd = useSesd(dialect);
  let ses: SESv2Client;
  beforeAll(() => {
    ses = sesv2Client(sesd.app);
  });

  // floci-io/floci 944f82a6a (checked against SES v2): EmailAddress is trimmed on Put, Get and Delete.
  it('trims the address of GetSuppressedDestination and DeleteSuppressedDestination, as Put does', async () => {
    await ses.send(new PutSuppressedDestinationCommand({ EmailAddress: '  padded@example.com  ', Reason: 'COMPLAINT' }));
    const found = await ses.send(new GetSuppressedDestinationCommand({ EmailAddress: ' padded@example.com ' }));
    expect(found.SuppressedDestination).toMatchObject({ EmailAddress: 'padded@example.com', Reason: 'COMPLAINT' });
    await ses.send(new DeleteSuppressedDestinationCommand({ EmailAddress: ' padded@example.com ' }));
    expect((await awsFailure(ses.send(new GetSuppressedDestinationCommand({ EmailAddress: 'padded@example.com' })))).name).toBe('NotFoundException');
  });

  // floci-io/floci c267d3ae1 (checked against SES v2): the address is read trimmed, its domain in lower case.
  it('names the address it looked up, trimmed and with its domain in lower case, when it is not suppressed', async () => {
    expect(await awsFailure(ses.send(new GetSuppressedDestinationCommand({ EmailAddress: ' Nobody@Example.COM ' })))).toEqual({
      name: 'NotFoundException',
      message: 'Email address Nobody@example.com does not exist on your suppression list.',
      status: 404,
    });
    expect(await awsFailure(ses.send(new DeleteSuppressedDestinationCommand({ EmailAddress: 'Nobody@Example.COM ' })))).toEqual({
      name: 'NotFoundException',
      message: 'Email address Nobody@example.com does not exist on your suppression list.',
      status: 404,
    });
  });
});
