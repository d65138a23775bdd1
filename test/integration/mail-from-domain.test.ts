// A custom MAIL FROM domain is used only once its MX record is found (status SUCCESS, checked
// periodically through the configured resolver); until then UseDefaultValue sends with sesd's default
// MAIL FROM and RejectMessage refuses the send as SES does (MailFromDomainNotVerifiedException).
import { SendEmailCommand as V1SendEmailCommand } from '@aws-sdk/client-ses';
import { CreateEmailIdentityCommand, GetEmailIdentityCommand, PutEmailIdentityMailFromAttributesCommand, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { DIALECTS } from '../support/databases.js';
import { startRelayingWithDns } from '../support/delivery-sesd.js';
import type { DnsServer } from '../support/dns-server.js';
import { awsFailure, sesClient, sesv2Client } from '../support/sesd.js';

describe.each(DIALECTS)('custom MAIL FROM domain (%s)', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const setup = () => startRelayingWithDns(dialect, cleanups);

  /** A domain identity verified by its Easy DKIM CNAMEs, with a custom MAIL FROM domain. */
  async function domainWithMailFrom(app: RunningApp, dns: DnsServer, domain: string, behavior: 'USE_DEFAULT_VALUE' | 'REJECT_MESSAGE'): Promise<void> {
    const ses = sesv2Client(app);
    const created = await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: domain }));
    for (const t of created.DkimAttributes!.Tokens!) dns.zone[`${t}._domainkey.${domain}`] = { CNAME: [`${t}.dkim.sesd.local`] };
    await waitFor(async () => (await ses.send(new GetEmailIdentityCommand({ EmailIdentity: domain }))).VerifiedForSendingStatus === true);
    await ses.send(new PutEmailIdentityMailFromAttributesCommand({ EmailIdentity: domain, MailFromDomain: `bounce.${domain}`, BehaviorOnMxFailure: behavior }));
  }

  const mailFromStatus = async (app: RunningApp, domain: string) =>
    (await sesv2Client(app).send(new GetEmailIdentityCommand({ EmailIdentity: domain }))).MailFromAttributes?.MailFromDomainStatus;
  const send = (app: RunningApp, from: string) =>
    sesv2Client(app).send(new SendEmailCommand({ FromEmailAddress: from, Destination: { ToAddresses: ['r@example.net'] }, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } } }));

  it('UseDefaultValue: sends with the default MAIL FROM while the MX is missing, with the custom domain once the MX is found', async () => {
    const { app, dns, sink } = await setup();
    await domainWithMailFrom(app, dns, 'mf.example', 'USE_DEFAULT_VALUE');
    await new Promise((r) => setTimeout(r, 300)); // several rechecks
    expect(await mailFromStatus(app, 'mf.example')).toBe('PENDING');
    await send(app, 'news@mf.example');
    const [first] = await sink.waitFor(1, 30_000);
    expect(first!.mailFrom).toMatch(/@sesd\.test$/);

    dns.zone['bounce.mf.example'] = { MX: [{ preference: 10, exchange: 'sesd.test' }] };
    await waitFor(async () => (await mailFromStatus(app, 'mf.example')) === 'SUCCESS');
    await send(app, 'news@mf.example');
    const [, second] = await sink.waitFor(2, 30_000);
    expect(second!.mailFrom).toMatch(/@bounce\.mf\.example$/);
  }, 90_000);

  it('RejectMessage: refuses the send (SES v2 and v1) until the MX is found', async () => {
    const { app, dns, sink } = await setup();
    await domainWithMailFrom(app, dns, 'rej.example', 'REJECT_MESSAGE');
    expect(await awsFailure(send(app, 'news@rej.example'))).toMatchObject({ name: 'MailFromDomainNotVerifiedException', status: 400 });
    const v1 = sesClient(app).send(new V1SendEmailCommand({ Source: 'news@rej.example', Destination: { ToAddresses: ['r@example.net'] }, Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } }));
    expect(await awsFailure(v1)).toMatchObject({ name: 'MailFromDomainNotVerifiedException', status: 400 });

    dns.zone['bounce.rej.example'] = { MX: [{ preference: 10, exchange: 'sesd.test' }] };
    await waitFor(async () => (await mailFromStatus(app, 'rej.example')) === 'SUCCESS');
    await send(app, 'news@rej.example');
    const [received] = await sink.waitFor(1, 30_000);
    expect(received!.mailFrom).toMatch(/@bounce\.rej\.example$/);
  }, 90_000);
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
