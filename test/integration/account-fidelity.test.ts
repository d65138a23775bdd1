// The account operations' answers compared with real AWS answers, through the real SDK client on
// every database. Each case names where AWS's answer is recorded.
import { GetAccountCommand, PutAccountDetailsCommand, PutAccountSuppressionAttributesCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, sesv2Client, useSesd } from '../support/sesd.js';

describe.each(DIALECTS)('account operations as AWS answers them (%s)', (dialect) => {
  const sesd = useSesd(dialect);
  /** A client in a region of its own, so each case starts from a fresh account there. */
  const inRegion = (region: string): SESv2Client => sesv2Client(sesd.app, undefined, region);
  let fresh: SESv2Client;
  beforeAll(() => {
    fresh = inRegion('sa-east-1');
  });

  // floci-io/floci pull requests #853, #2265 and #2498 (verified against real AWS): a region never
  // configured answers SuppressedReasons BOUNCE and COMPLAINT, and no VdmAttributes or Details.
  it('answers GetAccount for a fresh region with the default suppression reasons and no VDM or details', async () => {
    const account = await fresh.send(new GetAccountCommand({}));
    expect(account.SuppressionAttributes).toEqual({ SuppressedReasons: ['BOUNCE', 'COMPLAINT'] });
    expect(account.EnforcementStatus).toBe('HEALTHY');
    expect(account).not.toHaveProperty('VdmAttributes');
    expect(account).not.toHaveProperty('Details');
  });

  // floci-io/floci pull request #2498 (verified against real AWS; its test sends "not a url").
  it("refuses a WebsiteURL that is no web address with BadRequestException 'Url contains invalid format' and records nothing", async () => {
    const ses = inRegion('eu-north-1');
    const refused = await awsFailure(ses.send(new PutAccountDetailsCommand({ MailType: 'TRANSACTIONAL', WebsiteURL: 'not a url' })));
    expect(refused).toEqual({ name: 'BadRequestException', message: 'Url contains invalid format', status: 400 });
    expect(await ses.send(new GetAccountCommand({}))).not.toHaveProperty('Details');
  });

  // floci-io/floci pull request #2498: the format is checked only once the model's constraints pass;
  // an empty WebsiteURL is the model's length error, not the format error.
  it("answers an empty WebsiteURL with the model's length constraint, not the format error", async () => {
    const refused = await awsFailure(fresh.send(new PutAccountDetailsCommand({ MailType: 'MARKETING', WebsiteURL: '' })));
    expect(refused).toMatchObject({ name: 'BadRequestException', status: 400 });
    // WebsiteURL is sensitive in the model: AWS does not echo its value (floci-io/floci#2498).
    expect(refused.message).toBe("1 validation error detected: Value at 'websiteURL' failed to satisfy constraint: Member must have length greater than or equal to 1");
  });

  // floci-io/floci pull request #853 (verified against real AWS, the message verbatim): an omitted
  // SuppressedReasons empties the list; a reason outside the enum names the list, not the value.
  it('treats an omitted SuppressedReasons as an empty list and refuses an unknown reason in AWS words', async () => {
    const ses = inRegion('me-south-1');
    expect(await awsFailure(ses.send(new PutAccountSuppressionAttributesCommand({ SuppressedReasons: ['BOUNCE', 'OTHER' as 'BOUNCE'] })))).toEqual({
      name: 'BadRequestException',
      message: "1 validation error detected: Value at 'suppressedReasons' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [BOUNCE, COMPLAINT]]",
      status: 400,
    });
    await ses.send(new PutAccountSuppressionAttributesCommand({}));
    expect((await ses.send(new GetAccountCommand({}))).SuppressionAttributes).toEqual({ SuppressedReasons: [] });
  });
});
