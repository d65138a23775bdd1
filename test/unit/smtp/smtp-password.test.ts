import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { smtpPassword } from '../../../src/smtp/smtp-password.js';

// AWS's documented algorithm (SES developer guide, "Obtaining Amazon SES SMTP credentials",
// smtp_credentials_generate.py), as an independent implementation in Python.
const AWS_DOCUMENTED_PYTHON = `
import hmac, hashlib, base64, sys
DATE, SERVICE, MESSAGE, TERMINAL, VERSION = "11111111", "ses", "SendRawEmail", "aws4_request", 0x04
def sign(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()
def calculate_key(secret_access_key, region):
    signature = sign(("AWS4" + secret_access_key).encode("utf-8"), DATE)
    signature = sign(signature, region)
    signature = sign(signature, SERVICE)
    signature = sign(signature, TERMINAL)
    signature = sign(signature, MESSAGE)
    return base64.b64encode(bytes([VERSION]) + signature).decode("utf-8")
for line in sys.stdin.read().splitlines():
    secret, region = line.split(" ")
    print(calculate_key(secret, region))
`;

function python(): string | undefined {
  for (const cmd of ['python3', 'python']) {
    try {
      execFileSync(cmd, ['--version'], { stdio: 'ignore' });
      return cmd;
    } catch {
      // try the next name
    }
  }
  return undefined;
}

describe('smtpPassword', () => {
  it.each([
    // Computed with the Python above from the secret key of AWS's documentation examples.
    ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'us-east-1', 'BLBM/9hSUELfq8Gw+rU1YcBjkOxGbhT2XG763xVLGWL9'],
    ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'eu-west-1', 'BMW5RDrXmmVs0lV7GpI4oLkHXpZ4stDsk6q91z1g38Pk'],
  ])('derives the documented version-4 password from %s in %s', (secret, region, expected) => {
    expect(smtpPassword(secret, region)).toBe(expected);
  });

  it.skipIf(!python())('gives what AWS’s documented Python derivation gives, for random secrets and regions', () => {
    const cases = Array.from({ length: 20 }, (_, i) => [randomBytes(30).toString('base64'), ['us-east-1', 'us-west-2', 'eu-central-1', 'ap-southeast-2'][i % 4]!] as const);
    const out = execFileSync(python()!, ['-c', AWS_DOCUMENTED_PYTHON], { input: cases.map((c) => c.join(' ')).join('\n') }).toString().trim().split('\n');
    expect(cases.map(([secret, region]) => smtpPassword(secret, region))).toEqual(out);
  });

  it('starts with the version byte 0x04 and differs per region', () => {
    const a = Buffer.from(smtpPassword('secret', 'us-east-1'), 'base64');
    expect(a[0]).toBe(4);
    expect(a).toHaveLength(33);
    expect(smtpPassword('secret', 'us-east-1')).not.toBe(smtpPassword('secret', 'us-west-2'));
  });
});
