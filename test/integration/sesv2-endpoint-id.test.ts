// SES v2 SendEmail with an EndpointId (a multi-region endpoint): the AWS SDK signs such a call with
// SigV4a (AWS4-ECDSA-P256-SHA256, region set '*') once @aws-sdk/signature-v4a is loaded, as an
// application that uses global endpoints has it. sesd verifies the signature and serves the call
// in its own region (SESD_REGION), as the one endpoint behind the id.
import '@aws-sdk/signature-v4a';
import { GetMessageInsightsCommand, SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, sesv2Client, TEST_KEY, useSesd } from '../support/sesd.js';

const email = (endpointId: string) =>
  new SendEmailCommand({
    EndpointId: endpointId,
    FromEmailAddress: 'sender@example.org',
    Destination: { ToAddresses: ['someone@example.net'] },
    Content: { Simple: { Subject: { Data: 'global' }, Body: { Text: { Data: 'through a multi-region endpoint' } } } },
  });

describe.each(DIALECTS)('SendEmail with an EndpointId, signed with SigV4a (%s)', (dialect) => {
  const sesd = useSesd(dialect, { SESD_REGION: 'eu-west-1' });
  let global: SESv2Client;
  const captured: string[] = [];
  beforeAll(() => {
    global = sesv2Client(sesd.app, TEST_KEY, 'us-west-2');
    global.middlewareStack.add(
      (next) => async (args) => {
        captured.push(String((args.request as { headers: Record<string, string> }).headers.authorization));
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low' },
    );
  });

  it('verifies the SigV4a signature and sends in the region sesd serves', async () => {
    const sent = await global.send(email('abcde12345.fghij'));
    expect(captured.at(-1)).toMatch(/^AWS4-ECDSA-P256-SHA256 Credential=AKIDSESDTEST0000001\/\d{8}\/ses\/aws4_request, SignedHeaders=.*x-amz-region-set/);
    // The region set was '*': the message is the account's in eu-west-1, not in the client's us-west-2.
    const insights = await sesv2Client(sesd.app, TEST_KEY, 'eu-west-1').send(new GetMessageInsightsCommand({ MessageId: sent.MessageId }));
    expect(insights).toMatchObject({ MessageId: sent.MessageId, Subject: 'global' });
    expect((await awsFailure(sesv2Client(sesd.app, TEST_KEY, 'us-west-2').send(new GetMessageInsightsCommand({ MessageId: sent.MessageId })))).name).toBe('NotFoundException');
  });

  it('refuses a SigV4a signature made with another secret', async () => {
    const forger = sesv2Client(sesd.app, { accessKeyId: TEST_KEY.accessKeyId, secretAccessKey: 'not-the-secret-0000000000000000000000000' }, 'us-west-2');
    expect(await awsFailure(forger.send(email('abcde12345.fghij')))).toMatchObject({ name: 'InvalidSignatureException', status: 403 });
  });
});
