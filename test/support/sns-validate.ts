// Validates an SNS message with the `sns-validator` package exactly as a receiving application
// would: in its own Node process that trusts sesd's certificate through NODE_EXTRA_CA_CERTS (read
// only at process start, which is why this runs as a child), with the hostPattern of the
// certificate host (the README's receiver-side settings).
import { spawn } from 'node:child_process';

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
