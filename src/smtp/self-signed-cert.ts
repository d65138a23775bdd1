// A self-signed X.509 certificate (ECDSA P-256) for the SMTP listeners when the operator gives
// none, built with node:crypto alone so a fresh machine needs neither openssl nor a native module.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { bitString, boolean, explicit, implicit, integer, ipAddressBytes, objectIdentifier, octetString, sequence, set, time, utf8String } from './der.js';

export interface CertificateRequest {
  commonName: string;
  dnsNames: string[];
  ipAddresses: string[];
  validDays: number;
  now?: Date;
  /** ECDSA P-256 (default), or RSA 2048 for consumers that verify only RSA (SNS message signatures). */
  keyType?: 'ec' | 'rsa';
}

export interface CertificatePair {
  certPem: string;
  keyPem: string;
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsaEncryption: '1.2.840.113549.1.1.11',
  commonName: '2.5.4.3',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

const DER_NULL = Buffer.from([0x05, 0x00]);

// Clients whose clock is a little behind must not see a certificate from the future.
const BACKDATE_MS = 60 * 60 * 1000;

export function createSelfSignedCertificate(req: CertificateRequest): CertificatePair {
  const rsa = req.keyType === 'rsa';
  const { privateKey, publicKey } = rsa ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const now = req.now ?? new Date();
  // RSA's AlgorithmIdentifier carries explicit NULL parameters (RFC 4055); ECDSA's has none.
  const algorithm = rsa ? sequence(objectIdentifier(OID.sha256WithRsaEncryption), DER_NULL) : sequence(objectIdentifier(OID.ecdsaWithSha256));
  const name = sequence(set(sequence(objectIdentifier(OID.commonName), utf8String(req.commonName))));
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and never shortened
  const altNames = [...req.dnsNames.map((d) => implicit(2, Buffer.from(d, 'ascii'))), ...req.ipAddresses.map((ip) => implicit(7, ipAddressBytes(ip)))];
  const extensions = sequence(
    extension(OID.basicConstraints, true, sequence()),
    extension(OID.extKeyUsage, false, sequence(objectIdentifier(OID.serverAuth))),
    extension(OID.subjectAltName, false, sequence(...altNames)),
  );
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    algorithm,
    name,
    sequence(time(new Date(now.getTime() - BACKDATE_MS)), time(new Date(now.getTime() + req.validDays * 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, extensions),
  );
  const certificate = sequence(tbs, algorithm, bitString(sign('sha256', tbs, privateKey)));
  return { certPem: pem('CERTIFICATE', certificate), keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(objectIdentifier(oid), boolean(true), octetString(value)) : sequence(objectIdentifier(oid), octetString(value));
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
