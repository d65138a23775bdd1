// The DNS records a person publishes for a domain identity, exactly as sesd will look for them
// (see domain/identities/dns-check.ts), and whether sesd's resolver sees each one now.
import type { Identity } from '../../domain/identities/identity.js';

export interface DnsRecord {
  purpose: 'verification' | 'dkim' | 'mail-from';
  type: 'TXT' | 'CNAME' | 'MX';
  name: string;
  value: string;
  /** Easy DKIM also accepts a TXT record with the public key instead of the CNAME. */
  alternative?: boolean;
}

export interface RecordLookup {
  resolveCname(name: string): Promise<string[]>;
  resolveTxt(name: string): Promise<string[][]>;
  resolveMx(name: string): Promise<{ exchange: string; priority: number }[]>;
}

export type Seen = 'found' | 'missing' | 'different' | 'error';

export function dnsRecords(identity: Identity, opts: { cnameDomain: string; mailHost: string }): DnsRecord[] {
  if (identity.type !== 'DOMAIN') return [];
  const domain = identity.identity;
  const records: DnsRecord[] = [{ purpose: 'verification', type: 'TXT', name: `_amazonses.${domain}`, value: identity.verificationToken }];
  const keyTxt = identity.dkim.publicKey ? `v=DKIM1; k=rsa; p=${identity.dkim.publicKey}` : undefined;
  for (const token of identity.dkim.tokens) {
    const name = `${token}._domainkey.${domain}`;
    if (identity.dkim.origin === 'AWS_SES') {
      records.push({ purpose: 'dkim', type: 'CNAME', name, value: `${token}.${opts.cnameDomain}` });
      if (keyTxt) records.push({ purpose: 'dkim', type: 'TXT', name, value: keyTxt, alternative: true });
    } else if (keyTxt) {
      records.push({ purpose: 'dkim', type: 'TXT', name, value: keyTxt });
    }
  }
  if (identity.mailFrom.domain) {
    records.push({ purpose: 'mail-from', type: 'MX', name: identity.mailFrom.domain, value: `10 ${opts.mailHost}` });
    records.push({ purpose: 'mail-from', type: 'TXT', name: identity.mailFrom.domain, value: `v=spf1 a:${opts.mailHost} ~all` });
  }
  return records;
}

const ABSENT = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

/** Looks one record up: found (as published), different (the name answers something else), missing. */
export async function seeRecord(record: DnsRecord, dns: RecordLookup): Promise<{ seen: Seen; answers: string[] }> {
  try {
    const answers = await lookup(record, dns);
    if (answers.length === 0) return { seen: 'missing', answers };
    return { seen: answers.some((a) => same(record, a)) ? 'found' : 'different', answers };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    return ABSENT.has(code) ? { seen: 'missing', answers: [] } : { seen: 'error', answers: [code || String(err)] };
  }
}

async function lookup(record: DnsRecord, dns: RecordLookup): Promise<string[]> {
  switch (record.type) {
    case 'CNAME':
      return dns.resolveCname(record.name);
    case 'TXT':
      return (await dns.resolveTxt(record.name)).map((parts) => parts.join(''));
    case 'MX':
      return (await dns.resolveMx(record.name)).map((mx) => `${mx.priority} ${mx.exchange}`);
  }
}

const normal = (s: string) => s.toLowerCase().replace(/\.$/, '').replace(/\s+/g, ' ').trim();

function same(record: DnsRecord, answer: string): boolean {
  if (record.type === 'MX') return normal(answer).split(' ')[1] === normal(record.value).split(' ')[1];
  if (record.type === 'TXT' && record.purpose === 'dkim') return publicKey(answer) === publicKey(record.value);
  if (record.type === 'TXT') return answer.trim() === record.value; // tokens are case-sensitive
  return normal(answer) === normal(record.value);
}

function publicKey(record: string): string | undefined {
  return /(?:^|;)\s*p=([^;]*)/.exec(record)?.[1]?.replace(/\s+/g, '');
}
