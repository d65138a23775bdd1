// Whether sesd's resolver sees one of an identity's DNS records now, for the console. The records
// themselves come from domain/identities/dns-records.ts (identityDnsRecords), the list the CLI and
// the `/_sesd/identities/:name/dns-records` endpoint also give; checked as domain/identities/dns-check.ts does.
import type { DnsRecord } from '../../domain/identities/dns-records.js';

export interface RecordLookup {
  resolveCname(name: string): Promise<string[]>;
  resolveTxt(name: string): Promise<string[][]>;
  resolveMx(name: string): Promise<{ exchange: string; priority: number }[]>;
}

export type Seen = 'found' | 'missing' | 'different' | 'error';

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

/** TXT records that carry a DKIM public key: compared by the key, whatever the tags around it. */
const DKIM_KEY = new Set<DnsRecord['purpose']>(['dkim-txt-alternative', 'byodkim']);

const normal = (s: string) => s.toLowerCase().replace(/\.$/, '').replace(/\s+/g, ' ').trim();

function same(record: DnsRecord, answer: string): boolean {
  if (record.type === 'MX') return normal(answer).split(' ')[1] === normal(record.value).split(' ')[1];
  if (record.type === 'TXT' && DKIM_KEY.has(record.purpose)) return publicKey(answer) === publicKey(record.value);
  if (record.type === 'TXT') return answer.trim() === record.value; // tokens are case-sensitive
  return normal(answer) === normal(record.value);
}

function publicKey(record: string): string | undefined {
  return /(?:^|;)\s*p=([^;]*)/.exec(record)?.[1]?.replace(/\s+/g, '');
}
