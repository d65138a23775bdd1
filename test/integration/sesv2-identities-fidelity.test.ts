// SES v2 email identity operations answered as real SES answers them, through @aws-sdk/client-sesv2,
// on every database. Each expectation cites the recorded AWS answer it follows.
import {
  CreateEmailIdentityCommand,
  DeleteEmailIdentityCommand,
  GetEmailIdentityCommand,
  PutEmailIdentityFeedbackAttributesCommand,
} from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, sesv2Client, useSesd } from '../support/sesd.js';

describe.each(DIALECTS)('SES v2 identity fidelity (%s)', (dialect) => {
  const sesd = useSesd(dialect, { SESD_AUTO_VERIFY: 'false' });

  // floci-io/floci bd3a33326 (#716), checked with aws-cli against live AWS, and floci's
  // SesV2IntegrationTest.putFeedbackAttributes_notFound ("Real SES v2 returns BadRequestException (HTTP
  // 400) for an unknown identity on this endpoint"): the text SetIdentityFeedbackForwardingEnabled uses.
  it.each([true, false])('refuses PutEmailIdentityFeedbackAttributes (%s) for an unknown identity with BadRequestException in SES words', async (EmailForwardingEnabled) => {
    const ses = sesv2Client(sesd.app);
    expect(await awsFailure(ses.send(new PutEmailIdentityFeedbackAttributesCommand({ EmailIdentity: 'nobody@feedback.fidelity.example', EmailForwardingEnabled })))).toEqual({
      name: 'BadRequestException',
      message: 'Identity nobody@feedback.fidelity.example is invalid. Must be a verified email address or domain.',
      status: 400,
    });
  });

  // floci-io/floci 59faf568f (#723), each text checked with aws-cli against live SES v2.
  it('refuses DeleteEmailIdentity for an unknown identity with NotFoundException in SES words', async () => {
    const ses = sesv2Client(sesd.app);
    expect(await awsFailure(ses.send(new DeleteEmailIdentityCommand({ EmailIdentity: 'ghost-delete.fidelity.example' })))).toEqual({
      name: 'NotFoundException',
      message: 'Email identity ghost-delete.fidelity.example does not exist.',
      status: 404,
    });
  });

  // getmoto/moto#9771 quotes aws-cli against AWS: a new address identity, not yet verified.
  it('shows a new address identity as AWS does', async () => {
    const ses = sesv2Client(sesd.app);
    const created = await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'new@shape.fidelity.example' }));
    expect(created).toMatchObject({ IdentityType: 'EMAIL_ADDRESS', VerifiedForSendingStatus: false });
    expect(created.DkimAttributes).toBeUndefined();
    const { $metadata: _, ...shown } = await ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'new@shape.fidelity.example' }));
    expect(shown).toEqual({
      IdentityType: 'EMAIL_ADDRESS',
      FeedbackForwardingStatus: true,
      VerifiedForSendingStatus: false,
      DkimAttributes: expect.any(Object),
      MailFromAttributes: { BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' },
      Policies: {},
      Tags: [],
      VerificationStatus: 'PENDING',
      VerificationInfo: {},
    });
  });
});
