// Whether a domain identity's DNS records are published as sesd asked: Easy DKIM CNAMEs
// (`TOKEN._domainkey.DOMAIN` → `TOKEN.<cnameDomain>`), or a TXT record carrying the public key at the
// same name; BYODKIM: the TXT record at the owner's selector. DNS is injected (domain code does no I/O).
import type { Identity, VerificationStatus } from './identity.js';

export interface DnsLookup {
  resolveCname(name: string): Promise<string[]>;
  resolveTxt(name: string): Promise<string[][]>;
  resolveMx(name: string): Promise<{ exchange: string; priority: number }[]>;
}

/** Answers that mean "the record is not there" rather than "DNS is failing". */
const ABSENT = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

export async function checkDkimRecords(identity: Identity, dns: DnsLookup, cnameDomain: string): Promise<VerificationStatus> {
  let transientFailure = false;
  for (const token of identity.dkim.tokens) {
    const name = `${token}._domainkey.${identity.identity}`;
    try {
      if (identity.dkim.origin === 'AWS_SES') {
        const cnames = await dns.resolveCname(name).catch((err: NodeJS.ErrnoException) => (ABSENT.has(err.code ?? '') ? [] : Promise.reject(err)));
        if (cnames.some((c) => c.toLowerCase().replace(/\.$/, '') === `${token}.${cnameDomain}`.toLowerCase())) return 'SUCCESS';
      }
      const txt = await dns.resolveTxt(name).catch((err: NodeJS.ErrnoException) => (ABSENT.has(err.code ?? '') ? [] : Promise.reject(err)));
      if (identity.dkim.publicKey && txt.some((parts) => publishedKey(parts.join('')) === identity.dkim.publicKey)) return 'SUCCESS';
    } catch {
      transientFailure = true;
    }
  }
  return transientFailure ? 'TEMPORARY_FAILURE' : 'PENDING';
}

function publishedKey(record: string): string | undefined {
  const p = /(?:^|;)\s*p=([^;]*)/.exec(record);
  return p?.[1]?.replace(/\s+/g, '');
}

/** SES v1 domain verification: the token in a TXT record at `_amazonses.DOMAIN`. */
export async function checkVerificationTxt(identity: Identity, dns: DnsLookup): Promise<VerificationStatus> {
  try {
    const txt = await dns.resolveTxt(`_amazonses.${identity.identity}`);
    return txt.some((parts) => parts.join('') === identity.verificationToken) ? 'SUCCESS' : 'PENDING';
  } catch (err) {
    return ABSENT.has((err as NodeJS.ErrnoException).code ?? '') ? 'PENDING' : 'TEMPORARY_FAILURE';
  }
}

/** A custom MAIL FROM domain is usable once it has an MX record (SES checks it; bounces go there). */
export async function checkMailFromMx(domain: string, dns: DnsLookup): Promise<VerificationStatus> {
  try {
    return (await dns.resolveMx(domain)).some((mx) => mx.exchange && mx.exchange !== '.') ? 'SUCCESS' : 'PENDING';
  } catch (err) {
    return ABSENT.has((err as NodeJS.ErrnoException).code ?? '') ? 'PENDING' : 'TEMPORARY_FAILURE';
  }
}
