import { describe, expect, it } from 'vitest';
import type { Identity } from '../../../src/domain/identities/identity.js';
import { identityDnsRecords } from '../../../src/domain/identities/dns-records.js';
import { seeRecord, type RecordLookup } from '../../../src/web/api/identity-records.js';

const identity = (overrides: Partial<Identity> = {}): Identity => ({
  accountId: '000000000000',
  region: 'us-east-1',
  identity: 'example.com',
  type: 'DOMAIN',
  verificationStatus: 'PENDING',
  verificationToken: 'Tok3n_Case',
  dkim: { origin: 'AWS_SES', signingEnabled: true, status: 'PENDING', tokens: ['t1', 't2'], privateKeyPem: 'SECRET', publicKey: 'PUBKEY', keyLength: 'RSA_2048_BIT' },
  mailFrom: { domain: null, behaviorOnMxFailure: 'USE_DEFAULT_VALUE', status: 'PENDING' },
  feedbackForwarding: true,
  configurationSet: null,
  createdAt: 0,
  verifiedAt: null,
  checkedAt: null,
  notifications: {},
  ...overrides,
});

const opts = { cnameDomain: 'dkim.sesd.local', mailHost: 'mx.sesd.test' };

describe('the DNS records of an identity the console shows', () => {
  it('are, for Easy DKIM, a CNAME per token, each with the public-key TXT as an alternative, then the verification TXT', () => {
    expect(identityDnsRecords(identity(), opts)).toEqual([
      { purpose: 'dkim', type: 'CNAME', name: 't1._domainkey.example.com', value: 't1.dkim.sesd.local' },
      { purpose: 'dkim-txt-alternative', type: 'TXT', name: 't1._domainkey.example.com', value: 'v=DKIM1; k=rsa; p=PUBKEY' },
      { purpose: 'dkim', type: 'CNAME', name: 't2._domainkey.example.com', value: 't2.dkim.sesd.local' },
      { purpose: 'dkim-txt-alternative', type: 'TXT', name: 't2._domainkey.example.com', value: 'v=DKIM1; k=rsa; p=PUBKEY' },
      { purpose: 'domain-verification', type: 'TXT', name: '_amazonses.example.com', value: 'Tok3n_Case' },
    ]);
  });

  it('are, for your own key, the TXT record at its selector, and a custom MAIL FROM adds MX and SPF', () => {
    const own = identity({ dkim: { ...identity().dkim, origin: 'EXTERNAL', tokens: ['sel'] }, mailFrom: { domain: 'bounce.example.com', behaviorOnMxFailure: 'USE_DEFAULT_VALUE', status: 'PENDING' } });
    expect(identityDnsRecords(own, opts).filter((r) => r.purpose !== 'domain-verification')).toEqual([
      { purpose: 'byodkim', type: 'TXT', name: 'sel._domainkey.example.com', value: 'v=DKIM1; k=rsa; p=PUBKEY' },
      { purpose: 'mail-from-mx', type: 'MX', name: 'bounce.example.com', value: '10 mx.sesd.test' },
      { purpose: 'mail-from-spf', type: 'TXT', name: 'bounce.example.com', value: 'v=spf1 a:mx.sesd.test ~all' },
    ]);
  });

  it('are, for an email address, only its custom MAIL FROM domain\'s, and never carry the private key', () => {
    expect(identityDnsRecords(identity({ identity: 'a@example.com', type: 'EMAIL_ADDRESS' }), opts)).toEqual([]);
    const withMailFrom = identity({ identity: 'a@example.com', type: 'EMAIL_ADDRESS', mailFrom: { domain: 'bounce.example.com', behaviorOnMxFailure: 'USE_DEFAULT_VALUE', status: 'PENDING' } });
    expect(identityDnsRecords(withMailFrom, opts).map((r) => r.purpose)).toEqual(['mail-from-mx', 'mail-from-spf']);
    expect(JSON.stringify(identityDnsRecords(identity(), opts))).not.toContain('SECRET');
  });
});

describe('what DNS says of a record', () => {
  const dns = (answers: Partial<Record<'cname' | 'txt' | 'mx', unknown>>, error?: string): RecordLookup => {
    const answer = async (kind: 'cname' | 'txt' | 'mx') => {
      if (error) throw Object.assign(new Error(error), { code: error });
      return (answers[kind] ?? []) as never;
    };
    return { resolveCname: () => answer('cname'), resolveTxt: () => answer('txt'), resolveMx: () => answer('mx') };
  };
  const cname = { purpose: 'dkim', type: 'CNAME', name: 't1._domainkey.example.com', value: 't1.dkim.sesd.local' } as const;

  it('finds a record published as asked, ignoring case and a final dot', async () => {
    expect(await seeRecord(cname, dns({ cname: ['T1.dkim.sesd.local.'] }))).toEqual({ seen: 'found', answers: ['T1.dkim.sesd.local.'] });
  });

  it('tells a name that answers something else from one that is missing, and a failing resolver', async () => {
    expect((await seeRecord(cname, dns({ cname: ['other.example'] }))).seen).toBe('different');
    expect((await seeRecord(cname, dns({}, 'ENOTFOUND'))).seen).toBe('missing');
    expect(await seeRecord(cname, dns({}, 'ETIMEOUT'))).toEqual({ seen: 'error', answers: ['ETIMEOUT'] });
  });

  it('compares a verification token exactly, a DKIM TXT by its key, and an MX by its host', async () => {
    const txt = { purpose: 'domain-verification', type: 'TXT', name: '_amazonses.example.com', value: 'Tok3n_Case' } as const;
    expect((await seeRecord(txt, dns({ txt: [['tok3n_case']] }))).seen).toBe('different');
    expect((await seeRecord(txt, dns({ txt: [['Tok3n', '_Case']] }))).seen).toBe('found');
    const key = { purpose: 'byodkim', type: 'TXT', name: 'sel._domainkey.example.com', value: 'v=DKIM1; k=rsa; p=PUBKEY' } as const;
    expect((await seeRecord(key, dns({ txt: [['v=DKIM1; p=PUB', 'KEY']] }))).seen).toBe('found');
    const alternative = { ...key, purpose: 'dkim-txt-alternative', name: 't1._domainkey.example.com' } as const;
    expect((await seeRecord(alternative, dns({ txt: [['k=rsa; p=PUBKEY']] }))).seen).toBe('found');
    expect((await seeRecord(alternative, dns({ txt: [['v=DKIM1; k=rsa; p=OTHER']] }))).seen).toBe('different');
    const mx = { purpose: 'mail-from-mx', type: 'MX', name: 'b.example.com', value: '10 mx.sesd.test' } as const;
    expect((await seeRecord(mx, dns({ mx: [{ priority: 20, exchange: 'MX.sesd.test' }] }))).seen).toBe('found');
  });
});
