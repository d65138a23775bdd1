// Validates an SNS message with the `sns-validator` package exactly as a receiving application
// would: in its own Node process that trusts sesd's certificate through NODE_EXTRA_CA_CERTS (read
// only at process start, which is why this runs as a child), with the hostPattern of the
// certificate host (the README's receiver-side settings).
import { spawn } from 'node:child_process';
import { verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';

const SCRIPT = `
const MessageValidator = require('sns-validator');
let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  new MessageValidator(new RegExp(process.env.SNS_HOST_PATTERN)).validate(input, (err) => {
    process.stdout.write(err ? 'invalid: ' + err.message : 'valid');
  });
});
`;

export async function validateWithSnsValidator(body: string, opts: { caFile: string; hostPattern: string }): Promise<string> {
  const child = spawn(process.execPath, ['-e', SCRIPT], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: opts.caFile, SNS_HOST_PATTERN: opts.hostPattern },
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: process.cwd(),
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  child.stdin.end(body);
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return out || `no answer: ${err}`;
}

// AWS's "Verifying the signatures of Amazon SNS messages": the keys signed, in order, when present.
const SIGNED_KEYS: Record<string, string[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

/**
 * Verifies an SNS message as AWS's page describes, with the certificate fetched from its
 * SigningCertURL. For UnsubscribeConfirmation, where `sns-validator` signs over the Notification
 * keys (leaving out Token, unlike AWS's page and aws-sdk-php's MessageValidator).
 */
export async function verifyAsAwsDocuments(body: string, caFile: string): Promise<boolean> {
  const message = JSON.parse(body) as Record<string, string>;
  const cert = await new Promise<string>((resolve, reject) =>
    httpsGet(message.SigningCertURL!, { ca: readFileSync(caFile) }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(text));
    }).on('error', reject),
  );
  const signed = SIGNED_KEYS[message.Type!]!.filter((k) => k in message).map((k) => `${k}\n${message[k]}\n`).join('');
  return verify(message.SignatureVersion === '2' ? 'sha256' : 'sha1', Buffer.from(signed), cert, Buffer.from(message.Signature!, 'base64'));
}
