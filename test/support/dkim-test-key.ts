// A DKIM key for delivery tests, and verification of received mail with mailauth against it (the
// receiving side's view: a DNS TXT record at selector._domainkey.domain).
import { generateKeyPairSync } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import type { DkimKey } from '../../src/delivery/dkim-sign.js';

export function testDkimKey(domain: string, selector = 'sesd1'): { key: DkimKey; txt: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return { key: { domain, selector, privateKey }, txt: `v=DKIM1; k=rsa; p=${p}` };
}

/** mailauth's verdict on the message's DKIM signatures: 'pass', 'fail', 'neutral', 'none', ... */
export async function verifyDkim(raw: Buffer, key: { key: DkimKey; txt: string }): Promise<{ result: string; domain?: string; comment?: string }[]> {
  const name = `${key.key.selector}._domainkey.${key.key.domain}`;
  const res = await dkimVerify(raw, {
    resolver: async (domain: string, type: string) => {
      if (type === 'TXT' && domain.toLowerCase() === name) return [[key.txt]];
      throw Object.assign(new Error(`no ${type} for ${domain}`), { code: 'ENOTFOUND' });
    },
  });
  return res.results.map((r) => ({ result: r.status.result, domain: r.signingDomain, comment: r.status.comment }));
}
