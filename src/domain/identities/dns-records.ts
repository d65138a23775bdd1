// The DNS records an identity's owner publishes, as SES lists them in its console: Easy DKIM CNAMEs
// into sesd's DKIM zone (answered by sesd's own DNS listener), the TXT records with the public keys
// for those who cannot delegate, a BYODKIM key's TXT record, SES v1's `_amazonses` verification
// TXT, and a custom MAIL FROM domain's MX and SPF. Shared by the CLI (`sesd identity records`), the
// `/_sesd/identities/:name/dns-records` endpoint and the console.
import { dkimTxtRecord } from './dkim-keys.js';
import type { Identity } from './identity.js';

export type DnsRecordPurpose =
  /** Easy DKIM: delegate the selector to sesd's DKIM zone (as SES's `dkim.amazonses.com`). */
  | 'dkim'
  /** Easy DKIM without delegation: the same key, published as a TXT record at the selector name. */
  | 'dkim-txt-alternative'
  /** BYODKIM: the owner's key at the owner's selector. */
  | 'byodkim'
  /** SES v1 VerifyDomainIdentity's token. */
  | 'domain-verification'
  | 'mail-from-mx'
  | 'mail-from-spf';

export interface DnsRecord {
  purpose: DnsRecordPurpose;
  /** Fully qualified, without the final dot. */
  name: string;
  type: 'CNAME' | 'TXT' | 'MX';
  /** CNAME target, MX `preference host`, or the TXT value (unsplit; see txtStrings). */
  value: string;
}

export interface DnsRecordsOptions {
  /** dkim.cnameDomain: the zone sesd's DNS listener answers for. */
  cnameDomain: string;
  /** Host that receives bounces for a custom MAIL FROM domain (its MX) and sends its mail (SPF). */
  mailHost: string;
}

export function identityDnsRecords(identity: Identity, opts: DnsRecordsOptions): DnsRecord[] {
  if (identity.type !== 'DOMAIN') return mailFromRecords(identity, opts);
  const records: DnsRecord[] = [];
  const { dkim } = identity;
  for (const token of dkim.tokens) {
    const name = `${token}._domainkey.${identity.identity}`;
    if (dkim.origin === 'AWS_SES') {
      records.push({ purpose: 'dkim', name, type: 'CNAME', value: `${token}.${opts.cnameDomain}` });
      if (dkim.publicKey) records.push({ purpose: 'dkim-txt-alternative', name, type: 'TXT', value: dkimTxtRecord(dkim.publicKey) });
    } else if (dkim.publicKey) {
      records.push({ purpose: 'byodkim', name, type: 'TXT', value: dkimTxtRecord(dkim.publicKey) });
    }
  }
  records.push({ purpose: 'domain-verification', name: `_amazonses.${identity.identity}`, type: 'TXT', value: identity.verificationToken });
  return [...records, ...mailFromRecords(identity, opts)];
}

function mailFromRecords(identity: Identity, opts: DnsRecordsOptions): DnsRecord[] {
  const domain = identity.mailFrom.domain;
  if (!domain) return [];
  return [
    { purpose: 'mail-from-mx', name: domain, type: 'MX', value: `10 ${opts.mailHost}` },
    { purpose: 'mail-from-spf', name: domain, type: 'TXT', value: `v=spf1 a:${opts.mailHost} ~all` },
  ];
}

/** A TXT value as the character-strings DNS carries: at most 255 bytes each (a 2048-bit key is longer). */
export function txtStrings(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 255) parts.push(bytes.subarray(i, i + 255).toString('utf8'));
  return parts.length > 0 ? parts : [''];
}

/** Zone-file lines (`name. TTL IN TYPE value`), TXT values quoted and split into 255-byte strings. */
export function zoneFileLine(record: DnsRecord, ttl = 1800): string {
  const value = record.type === 'TXT' ? txtStrings(record.value).map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`).join(' ') : `${record.value}.`;
  return `${record.name}. ${ttl} IN ${record.type} ${value}`;
}

const SECTIONS: [DnsRecordPurpose[], string][] = [
  [['dkim'], 'Easy DKIM: delegate each selector to sesd\'s DKIM zone (its DNS listener answers there)'],
  [['dkim-txt-alternative'], 'Easy DKIM without delegation: publish these TXT records instead of the CNAMEs'],
  [['byodkim'], 'DKIM (your own key)'],
  [['domain-verification'], 'SES v1 domain verification (not needed once DKIM verifies)'],
  [['mail-from-mx', 'mail-from-spf'], 'Custom MAIL FROM domain'],
];

/** The records as a zone-file fragment with a comment line per group. */
export function zoneFileText(records: DnsRecord[]): string {
  if (records.length === 0) return '; no DNS records: an email address identity is verified by the link in its verification message\n';
  const out: string[] = [];
  for (const [purposes, title] of SECTIONS) {
    const group = records.filter((r) => purposes.includes(r.purpose));
    if (group.length > 0) out.push(`; ${title}`, ...group.map((r) => zoneFileLine(r)), '');
  }
  return out.join('\n');
}
