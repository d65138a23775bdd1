// The account suppression list's Get and Delete read the address as SES does (answers recorded
// against SES v2 by floci-io/floci), through the real SDK client, on every database. (A review of
// templates, contact lists and this list against recorded answers found no other difference.)
import {
  DeleteSuppressedDestinationCommand,
  GetSuppressedDestinationCommand,
  PutSuppressedDestinationCommand,
  SendEmailCommand,
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

  // floci-io/floci#1350 (checked against SES v2 on 2026-06-15): only the domain is read in lower
  // case. The local part keeps its case: Foo@x and foo@x are two entries, each with its own reason.
  it('keeps the local part as given: its case makes another entry, the domain case does not', async () => {
    await ses.send(new PutSuppressedDestinationCommand({ EmailAddress: 'MixedCase@Example.COM', Reason: 'BOUNCE' }));
    const stored = await ses.send(new GetSuppressedDestinationCommand({ EmailAddress: 'MixedCase@EXAMPLE.com' }));
    expect(stored.SuppressedDestination).toMatchObject({ EmailAddress: 'MixedCase@example.com', Reason: 'BOUNCE' });
    expect(await awsFailure(ses.send(new GetSuppressedDestinationCommand({ EmailAddress: 'mixedcase@example.com' })))).toMatchObject({
      name: 'NotFoundException',
      message: 'Email address mixedcase@example.com does not exist on your suppression list.',
    });

    await ses.send(new PutSuppressedDestinationCommand({ EmailAddress: 'mixedcase@example.com', Reason: 'COMPLAINT' }));
    await ses.send(new PutSuppressedDestinationCommand({ EmailAddress: 'MixedCase@example.com', Reason: 'COMPLAINT' }));
    const reason = async (address: string) => (await ses.send(new GetSuppressedDestinationCommand({ EmailAddress: address }))).SuppressedDestination!.Reason;
    // The same domain in another case is the same entry: the last Put's reason.
    expect(await reason('MixedCase@Example.COM')).toBe('COMPLAINT');
    expect(await reason('mixedcase@example.com')).toBe('COMPLAINT');

    await ses.send(new DeleteSuppressedDestinationCommand({ EmailAddress: 'MixedCase@EXAMPLE.COM' }));
    expect((await awsFailure(ses.send(new GetSuppressedDestinationCommand({ EmailAddress: 'MixedCase@example.com' })))).name).toBe('NotFoundException');
    expect(await reason('mixedcase@example.com')).toBe('COMPLAINT');
  });

  it('suppresses a recipient whose address is the entry, its domain in any case, and not another local part case', async () => {
    await ses.send(new PutSuppressedDestinationCommand({ EmailAddress: 'Listed@example.net', Reason: 'BOUNCE' }));
    const sent = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'sender@example.org',
        Destination: { ToAddresses: ['Listed@EXAMPLE.net', 'listed@example.net'] },
        Content: { Simple: { Subject: { Data: 'case' }, Body: { Text: { Data: 'body' } } } },
      }),
    );
    const events = (await (await fetch(`${sesd.app.httpUrl}/_sesd/messages/${sent.MessageId}/events`)).json()) as { recipients: { recipient: string; status: string }[] };
    expect(events.recipients).toEqual([
      { recipient: 'Listed@EXAMPLE.net', status: 'suppressed' },
      { recipient: 'listed@example.net', status: 'delivered' },
    ]);
  });
});
