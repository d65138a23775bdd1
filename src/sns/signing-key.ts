// sesd's SNS signing key and certificate: RSA (SNS signs with SHA1withRSA or SHA256withRSA), made
// once by the first node that needs it and kept in the shared `settings` table, so every node signs
// with the same key and any node can serve the certificate.
import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { createSelfSignedCertificate } from '../smtp/self-signed-cert.js';
import type { SnsStore } from './sns-model.js';

export interface SigningKey {
  privateKey: KeyObject;
  certPem: string;
  /** Names the certificate file: `SimpleNotificationService-<id>.pem`, as AWS names its own. */
  certId: string;
}

const SETTING = 'sns.signing-key';
const VALID_DAYS = 3650;

export async function loadSigningKey(store: SnsStore, hostname: string): Promise<SigningKey> {
  const stored = await store.sharedSetting(SETTING, () => {
    const { certPem, keyPem } = createSelfSignedCertificate({ commonName: hostname, dnsNames: [hostname], ipAddresses: [], validDays: VALID_DAYS, keyType: 'rsa' });
    return JSON.stringify({ certPem, keyPem });
  });
  const { certPem, keyPem } = JSON.parse(stored) as { certPem: string; keyPem: string };
  return { privateKey: createPrivateKey(keyPem), certPem, certId: createHash('sha256').update(certPem).digest('hex').slice(0, 32) };
}

export const signingCertFileName = (key: SigningKey): string => `SimpleNotificationService-${key.certId}.pem`;
