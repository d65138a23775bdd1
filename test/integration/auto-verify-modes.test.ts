// SESD_AUTO_VERIFY's development modes through the real SDK client, on every database: `identities`
// verifies what you create but refuses a sender that is no identity, `any` lets every sender through,
// `off` is SES's own behaviour, and the older values still work.
import { CreateEmailIdentityCommand, GetEmailIdentityCommand, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, sesv2Client, useSesd } from '../support/sesd.js';

const send = (from: string) =>
  new SendEmailCommand({
    FromEmailAddress: from,
    Destination: { ToAddresses: ['to@example.net'] },
    Content: { Simple: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hi' } } } },
  });

describe.each(DIALECTS)('SESD_AUTO_VERIFY (%s)', (dialect) => {
  describe('identities', () => {
    const sesd = useSesd(dialect, { SESD_AUTO_VERIFY: 'identities' });

    it('creates identities verified and lets them send', async () => {
      const client = sesv2Client(sesd.app);
      await client.send(new CreateEmailIdentityCommand({ EmailIdentity: 'dev.example' }));
      const identity = await client.send(new GetEmailIdentityCommand({ EmailIdentity: 'dev.example' }));
      expect(identity.VerifiedForSendingStatus).toBe(true);
      const out = await client.send(send('app@dev.example'));
      expect(out.MessageId).toBeTruthy();
    });

    it('refuses a sender that is no identity, as SES does', async () => {
      const failure = await awsFailure(sesv2Client(sesd.app).send(send('someone@elsewhere.example')));
      expect(failure).toEqual({
        name: 'MessageRejected',
        status: 400,
        message: 'Email address is not verified. The following identities failed the check in region US-WEST-2: someone@elsewhere.example',
      });
    });
  });

  describe('any (and the older value true)', () => {
    const sesd = useSesd(dialect, { SESD_AUTO_VERIFY: 'true' });

    it('lets a sender that is no identity send', async () => {
      const out = await sesv2Client(sesd.app).send(send('someone@elsewhere.example'));
      expect(out.MessageId).toBeTruthy();
    });
  });

  describe('off (and the older value false)', () => {
    const sesd = useSesd(dialect, { SESD_AUTO_VERIFY: 'false' });

    it('leaves new identities pending and refuses to send from them', async () => {
      const client = sesv2Client(sesd.app);
      await client.send(new CreateEmailIdentityCommand({ EmailIdentity: 'me@pending.example' }));
      const identity = await client.send(new GetEmailIdentityCommand({ EmailIdentity: 'me@pending.example' }));
      expect(identity.VerifiedForSendingStatus).toBe(false);
      const failure = await awsFailure(client.send(send('me@pending.example')));
      expect(failure.name).toBe('MessageRejected');
    });
  });
});
