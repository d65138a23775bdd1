// The SMTP listeners' certificate and key: the operator's PEM files, or else a self-signed pair
// kept in the data dir (created on first use, reused afterwards so a client that pinned it keeps
// working, and replaced only once it is about to expire).
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { createSelfSignedCertificate } from './self-signed-cert.js';

export interface TlsMaterial {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
  /** sesd made the certificate itself (no tls.cert / tls.key configured). */
  selfSigned: boolean;
  /** The self-signed pair was created by this start. */
  created: boolean;
}

export interface TlsMaterialOptions {
  certFile: string;
  keyFile: string;
  dataDir: string;
  /** Names the self-signed certificate is for, besides localhost and the loopback addresses. */
  hostname: string;
  listenHost: string;
  now?: Date;
}

const SELF_SIGNED_VALID_DAYS = 3650;
const RENEW_BEFORE_MS = 7 * 86_400_000;

export function loadTlsMaterial(opts: TlsMaterialOptions): TlsMaterial {
  if (opts.certFile || opts.keyFile) {
    if (!opts.certFile || !opts.keyFile) throw new Error('set both tls.cert (SESD_TLS_CERT) and tls.key (SESD_TLS_KEY), or neither');
    const pair = { cert: readPem(opts.certFile), key: readPem(opts.keyFile) };
    if (!matches(pair)) throw new Error(`the TLS key ${opts.keyFile} does not belong to the certificate ${opts.certFile}`);
    return { ...pair, certFile: opts.certFile, keyFile: opts.keyFile, selfSigned: false, created: false };
  }
  const dir = join(opts.dataDir, 'tls');
  const certFile = join(dir, 'smtp-cert.pem');
  const keyFile = join(dir, 'smtp-key.pem');
  const now = opts.now ?? new Date();
  if (existsSync(certFile) && existsSync(keyFile)) {
    const pair = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    if (matches(pair) && new Date(new X509Certificate(pair.cert).validTo).getTime() - now.getTime() > RENEW_BEFORE_MS) {
      return { ...pair, certFile, keyFile, selfSigned: true, created: false };
    }
  }
  const names = [...new Set([opts.hostname, 'localhost', ...(isIP(opts.listenHost) ? [] : [opts.listenHost])])];
  const ips = [...new Set(['127.0.0.1', '::1', ...(isIP(opts.listenHost) && !/^(0\.0\.0\.0|::)$/.test(opts.listenHost) ? [opts.listenHost] : [])])];
  const { certPem, keyPem } = createSelfSignedCertificate({ commonName: opts.hostname, dnsNames: names, ipAddresses: ips, validDays: SELF_SIGNED_VALID_DAYS, now });
  mkdirSync(dir, { recursive: true });
  writeFileSync(keyFile, keyPem, { mode: 0o600 });
  writeFileSync(certFile, certPem);
  return { cert: certPem, key: keyPem, certFile, keyFile, selfSigned: true, created: true };
}

function readPem(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
}

function matches(pair: { cert: string; key: string }): boolean {
  try {
    return new X509Certificate(pair.cert).checkPrivateKey(createPrivateKey(pair.key));
  } catch {
    return false;
  }
}
