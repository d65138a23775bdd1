// DKIM keys of identities: Easy DKIM keys sesd generates (RSA 2048, three selectors as SES's
// tokens), and BYODKIM keys the owner brings. Public keys are kept as the base64 DER that the
// DKIM `p=` tag carries.
import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { invalidParameter } from '../errors.js';

const generateRsa = promisify(generateKeyPair);
const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export interface DkimKeyPair {
  privateKeyPem: string;
  publicKey: string;
  keyLength: 'RSA_1024_BIT' | 'RSA_2048_BIT';
}

export async function generateEasyDkimKey(keyLength: 'RSA_1024_BIT' | 'RSA_2048_BIT' = 'RSA_2048_BIT'): Promise<DkimKeyPair> {
  const { privateKey, publicKey } = await generateRsa('rsa', { modulusLength: keyLength === 'RSA_1024_BIT' ? 1024 : 2048 });
  return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: publicKeyBase64(publicKey), keyLength };
}

/** Easy DKIM selectors: 32 lower-case base32 characters each, like SES's tokens. */
export function newDkimTokens(count = 3): string[] {
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(32);
    return Array.from(bytes, (b) => TOKEN_ALPHABET[b % 32]).join('');
  });
}

/** BYODKIM: SES takes the private key as base64 of its DER (PKCS#1 or PKCS#8), without PEM armour. */
export function importByodkimKey(base64Key: string): DkimKeyPair {
  let key: KeyObject;
  try {
    const der = Buffer.from(base64Key.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    key = tryCreatePrivateKey(der);
  } catch {
    throw invalidParameter('Invalid DomainSigningPrivateKey: it must be the base64 encoding of an RSA private key.');
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < 1024 || bits > 2048) {
    throw invalidParameter('Invalid DomainSigningPrivateKey: the key must be an RSA key of 1024 to 2048 bits.');
  }
  return {
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKeyBase64(createPublicKey(key)),
    keyLength: bits <= 1024 ? 'RSA_1024_BIT' : 'RSA_2048_BIT',
  };
}

function tryCreatePrivateKey(der: Buffer): KeyObject {
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs1' });
  }
}

function publicKeyBase64(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'der' }).toString('base64');
}

/** The TXT record value a receiver looks up at `selector._domainkey.domain`. */
export const dkimTxtRecord = (publicKey: string): string => `v=DKIM1; k=rsa; p=${publicKey}`;
