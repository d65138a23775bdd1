// Easy DKIM as a receiver sees it: a domain identity created through SES v2 is verified by the
// CNAMEs its owner publishes, its mail is signed, and the signature verifies with a DKIM verifier
// that knows only DNS: the domain's DNS (a test server holding the CNAMEs) points into sesd's DKIM
// zone, whose TXT record comes from sesd's own DNS listener. The test never reads the key from the
// database. Also: the records sesd prints for the owner (/_sesd endpoint and `sesd identity records`).
import { execFile } from 'node:child_process';
import { promises as dns } from 'node:dns';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateEmailIdentityCommand, GetEmailIdentityCommand, PutEmailIdentityMailFromAttributesCommand, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { deliverySesdEnv, startRelayingWithDns } from '../support/delivery-sesd.js';
import { sesv2Client } from '../support/sesd.js';

const ZONE = 'dkim.sesd.test';
const CLI = ['--import', 'tsx', join(import.meta.dirname, '../../src/cli/main.ts')];

describe.each(DIALECTS)('Easy DKIM through sesd\'s DNS listener (%s)', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  // The domain's DNS is the test's server; sesd's own listener answers its DKIM zone.
  const setup = async () => {
    const { app, db, dns: domainDns, sink } = await startRelayingWithDns(dialect, cleanups, { SESD_DKIM_CNAME_DOMAIN: ZONE, SESD_DNS_PORT: '0' });
    return { app, db, domainDns, sink };
  };

  it('verifies a delivered signature using only DNS: the CNAME in the domain\'s DNS, the key TXT from sesd\'s listener', async () => {
    const { app, domainDns, sink } = await setup();
    const ses = sesv2Client(app);
    const created = await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'shop.example' }));
    const tokens = created.DkimAttributes!.Tokens!;
    expect(created.DkimAttributes!.Status).toBe('PENDING');

    // The owner publishes what sesd asks for (read from the endpoint, as a person would from the console).
    const res = await fetch(`${app.httpUrl}/_sesd/identities/shop.example/dns-records?region=us-west-2`);
    const { records } = (await res.json()) as { records: { purpose: string; name: string; type: string; value: string }[] };
    for (const r of records.filter((r) => r.purpose === 'dkim')) domainDns.zone[r.name] = { CNAME: [r.value] };
    expect(Object.keys(domainDns.zone).sort()).toEqual(tokens.map((t) => `${t}._domainkey.shop.example`).sort());

    await waitFor(async () => (await ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'shop.example' }))).DkimAttributes?.Status === 'SUCCESS');
    await ses.send(new SendEmailCommand({ FromEmailAddress: 'orders@shop.example', Destination: { ToAddresses: ['buyer@example.net'] }, Content: { Simple: { Subject: { Data: 'Your order' }, Body: { Text: { Data: 'Thanks!' } } } } }));
    const [received] = await sink.waitFor(1, 30_000);

    // The receiver's resolver: the domain's DNS answers the CNAME; sesd's zone is delegated to its listener.
    const domainResolver = resolverAt(domainDns.address);
    const sesdResolver = resolverAt(`127.0.0.1:${app.dnsPort}`);
    const askedSesd: string[] = [];
    const resolver = async (name: string, type: string): Promise<string[][]> => {
      if (type !== 'TXT') throw Object.assign(new Error(`no ${type}`), { code: 'ENOTFOUND' });
      const [target] = await domainResolver.resolveCname(name);
      if (!target?.endsWith(`.${ZONE}`)) return domainResolver.resolveTxt(name);
      askedSesd.push(target);
      return sesdResolver.resolveTxt(target);
    };
    const verdict = await dkimVerify(received!.raw, { resolver });
    expect(verdict.results.map((r) => ({ result: r.status.result, domain: r.signingDomain }))).toEqual([{ result: 'pass', domain: 'shop.example' }]);
    expect(askedSesd).toEqual([`${tokens[0]}.${ZONE}`]);
  }, 60_000);

  it('lists CNAMEs, the TXT alternative, verification and MAIL FROM records on the endpoint and in `sesd identity records`', async () => {
    const { app, db } = await setup();
    const ses = sesv2Client(app);
    const created = await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'records.example' }));
    await ses.send(new PutEmailIdentityMailFromAttributesCommand({ EmailIdentity: 'records.example', MailFromDomain: 'bounce.records.example' }));
    const tokens = created.DkimAttributes!.Tokens!;

    const res = await fetch(`${app.httpUrl}/_sesd/identities/records.example/dns-records?region=us-west-2`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { records: { purpose: string; name: string; type: string; value: string }[] };
    const sesdKey = (await resolverAt(`127.0.0.1:${app.dnsPort}`).resolveTxt(`${tokens[1]}.${ZONE}`))[0]!.join('');
    expect(body.records).toEqual([
      ...tokens.flatMap((t) => [
        { purpose: 'dkim', name: `${t}._domainkey.records.example`, type: 'CNAME', value: `${t}.${ZONE}` },
        { purpose: 'dkim-txt-alternative', name: `${t}._domainkey.records.example`, type: 'TXT', value: sesdKey },
      ]),
      { purpose: 'domain-verification', name: '_amazonses.records.example', type: 'TXT', value: expect.any(String) },
      { purpose: 'mail-from-mx', name: 'bounce.records.example', type: 'MX', value: '10 sesd.test' },
      { purpose: 'mail-from-spf', name: 'bounce.records.example', type: 'TXT', value: 'v=spf1 a:sesd.test ~all' },
    ]);
    expect((await fetch(`${app.httpUrl}/_sesd/identities/nothing.example/dns-records?region=us-west-2`)).status).toBe(404);
    expect((await fetch(`${app.httpUrl}/_sesd/identities/records.example/dns-records`)).status).toBe(404); // another region

    const env = { ...process.env, ...deliverySesdEnv(db, { SESD_DKIM_CNAME_DOMAIN: ZONE }) };
    const { stdout } = await promisify(execFile)(process.execPath, [...CLI, 'identity', 'records', 'records.example', '--region', 'us-west-2'], { env });
    expect(stdout).toContain(`${tokens[0]}._domainkey.records.example. 1800 IN CNAME ${tokens[0]}.${ZONE}.`);
    // The TXT alternative in 255-byte strings, joined back it is the key sesd's DNS listener serves.
    const txtLine = stdout.split('\n').find((l) => l.startsWith(`${tokens[1]}._domainkey.records.example. 1800 IN TXT `))!;
    expect([...txtLine.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join('')).toBe(sesdKey);
    expect(stdout, stdout.slice(-600)).toContain('bounce.records.example. 1800 IN MX 10 sesd.test.');
  }, 60_000);
});

function resolverAt(address: string): dns.Resolver {
  const r = new dns.Resolver({ timeout: 2000, tries: 2 });
  r.setServers([address]);
  return r;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
