// SES v1 identity actions answered as real SES answers them, through @aws-sdk/client-ses, on every
// database. Each expectation cites the recorded AWS answer it follows.
import {
  GetIdentityPoliciesCommand,
  ListIdentityPoliciesCommand,
  PutIdentityPolicyCommand,
  SetIdentityHeadersInNotificationsEnabledCommand,
  VerifyDomainIdentityCommand,
  VerifyEmailIdentityCommand,
  GetIdentityNotificationAttributesCommand,
} from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, sesClient, useSesd } from '../support/sesd.js';

const POLICY = '{"Version":"2012-10-17","Statement":[]}';

describe.each(DIALECTS)('SES v1 identity fidelity (%s)', (dialect) => {
  const sesd = useSesd(dialect);

  // floci-io/floci bd3a33326 (#716): aws-cli against live AWS got InvalidParameterValue with this
  // operation's own text (LocalStack's unvalidated snapshot says MessageRejected; see docs/compatibility.md).
  it.each(['Bounce', 'Complaint', 'Delivery'] as const)('refuses SetIdentityHeadersInNotificationsEnabled (%s) for an unknown identity in its own words', async (NotificationType) => {
    const ses = sesClient(sesd.app);
    expect(await awsFailure(ses.send(new SetIdentityHeadersInNotificationsEnabledCommand({ Identity: 'unknown@example.com', NotificationType, Enabled: true })))).toEqual({
      name: 'InvalidParameterValue',
      message: 'Identity unknown@example.com is invalid. It must be a verified email address or domain.',
      status: 400,
    });
  });

  // LocalStack tests/aws/services/ses/test_ses.snapshot.json,
  // test_set_identity_headers_in_notifications_enabled_success: 200 for a known
  // identity, and again (idempotent) with the same value.
  it('sets headers in notifications for a known identity, twice alike', async () => {
    const ses = sesClient(sesd.app);
    await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'headers@fidelity.example' }));
    for (let i = 0; i < 2; i++) await ses.send(new SetIdentityHeadersInNotificationsEnabledCommand({ Identity: 'headers@fidelity.example', NotificationType: 'Delivery', Enabled: true }));
    const attributes = (await ses.send(new GetIdentityNotificationAttributesCommand({ Identities: ['headers@fidelity.example'] }))).NotificationAttributes!;
    expect(attributes['headers@fidelity.example']).toMatchObject({ HeadersInDeliveryNotificationsEnabled: true, HeadersInBounceNotificationsEnabled: false });
  });

  // floci-io/floci#1750 (checked against real AWS; floci's SesPolicyService.validatePolicyName): SES's
  // words for a policy name with characters outside letters, digits, '-' and '_'.
  it('refuses a policy name with a space in SES words', async () => {
    const ses = sesClient(sesd.app);
    await ses.send(new VerifyDomainIdentityCommand({ Domain: 'policy-name.fidelity.example' }));
    expect(await awsFailure(ses.send(new PutIdentityPolicyCommand({ Identity: 'policy-name.fidelity.example', PolicyName: 'bad name', Policy: POLICY })))).toEqual({
      name: 'InvalidParameterValue',
      message: 'PolicyName is invalid. Policy names must only include alpha-numeric characters, dashes, and underscores.',
      status: 400,
    });
  });

  // floci-io/floci#1750 (checked against real AWS; floci's SesPolicyService.enforcePolicyLimit): at
  // most 20 policies on an identity; a 21st is refused, replacing one of the 20 is not.
  it('keeps at most 20 policies on an identity', async () => {
    const ses = sesClient(sesd.app);
    const Identity = 'limit.fidelity.example';
    await ses.send(new VerifyDomainIdentityCommand({ Domain: Identity }));
    for (let i = 1; i <= 20; i++) await ses.send(new PutIdentityPolicyCommand({ Identity, PolicyName: `p${i}`, Policy: POLICY }));
    expect(await awsFailure(ses.send(new PutIdentityPolicyCommand({ Identity, PolicyName: 'p21', Policy: POLICY })))).toEqual({
      name: 'InvalidParameterValue',
      message: `Number of policies for <${Identity}> exceeds max allowed number of policies per resource`,
      status: 400,
    });
    const replaced = '{"Version":"2012-10-17","Statement":[{"Sid":"again"}]}';
    await ses.send(new PutIdentityPolicyCommand({ Identity, PolicyName: 'p7', Policy: replaced }));
    expect((await ses.send(new GetIdentityPoliciesCommand({ Identity, PolicyNames: ['p7'] }))).Policies).toEqual({ p7: replaced });
    expect((await ses.send(new ListIdentityPoliciesCommand({ Identity }))).PolicyNames).toHaveLength(20);
  });
});
