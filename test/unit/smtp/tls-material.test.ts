import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ipAddressBytes } from '../../../src/smtp/der.js';
import { createSelfSignedCertificate } from '../../../src/smtp/self-signed-cert.js';
import { loadTlsMaterial } from '../../../src/smtp/tls-material.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'sesd-tls-'));

describe('createSelfSignedCertificate', () => {
  it('makes a valid self-signed certificate for the given names and addresses', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const pair = createSelfSignedCertificate({ commonName: 'mail.example', dnsNames: ['mail.example', 'localhost'], ipAddresses: ['127.0.0.1', '::1'], validDays: 10, now });
    const cert = new X509Certificate(pair.certPem);
    expect(cert.subject).toBe('CN=mail.example');
    expect(cert.issuer).toBe('CN=mail.example');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkHost('mail.example')).toBe('mail.example');
    expect(cert.checkHost('other.example')).toBeUndefined();
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBe('::1');
    expect(cert.ca).toBe(false);
    expect(new Date(cert.validTo).getTime()).toBe(now.getTime() + 10 * 86_400_000);
    expect(new Date(cert.validFrom).getTime()).toBeLessThan(now.getTime());
  });

  it('writes dates from 2050 on as GeneralizedTime', () => {
    const pair = createSelfSignedCertificate({ commonName: 'x', dnsNames: ['x'], ipAddresses: [], validDays: 365, now: new Date('2049-12-01T00:00:00Z') });
    expect(new X509Certificate(pair.certPem).validTo).toMatch(/2050/);
  });
});

describe('ipAddressBytes', () => {
  it.each([
    ['127.0.0.1', '7f000001'],
    ['::1', '00000000000000000000000000000001'],
    ['2001:db8::8:1', '20010db8000000000000000000080001'],
    ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
    ['fe80::', 'fe800000000000000000000000000000'],
  ])('encodes %s', (ip, hex) => {
    expect(ipAddressBytes(ip).toString('hex')).toBe(hex);
  });
});

describe('loadTlsMaterial', () => {
  const base = { certFile: '', keyFile: '', hostname: 'sesd.example', listenHost: '127.0.0.1' };

  it('creates a self-signed pair in the data dir once, with a private key file, and reuses it', () => {
    const dataDir = tmp();
    const first = loadTlsMaterial({ ...base, dataDir });
    expect(first).toMatchObject({ selfSigned: true, created: true, certFile: join(dataDir, 'tls', 'smtp-cert.pem') });
    expect(statSync(first.keyFile).mode & 0o777).toBe(0o600);
    expect(new X509Certificate(first.cert).checkHost('sesd.example')).toBe('sesd.example');
    const second = loadTlsMaterial({ ...base, dataDir });
    expect(second).toMatchObject({ selfSigned: true, created: false, cert: first.cert });
  });

  it('replaces a self-signed certificate that is about to expire', () => {
    const dataDir = tmp();
    const first = loadTlsMaterial({ ...base, dataDir });
    const later = new Date(Date.now() + 3650 * 86_400_000);
    const renewed = loadTlsMaterial({ ...base, dataDir, now: later });
    expect(renewed.created).toBe(true);
    expect(renewed.cert).not.toBe(first.cert);
  });

  it('uses the configured files', () => {
    const dir = tmp();
    const pair = createSelfSignedCertificate({ commonName: 'own', dnsNames: ['own'], ipAddresses: [], validDays: 1 });
    writeFileSync(join(dir, 'c.pem'), pair.certPem);
    writeFileSync(join(dir, 'k.pem'), pair.keyPem);
    const material = loadTlsMaterial({ ...base, dataDir: dir, certFile: join(dir, 'c.pem'), keyFile: join(dir, 'k.pem') });
    expect(material).toMatchObject({ selfSigned: false, created: false, cert: readFileSync(join(dir, 'c.pem'), 'utf8') });
  });

  it('refuses a key that does not belong to the certificate, and only one of the two files', () => {
    const dir = tmp();
    const a = createSelfSignedCertificate({ commonName: 'a', dnsNames: ['a'], ipAddresses: [], validDays: 1 });
    const b = createSelfSignedCertificate({ commonName: 'b', dnsNames: ['b'], ipAddresses: [], validDays: 1 });
    writeFileSync(join(dir, 'c.pem'), a.certPem);
    writeFileSync(join(dir, 'k.pem'), b.keyPem);
    expect(() => loadTlsMaterial({ ...base, dataDir: dir, certFile: join(dir, 'c.pem'), keyFile: join(dir, 'k.pem') })).toThrow(/does not belong/);
    expect(() => loadTlsMaterial({ ...base, dataDir: dir, certFile: join(dir, 'c.pem') })).toThrow(/set both tls.cert/);
    expect(() => loadTlsMaterial({ ...base, dataDir: dir, certFile: join(dir, 'missing.pem'), keyFile: join(dir, 'k.pem') })).toThrow(/cannot read/);
  });
});
