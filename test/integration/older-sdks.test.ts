// Older SDKs: botocore 1.29 (Debian 12's boto3) sends ListContacts as GET .../contacts with a JSON
// body and PageSize/NextToken in the query, and signs that body. sesd reads bodies on every method
// for the signature and routes that older published form. A SigV4-signed GET with a body over a raw
// socket, and the real Debian boto3 when it is installed, on every database.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { CreateContactCommand, CreateContactListCommand } from '@aws-sdk/client-sesv2';
import { SignatureV4 } from '@smithy/signature-v4';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { NodeSha256 } from '../support/node-sha256.js';
import { sesv2Client, TEST_KEY, useSesd } from '../support/sesd.js';

// Debian's python3-boto3 (apt-get install python3-boto3) lives beside the system python.
const SYSTEM_PYTHON = '/usr/bin/python3';
const debianBoto3 = (() => {
  if (!existsSync(SYSTEM_PYTHON)) return undefined;
  try {
    return execFileSync(SYSTEM_PYTHON, ['-c', 'import botocore; print(botocore.__version__)'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
})();
if (!debianBoto3) console.log('[sesd tests] Debian boto3 test skipped: /usr/bin/python3 has no boto3 (apt-get install python3-boto3).');

/** A GET with a body, which fetch() refuses to send. */
function rawRequest(url: URL, method: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe.each(DIALECTS)('older SDK forms (%s)', (dialect) => {
  const sesd = useSesd(dialect);

  beforeAll(async () => {
    const ses = sesv2Client(sesd.app);
    await ses.send(new CreateContactListCommand({ ContactListName: 'older', Topics: [{ TopicName: 't', DisplayName: 'T', DefaultSubscriptionStatus: 'OPT_IN' }] }));
    await ses.send(new CreateContactCommand({ ContactListName: 'older', EmailAddress: 'in@example.net' }));
    await ses.send(new CreateContactCommand({ ContactListName: 'older', EmailAddress: 'out@example.net', UnsubscribeAll: true }));
  });

  it('verifies the signature of a GET over its body and routes the older ListContacts form', async () => {
    const url = new URL(sesd.app.httpUrl);
    const body = JSON.stringify({ Filter: { FilteredStatus: 'OPT_OUT' } });
    const path = '/v2/email/contact-lists/older/contacts';
    const signer = new SignatureV4({ service: 'ses', region: 'us-west-2', credentials: TEST_KEY, sha256: NodeSha256 });
    const signed = await signer.sign({
      method: 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path,
      query: { PageSize: '10' },
      headers: { host: url.host, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      body,
    });
    const res = await rawRequest(new URL(`${path}?PageSize=10`, url), 'GET', signed.headers as Record<string, string>, body);
    expect(res.status).toBe(200);
    const contacts = (JSON.parse(res.body) as { Contacts: { EmailAddress: string }[] }).Contacts.map((c) => c.EmailAddress);
    expect(contacts).toEqual(['out@example.net']);
  });

  it('refuses a GET whose body was changed after signing (the body is part of the signature)', async () => {
    const url = new URL(sesd.app.httpUrl);
    const path = '/v2/email/contact-lists/older/contacts';
    const signer = new SignatureV4({ service: 'ses', region: 'us-west-2', credentials: TEST_KEY, sha256: NodeSha256 });
    const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, headers: { host: url.host }, body: '{}' });
    const res = await rawRequest(new URL(path, url), 'GET', { ...(signed.headers as Record<string, string>), 'content-length': '2' }, '[]');
    expect(res.status).toBe(403);
  });

  it.skipIf(!debianBoto3)('lists contacts with the real Debian boto3 (botocore 1.29)', async () => {
    const script = `
import boto3, json, sys
c = boto3.client('sesv2', endpoint_url=sys.argv[1], region_name='us-west-2', aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
out = c.list_contacts(ContactListName='older', Filter={'FilteredStatus': 'OPT_OUT'}, PageSize=5)
print(json.dumps([x['EmailAddress'] for x in out['Contacts']]))
`;
    // Not execFileSync: sesd answers on this very event loop.
    const { stdout } = await promisify(execFile)(SYSTEM_PYTHON, ['-c', script, sesd.app.httpUrl, TEST_KEY.accessKeyId, TEST_KEY.secretAccessKey], { encoding: 'utf8' });
    expect(JSON.parse(stdout)).toEqual(['out@example.net']);
  });
});
