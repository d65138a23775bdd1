// The SES SMTP password (version 4) of an access key: what a client gives in AUTH next to the
// access key id. It is a SigV4 signing key for the fixed date "11111111" and service "ses" in the
// listener's region, signed over "SendRawEmail", so one secret has a different password per region.
import { createHmac } from 'node:crypto';
import { deriveSigningKey } from '../protocol/sigv4.js';

const DATE = '11111111';
const SERVICE = 'ses';
const MESSAGE = 'SendRawEmail';
const VERSION = 0x04;

export function smtpPassword(secretAccessKey: string, region: string): string {
  const signature = createHmac('sha256', deriveSigningKey(secretAccessKey, DATE, region, SERVICE)).update(MESSAGE).digest();
  return Buffer.concat([Buffer.from([VERSION]), signature]).toString('base64');
}
