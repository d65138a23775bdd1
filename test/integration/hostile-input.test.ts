// Client mistakes that used to be answered 500: a JSON value nested 10,000 deep (SES v2) and a
// Query scalar given only sub-parameters (SES v1), over real signed HTTP requests.
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { NodeSha256 } from '../support/node-sha256.js';
import { TEST_KEY, useSesd } from '../support/sesd.js';

describe.each(DIALECTS)('hostile input over HTTP (%s)', (dialect) => {
  const sesd = useSesd(dialect);

  async function signedPost(path: string, contentType: string, body: string): Promise<Response> {
    const url = new URL(sesd.app.httpUrl);
    const signer = new SignatureV4({ service: 'ses', region: 'us-east-1', credentials: TEST_KEY, sha256: NodeSha256 });
    const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, headers: { host: url.host, 'content-type': contentType }, body });
    return fetch(`${sesd.app.httpUrl}${path}`, { method: 'POST', headers: signed.headers as Record<string, string>, body });
  }

  it('answers SES v2 a value nested 10,000 deep with 400 BadRequestException', async () => {
    const deep = `${'{"a":'.repeat(10_000)}"x"${'}'.repeat(10_000)}`;
    const body = `{"FromEmailAddress":"a@example.com","Destination":{"ToAddresses":["b@example.net"]},"Content":{"Simple":{"Subject":{"Data":${deep}},"Body":{"Text":{"Data":"b"}}}}}`;
    const res = await signedPost('/v2/email/outbound-emails', 'application/json', body);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toMatch(/^BadRequestException/);
    const json = (await res.json()) as { message: string };
    expect(json.message).toMatch(/^Value '\{a=\{a=.*\.\.\.' at 'content\.simple\.subject\.data' could not be read as a string$/);
  });

  it('answers SES v1 `Destination.ToAddresses.member.1.x=` with 400 InvalidParameterValue', async () => {
    const body = 'Action=SendEmail&Version=2010-12-01&Source=a%40example.com&Destination.ToAddresses.member.1.x=&Message.Subject.Data=s&Message.Body.Text.Data=b';
    const res = await signedPost('/', 'application/x-www-form-urlencoded', body);
    expect(res.status).toBe(400);
    const xml = await res.text();
    expect(xml).toContain('<Code>InvalidParameterValue</Code>');
    expect(xml).toContain('<Message>Value &apos;Destination.ToAddresses.member.1.x&apos; at &apos;destination.toAddresses.1.member&apos; could not be read as a string (it was given as sub-parameters)</Message>');
  });

  // The form body is read only after the signature is checked: an unsigned body is never parsed
  // (a malformed escape, which parsing refuses with MalformedQueryString, gets the signature's 403).
  it('refuses an unsigned Query body before reading its parameters', async () => {
    const body = `Action=SendEmail&${'x=&'.repeat(100_000)}bad=%zz`;
    const res = await fetch(`${sesd.app.httpUrl}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('MalformedQueryString');
  });

  it('reads at most MAX_QUERY_PARAMS parameters of a signed Query body', async () => {
    const res = await signedPost('/', 'application/x-www-form-urlencoded', `Action=SendEmail&Version=2010-12-01&${Array.from({ length: 20_001 }, (_, i) => `p${i}=`).join('&')}`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('<Message>The query string has more than 20000 parameters.</Message>');
  });
});
