import { NodeSha256 } from '../../support/node-sha256.js';
import { createHash, createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { GetEmailIdentityCommand, ListSuppressedDestinationsCommand, SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import type { AwsError } from '../../../src/domain/errors.js';
import {
  canonicalQueryString,
  canonicalUri,
  deriveSigningKey,
  deriveSigningKeyUncached,
  hasSigV4,
  readSigV4Claims,
  SignatureMismatchError,
  sigV4CanonicalRequest,
  sigV4Signature,
  sigV4aRegion,
  sigV4StringToSign,
  verifyAws3Https,
  verifySigV4,
  type SignedRequest,
  type SigningKeyInfo,
  type VerifyOptions,
  type WireProtocol,
} from '../../../src/protocol/sigv4.js';
import { sigV4aPublicKey } from '../../../src/protocol/sigv4a-key.js';

const SUITE = new URL('../../fixtures/sigv4/v4/', import.meta.url);
const SUITE_V4A = new URL('../../fixtures/sigv4/v4a/', import.meta.url);
const ACCOUNT_ID = '123456789012';
const SUITE_KEY = { id: 'AKIDEXAMPLE', secret: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SUITE_TIME = new Date('2015-08-30T12:36:00Z');

interface SuiteContext {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  normalize: boolean;
  region: string;
  service: string;
  sign_body: boolean;
  timestamp: string;
  omit_session_token?: boolean;
}

const readCase = (name: string, file: string, suite = SUITE): string => readFileSync(new URL(`${name}/${file}`, suite), 'utf8');

/** Parses the suite's HTTP request text into what the HTTP layer would hand over (rawHeaders included). */
function parseHttp(text: string): SignedRequest {
  const blank = text.indexOf('\n\n');
  const head = blank < 0 ? text : text.slice(0, blank);
  const body = blank < 0 ? '' : text.slice(blank + 2);
  const [requestLine = '', ...lines] = head.split('\n');
  // The target may hold a space (get-space-*), so the version is whatever follows the last one.
  const method = requestLine.slice(0, requestLine.indexOf(' '));
  const target = requestLine.slice(requestLine.indexOf(' ') + 1, requestLine.lastIndexOf(' '));
  const q = target.indexOf('?');
  const rawHeaders: string[] = [];
  for (const line of lines) {
    if (line === '') continue;
    if (/^[ \t]/.test(line)) {
      rawHeaders[rawHeaders.length - 1] += '\n' + line; // obsolete line folding (get-header-value-multiline)
      continue;
    }
    const colon = line.indexOf(':');
    rawHeaders.push(line.slice(0, colon), line.slice(colon + 1));
  }
  return {
    method,
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? '' : target.slice(q + 1),
    headers: nodeHeaders(rawHeaders),
    rawHeaders,
    body: Buffer.from(body),
  };
}

/** What node's IncomingMessage.headers makes of raw headers: lower-case names, repeats joined with ', '. */
function nodeHeaders(rawHeaders: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!.trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}

const keys = (entries: Record<string, string>) => async (id: string): Promise<SigningKeyInfo | undefined> =>
  entries[id] === undefined ? undefined : { secretAccessKey: entries[id], accountId: ACCOUNT_ID };

const suiteOptions = (overrides: Partial<VerifyOptions> = {}): VerifyOptions => ({
  protocol: 'rest-json',
  lookupKey: keys({ [SUITE_KEY.id]: SUITE_KEY.secret }),
  now: () => SUITE_TIME,
  ...overrides,
});

async function rejection(promise: Promise<unknown>): Promise<AwsError> {
  try {
    await promise;
  } catch (err) {
    return err as AwsError;
  }
  throw new Error('expected the request to be rejected');
}

describe('the AWS SigV4 test suite (aws-c-auth tests/aws-signing-test-suite/v4)', () => {
  const cases = readdirSync(SUITE).sort();
  // The token is appended to the query after signing, so the signature does not cover it; a server signs
  // every query parameter but X-Amz-Signature and cannot know which one the client left out.
  const skipped: Record<string, string> = {
    'post-sts-header-after/query': 'the session token was added to the query after signing',
  };

  it('is all there', () => {
    expect(cases.length).toBe(38);
  });

  for (const name of cases) {
    for (const form of ['header', 'query'] as const) {
      const reason = skipped[`${name}/${form}`];
      if (reason) {
        it.skip(`${name} (${form}): skipped, ${reason}`, () => {});
        continue;
      }
      it(`${name} (${form}) verifies and rebuilds the suite's canonical request and string to sign`, async () => {
        const context = JSON.parse(readCase(name, 'context.json')) as SuiteContext;
        const req = parseHttp(readCase(name, `${form}-signed-request.txt`));
        const claims = readSigV4Claims(req, 'rest-json');
        const canonicalRequest = sigV4CanonicalRequest(req, claims, context.normalize);
        expect(canonicalRequest).toBe(readCase(name, `${form}-canonical-request.txt`));
        const stringToSign = sigV4StringToSign(claims, canonicalRequest);
        expect(stringToSign).toBe(readCase(name, `${form}-string-to-sign.txt`));
        const { access_key_id: id, secret_access_key: secret } = context.credentials;
        const key = deriveSigningKey(secret, claims.date, context.region, context.service);
        expect(sigV4Signature(key, stringToSign)).toBe(readCase(name, `${form}-signature.txt`));

        const options = suiteOptions({ lookupKey: keys({ [id]: secret }), now: () => new Date(context.timestamp), normalizePath: context.normalize });
        await expect(verifySigV4(req, options)).resolves.toEqual({
          accessKeyId: id,
          accountId: ACCOUNT_ID,
          region: context.region,
          service: context.service,
          date: '20150830',
        });
        // Without rawHeaders (node's joined headers) it still verifies unless a signed header repeats.
        const repeats = new Set(req.rawHeaders!.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase())).size < req.rawHeaders!.length / 2;
        if (!repeats) await expect(verifySigV4({ ...req, rawHeaders: undefined }, options)).resolves.toBeTruthy();
      });
    }
  }

  it('needs rawHeaders for a repeated signed header, because node joins repeats with ", "', async () => {
    const req = parseHttp(readCase('get-header-key-duplicate', 'header-signed-request.txt'));
    expect(req.headers['my-header1']).toBe('value2, value2, value1');
    const err = await rejection(verifySigV4({ ...req, rawHeaders: undefined }, suiteOptions()));
    expect(err.code).toBe('InvalidSignatureException');
  });
});

// SigV4a signatures are ECDSA, so no signature can be rebuilt to compare: each suite request is
// verified with the key sesd derives (held to the suite's public key) and must fail once changed.
describe('the AWS SigV4a test suite (aws-c-auth tests/aws-signing-test-suite/v4a)', () => {
  const cases = readdirSync(SUITE_V4A).sort();
  // Two of the suite's folders hold only the unsigned request.
  const signed = cases.filter((name) => readdirSync(new URL(`${name}/`, SUITE_V4A)).includes('header-signed-request.txt'));
  const skipped: Record<string, string> = {
    'post-sts-header-after/query': 'the session token was added to the query after signing',
  };

  it('is all there', () => {
    expect(cases.length).toBe(40);
  });

  it("derives the suite's public key from its credentials", () => {
    const { X, Y } = JSON.parse(readCase('get-vanilla', 'public-key.json', SUITE_V4A)) as { X: string; Y: string };
    const jwk = sigV4aPublicKey(SUITE_KEY.id, SUITE_KEY.secret).export({ format: 'jwk' });
    expect(Buffer.from(jwk.x!, 'base64url').toString('hex')).toBe(X);
    expect(Buffer.from(jwk.y!, 'base64url').toString('hex')).toBe(Y);
  });

  for (const name of signed) {
    for (const form of ['header', 'query'] as const) {
      const reason = skipped[`${name}/${form}`];
      if (reason) {
        it.skip(`${name} (${form}): skipped, ${reason}`, () => {});
        continue;
      }
      it(`${name} (${form}) verifies, rebuilds the suite's canonical request and string to sign, and fails with another signature`, async () => {
        const context = JSON.parse(readCase(name, 'context.json', SUITE_V4A)) as SuiteContext;
        const req = parseHttp(readCase(name, `${form}-signed-request.txt`, SUITE_V4A));
        const claims = readSigV4Claims(req, 'rest-json');
        const canonicalRequest = sigV4CanonicalRequest(req, claims, context.normalize);
        expect(canonicalRequest).toBe(readCase(name, `${form}-canonical-request.txt`, SUITE_V4A));
        expect(sigV4StringToSign(claims, canonicalRequest)).toBe(readCase(name, `${form}-string-to-sign.txt`, SUITE_V4A));

        const { access_key_id: id, secret_access_key: secret } = context.credentials;
        const options = suiteOptions({ lookupKey: keys({ [id]: secret }), now: () => new Date(context.timestamp), normalizePath: context.normalize });
        await expect(verifySigV4(req, options)).resolves.toEqual({ accessKeyId: id, accountId: ACCOUNT_ID, region: context.region, service: context.service, date: '20150830' });

        // The suite's signature of a case with another string to sign: valid DER, wrong for this request
        // (get-relative-normalized and get-vanilla sign the same string, so either's signature is good for both).
        const ownText = readCase(name, `${form}-string-to-sign.txt`, SUITE_V4A);
        const otherCase = signed.find((c) => readCase(c, `${form}-string-to-sign.txt`, SUITE_V4A) !== ownText)!;
        const other = readCase(otherCase, `${form}-signed-request.txt`, SUITE_V4A);
        const otherSignature = /Signature=([0-9a-f]+)/.exec(other)![1]!;
        const signature = claims.signature;
        const swapped = (text: string) => text.split(signature).join(otherSignature);
        const forged = { ...req, query: swapped(req.query), headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, swapped(String(v))])), rawHeaders: req.rawHeaders!.map(swapped) };
        expect((await rejection(verifySigV4(forged, options))).code).toBe('InvalidSignatureException');
      });
    }
  }

  it('serves a region set of one region there, and a wildcard set in the default region it covers', () => {
    expect(sigV4aRegion('eu-west-1', 'us-east-1')).toBe('eu-west-1');
    expect(sigV4aRegion('*', 'us-east-1')).toBe('us-east-1');
    expect(sigV4aRegion('eu-west-1,us-*', 'us-east-1')).toBe('us-east-1');
    expect(sigV4aRegion('eu-*', 'us-east-1')).toBeUndefined();
    expect(sigV4aRegion('*', undefined)).toBeUndefined();
  });

  it('refuses a region set the signature does not cover, and a set outside the default region', async () => {
    const req = parseHttp(readCase('get-vanilla', 'header-signed-request.txt', SUITE_V4A));
    const unsigned = { ...req, headers: { ...req.headers, authorization: String(req.headers.authorization).replace('host;x-amz-date;x-amz-region-set', 'host;x-amz-date') }, rawHeaders: undefined };
    expect((await rejection(verifySigV4(unsigned, suiteOptions()))).message).toBe("'X-Amz-Region-Set' must be a 'SignedHeader' in the AWS Authorization.");
    const elsewhere = { ...req, headers: { ...req.headers, 'x-amz-region-set': 'eu-*' }, rawHeaders: undefined };
    expect((await rejection(verifySigV4(elsewhere, suiteOptions({ defaultRegion: 'us-east-1' })))).message).toBe(
      "The region set 'eu-*' does not include this endpoint's region, us-east-1.",
    );
    const missing = { ...req, headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'x-amz-region-set')), rawHeaders: undefined };
    expect((await rejection(verifySigV4(missing, suiteOptions()))).message).toBe("AWS4-ECDSA-P256-SHA256 requires the region set it signs, in 'X-Amz-Region-Set'.");
  });
});

describe('building blocks', () => {
  it('double-encodes the wire path, as the SDKs sign every service but S3', () => {
    expect(canonicalUri('/v2/email/identities/user%40example.com')).toBe('/v2/email/identities/user%2540example.com');
    expect(canonicalUri('/a b/ሴ/')).toBe('/a%20b/%E1%88%B4/');
    expect(canonicalUri('')).toBe('/');
    expect(canonicalUri('//a/./b/../c//', true)).toBe('/a/c/');
    expect(canonicalUri('//a/./b/../c//', false)).toBe('//a/./b/../c//');
  });

  it('decodes and re-encodes query parameters, sorting by key then value', () => {
    expect(canonicalQueryString('b=2&a=2&a=1&c')).toBe('a=1&a=2&b=2&c=');
    expect(canonicalQueryString('k=a%20b&x=%2f&u=ሴ')).toBe('k=a%20b&u=%E1%88%B4&x=%2F');
    expect(canonicalQueryString('p=a+b')).toBe('p=a%2Bb');
    expect(canonicalQueryString('bad=%zz&ok=1')).toBe('bad=%25zz&ok=1');
    expect(canonicalQueryString('X-Amz-Signature=abc&a=1', 'X-Amz-Signature')).toBe('a=1');
    expect(canonicalQueryString('')).toBe('');
  });

  it('caches signing keys without changing them', () => {
    const first = deriveSigningKey(SUITE_KEY.secret, '20150830', 'us-east-1', 'service');
    expect(first.equals(deriveSigningKeyUncached(SUITE_KEY.secret, '20150830', 'us-east-1', 'service'))).toBe(true);
    expect(deriveSigningKey(SUITE_KEY.secret, '20150830', 'us-east-1', 'service')).toBe(first);
    expect(deriveSigningKey(SUITE_KEY.secret, '20150831', 'us-east-1', 'service').equals(first)).toBe(false);
  });

  it('tells SigV4 requests apart', () => {
    const base = { method: 'GET', path: '/', query: '', headers: {}, body: Buffer.alloc(0) };
    expect(hasSigV4(base)).toBe(false);
    expect(hasSigV4({ ...base, headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x' } })).toBe(true);
    expect(hasSigV4({ ...base, headers: { authorization: 'AWS4-ECDSA-P256-SHA256 Credential=x' } })).toBe(true);
    expect(hasSigV4({ ...base, headers: { authorization: 'Bearer x' } })).toBe(false);
    expect(hasSigV4({ ...base, query: 'a=1&X-Amz-Algorithm=AWS4-HMAC-SHA256' })).toBe(true);
    expect(hasSigV4({ ...base, headers: { 'x-amzn-authorization': 'AWS3-HTTPS AWSAccessKeyId=x' } })).toBe(false);
  });
});

const FORM_CASE = 'post-x-www-form-urlencoded';
const QUERY_CASE = 'get-vanilla-query-order-key-case';
const codes: Record<WireProtocol, { mismatch: string; expired: string }> = {
  'rest-json': { mismatch: 'InvalidSignatureException', expired: 'InvalidSignatureException' },
  query: { mismatch: 'SignatureDoesNotMatch', expired: 'SignatureDoesNotMatch' },
};

describe('tampered requests', () => {
  const headerSigned = () => parseHttp(readCase(FORM_CASE, 'header-signed-request.txt'));
  const querySigned = () => parseHttp(readCase(QUERY_CASE, 'query-signed-request.txt'));
  const setRaw = (req: SignedRequest, name: string, value: string): SignedRequest => {
    const rawHeaders = [...req.rawHeaders!];
    const at = rawHeaders.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === name);
    if (at < 0) rawHeaders.push(name, value);
    else rawHeaders[at + 1] = value;
    return { ...req, rawHeaders, headers: nodeHeaders(rawHeaders) };
  };
  const flip = (hex: string) => hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');

  const tampers: Array<[string, (req: SignedRequest) => SignedRequest, string?]> = [
    ['the method', (r) => ({ ...r, method: 'PUT' })],
    ['the path', (r) => ({ ...r, path: '/other' })],
    ['a signed header value', (r) => setRaw(r, 'content-type', 'application/json')],
    ['the query', (r) => ({ ...r, query: r.query ? `${r.query}&extra=1` : 'extra=1' })],
    ['the body', (r) => ({ ...r, body: Buffer.from('Param1=value2') }), "The provided 'x-amz-content-sha256' header does not match what was computed."],
    ['the body and its declared hash', (r) => setRaw({ ...r, body: Buffer.from('Param1=value2') }, 'x-amz-content-sha256', createHash('sha256').update('Param1=value2').digest('hex'))],
    ['the signature', (r) => setRaw(r, 'authorization', r.headers.authorization!.toString().replace(/[0-9a-f]$/, (c) => (c === '0' ? '1' : '0')))],
    ['the date', (r) => setRaw(r, 'x-amz-date', '20150830T123601Z')],
  ];

  for (const protocol of ['rest-json', 'query'] as const) {
    for (const [what, tamper, message] of tampers) {
      it(`rejects a header-signed request whose ${what} changed, with ${codes[protocol].mismatch} (${protocol})`, async () => {
        const req = tamper(headerSigned());
        const err = await rejection(verifySigV4(req, suiteOptions({ protocol })));
        expect(err).toMatchObject({ code: codes[protocol].mismatch, httpStatus: 403, senderFault: true });
        expect(err.message).toBe(message ?? 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
      });
    }
  }

  it('hands the canonical request and string to sign of a mismatch to the caller for its logs', async () => {
    const err = await rejection(verifySigV4({ ...headerSigned(), method: 'PUT' }, suiteOptions()));
    expect(err).toBeInstanceOf(SignatureMismatchError);
    expect((err as SignatureMismatchError).canonicalRequest).toMatch(/^PUT\n\/\n\n/);
    expect((err as SignatureMismatchError).stringToSign).toMatch(/^AWS4-HMAC-SHA256\n20150830T123600Z\n/);
  });

  it('accepts a change to an unsigned header', async () => {
    await expect(verifySigV4(setRaw(headerSigned(), 'user-agent', 'curl/8'), suiteOptions())).resolves.toBeTruthy();
  });

  const presignedTampers: Array<[string, (req: SignedRequest) => SignedRequest]> = [
    ['the path', (r) => ({ ...r, path: '/x' })],
    ['a query parameter', (r) => ({ ...r, query: r.query.replace('Param1=value1', 'Param1=value9') })],
    ['X-Amz-Expires', (r) => ({ ...r, query: r.query.replace('X-Amz-Expires=3600', 'X-Amz-Expires=7200') })],
    ['X-Amz-Date', (r) => ({ ...r, query: r.query.replace('X-Amz-Date=20150830T123600Z', 'X-Amz-Date=20150830T123601Z') })],
    ['X-Amz-Signature', (r) => ({ ...r, query: r.query.replace(/X-Amz-Signature=([0-9a-f]+)/, (_, s: string) => `X-Amz-Signature=${flip(s)}`) })],
    ['the host', (r) => setRaw(r, 'host', 'evil.example.com')],
    ['the method', (r) => ({ ...r, method: 'POST' })],
  ];
  for (const [what, tamper] of presignedTampers) {
    it(`rejects a presigned request whose ${what} changed`, async () => {
      const err = await rejection(verifySigV4(tamper(querySigned()), suiteOptions({ protocol: 'query' })));
      expect(err).toMatchObject({ code: 'SignatureDoesNotMatch', httpStatus: 403 });
    });
  }
});

describe('authentication failures', () => {
  const vanilla = () => parseHttp(readCase('get-vanilla', 'header-signed-request.txt'));
  const withAuthorization = (value: string | undefined): SignedRequest => {
    const req = vanilla();
    const headers = { ...req.headers };
    if (value === undefined) delete headers.authorization;
    else headers.authorization = value;
    return { ...req, headers, rawHeaders: undefined };
  };

  it('rejects an unknown access key with UnrecognizedClientException (rest-json) and InvalidClientTokenId (query)', async () => {
    for (const [protocol, code] of [['rest-json', 'UnrecognizedClientException'], ['query', 'InvalidClientTokenId']] as const) {
      const err = await rejection(verifySigV4(vanilla(), suiteOptions({ protocol, lookupKey: keys({}) })));
      expect(err).toMatchObject({ code, httpStatus: 403, message: 'The security token included in the request is invalid.' });
    }
  });

  it('rejects an unsigned request with MissingAuthenticationTokenException (rest-json) and MissingAuthenticationToken (query)', async () => {
    expect(await rejection(verifySigV4(withAuthorization(undefined), suiteOptions()))).toMatchObject({
      code: 'MissingAuthenticationTokenException',
      httpStatus: 403,
      message: 'Missing Authentication Token',
    });
    expect(await rejection(verifySigV4(withAuthorization(undefined), suiteOptions({ protocol: 'query' })))).toMatchObject({
      code: 'MissingAuthenticationToken',
      httpStatus: 403,
      message: 'Request is missing Authentication Token',
    });
  });

  it('rejects an Authorization header missing its parts with IncompleteSignature, naming each part', async () => {
    const header = 'AWS4-HMAC-SHA256 Credential=ABCDEF';
    const expected =
      "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. " +
      'Authorization=AWS4-HMAC-SHA256 Credential=ABCDEF';
    expect(await rejection(verifySigV4(withAuthorization(header), suiteOptions({ protocol: 'query' })))).toMatchObject({
      code: 'IncompleteSignature',
      httpStatus: 400,
      message: expected,
    });
    expect(await rejection(verifySigV4(withAuthorization(header), suiteOptions()))).toMatchObject({
      code: 'IncompleteSignatureException',
      httpStatus: 403,
      message: expected,
    });
  });

  it('rejects other Authorization schemes and malformed parts with IncompleteSignature', async () => {
    const good = vanilla().headers.authorization as string;
    const cases: Array<[string, string]> = [
      ['Bearer eyJ0eXAi', "'eyJ0eXAi' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer eyJ0eXAi'."],
      ['eyJ0eXAi', "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=eyJ0eXAi"],
      [good.replace('AKIDEXAMPLE/', 'AKIDEXAMPLE /'), `'/20150830/us-east-1/service/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: '${good.replace('AKIDEXAMPLE/', 'AKIDEXAMPLE /')}'.`],
      [good.replace('AWS4-HMAC-SHA256', 'AWS4-RSA-SHA256'), "Unsupported AWS 'algorithm': 'AWS4-RSA-SHA256' (only AWS4-HMAC-SHA256 for now). "],
      [good.replace('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256'), "Credential must have exactly 4 slash-delimited elements, e.g. keyid/date/service/term, got 'AKIDEXAMPLE/20150830/us-east-1/service/aws4_request'"],
      [good.replace('/us-east-1/', '/'), "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20150830/service/aws4_request'"],
    ];
    for (const [header, message] of cases) {
      expect(await rejection(verifySigV4(withAuthorization(header), suiteOptions()))).toMatchObject({ code: 'IncompleteSignatureException', message });
    }
  });

  it('rejects a request without a date, or with a malformed X-Amz-Date, with IncompleteSignature', async () => {
    const req = vanilla();
    const noDate = { ...req, rawHeaders: undefined, headers: { ...req.headers, 'x-amz-date': undefined } };
    expect((await rejection(verifySigV4(noDate, suiteOptions()))).message).toBe(
      `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${req.headers.authorization}`,
    );
    const badDate = { ...noDate, headers: { ...noDate.headers, 'x-amz-date': '2015-08-30T12:36:00Z' } };
    expect(await rejection(verifySigV4(badDate, suiteOptions()))).toMatchObject({
      code: 'IncompleteSignatureException',
      message: "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
    });
  });

  it('rejects a presigned request missing parameters with IncompleteSignature', async () => {
    const req = parseHttp(readCase('get-vanilla', 'query-signed-request.txt'));
    const query = req.query.replace(/&X-Amz-Credential=[^&]*/, '').replace(/&X-Amz-Signature=[^&]*/, '');
    expect(await rejection(verifySigV4({ ...req, query }, suiteOptions({ protocol: 'query' })))).toMatchObject({
      code: 'IncompleteSignature',
      message: "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters.",
    });
  });

  it('rejects a request signed both ways', async () => {
    const req = parseHttp(readCase('get-vanilla', 'query-signed-request.txt'));
    const both = { ...req, headers: { ...req.headers, authorization: vanilla().headers.authorization } };
    expect(await rejection(verifySigV4(both, suiteOptions()))).toMatchObject({
      code: 'InvalidSignatureException',
      message: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
    });
  });

  it('requires host to be signed', async () => {
    const req = parseHttp(readCase('get-vanilla', 'query-signed-request.txt'));
    const query = req.query.replace('X-Amz-SignedHeaders=host', 'X-Amz-SignedHeaders=x-amz-date');
    expect(await rejection(verifySigV4({ ...req, query }, suiteOptions({ protocol: 'query' })))).toMatchObject({
      code: 'SignatureDoesNotMatch',
      message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    });
  });

  it('requires the credential scope to match the request date and end in aws4_request', async () => {
    const good = vanilla().headers.authorization as string;
    const header = good.replace('20150830/us-east-1/service/aws4_request', '20150831/us-east-1/service/aws5_request');
    expect((await rejection(verifySigV4(withAuthorization(header), suiteOptions()))).message).toBe(
      "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. " +
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150831' != '20150830', from '20150830T123600Z'.",
    );
  });

  describe('clock', () => {
    const at = (iso: string) => () => new Date(iso);

    it('accepts a request up to the skew away, either way', async () => {
      await expect(verifySigV4(vanilla(), suiteOptions({ now: at('2015-08-30T12:41:00Z') }))).resolves.toBeTruthy();
      await expect(verifySigV4(vanilla(), suiteOptions({ now: at('2015-08-30T12:31:00Z') }))).resolves.toBeTruthy();
    });

    for (const protocol of ['rest-json', 'query'] as const) {
      it(`rejects a request older than the skew with ${codes[protocol].expired} (${protocol})`, async () => {
        expect(await rejection(verifySigV4(vanilla(), suiteOptions({ protocol, now: at('2015-08-30T12:41:01Z') })))).toMatchObject({
          code: codes[protocol].expired,
          httpStatus: 403,
          message: 'Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T124101Z - 5 min.)',
        });
      });

      it(`rejects a request dated beyond the skew in the future with ${codes[protocol].expired} (${protocol})`, async () => {
        expect(await rejection(verifySigV4(vanilla(), suiteOptions({ protocol, now: at('2015-08-30T12:30:59Z') })))).toMatchObject({
          code: codes[protocol].expired,
          httpStatus: 403,
          message: 'Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z (20150830T123059Z + 5 min.)',
        });
      });
    }

    it('honours maxSkewMs', async () => {
      const err = await rejection(verifySigV4(vanilla(), suiteOptions({ now: at('2015-08-30T12:37:01Z'), maxSkewMs: 60_000 })));
      expect(err.message).toBe('Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T123701Z - 1 min.)');
    });

    it('keeps a presigned URL valid until X-Amz-Expires, and not after', async () => {
      const req = parseHttp(readCase('get-vanilla', 'query-signed-request.txt'));
      await expect(verifySigV4(req, suiteOptions({ now: at('2015-08-30T13:36:00Z') }))).resolves.toBeTruthy();
      expect(await rejection(verifySigV4(req, suiteOptions({ now: at('2015-08-30T13:36:01Z') })))).toMatchObject({
        code: 'InvalidSignatureException',
        message: 'Request has expired',
      });
      expect((await rejection(verifySigV4(req, suiteOptions({ now: at('2015-08-30T12:30:59Z') })))).message).toMatch(/^Signature not yet current/);
    });

    it('rejects a malformed or over-long X-Amz-Expires', async () => {
      const req = parseHttp(readCase('get-vanilla', 'query-signed-request.txt'));
      for (const [value, message] of [
        ['soon', 'X-Amz-Expires should be a number'],
        ['604801', 'X-Amz-Expires must be less than a week (in seconds) that is 604800'],
      ]) {
        const query = req.query.replace('X-Amz-Expires=3600', `X-Amz-Expires=${value}`);
        expect(await rejection(verifySigV4({ ...req, query }, suiteOptions({ protocol: 'query' })))).toMatchObject({ code: 'IncompleteSignature', message });
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The SDK's own signer.

const SDK_KEY = { accessKeyId: 'AKIASESDTEST0000001', secretAccessKey: 'sesd/secret+key/for/tests0000000000000000' };
const SDK_HOST = 'email.us-west-2.amazonaws.com';
const SIGNED_AT = new Date('2024-05-01T10:00:00Z');
const sdkOptions = (overrides: Partial<VerifyOptions> = {}): VerifyOptions => ({
  protocol: 'rest-json',
  lookupKey: keys({ [SDK_KEY.accessKeyId]: SDK_KEY.secretAccessKey }),
  now: () => SIGNED_AT,
  ...overrides,
});

interface SdkRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

/** The query string as the SDK's node handler writes it (RFC 3986 escapes). */
const escape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
function wireQuery(query: SdkRequest['query'] = {}): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    for (const value of Array.isArray(v) ? v : [v]) parts.push(value === null ? escape(k) : `${escape(k)}=${escape(value)}`);
  }
  return parts.join('&');
}

function toSignedRequest(sdk: SdkRequest): SignedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(sdk.headers)) headers[name.toLowerCase()] = value;
  const body = sdk.body === undefined ? Buffer.alloc(0) : Buffer.from(sdk.body as string | Uint8Array);
  return { method: sdk.method, path: sdk.path, query: wireQuery(sdk.query), headers, body };
}

const signer = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = SDK_KEY) =>
  new SignatureV4({ credentials, region: 'us-west-2', service: 'ses', sha256: NodeSha256 });

const sendEmailRequest = () => ({
  method: 'POST',
  protocol: 'https:',
  hostname: SDK_HOST,
  path: '/v2/email/outbound-emails',
  query: {},
  headers: { host: SDK_HOST, 'content-type': 'application/json' },
  body: JSON.stringify({ FromEmailAddress: 'a@example.com', Destination: { ToAddresses: ['b@example.com'] }, Content: { Simple: { Subject: { Data: 'Hi ✓' }, Body: { Text: { Data: 'Hello' } } } } }),
});

describe('requests signed by @smithy/signature-v4', () => {
  it('verifies a POST /v2/email/outbound-emails with a JSON body', async () => {
    const signed = await signer().sign(sendEmailRequest(), { signingDate: SIGNED_AT });
    await expect(verifySigV4(toSignedRequest(signed as SdkRequest), sdkOptions())).resolves.toEqual({
      accessKeyId: SDK_KEY.accessKeyId,
      accountId: ACCOUNT_ID,
      region: 'us-west-2',
      service: 'ses',
      date: '20240501',
    });
  });

  it('rejects it when the secret differs', async () => {
    const signed = await signer({ ...SDK_KEY, secretAccessKey: 'another-secret' }).sign(sendEmailRequest(), { signingDate: SIGNED_AT });
    expect(await rejection(verifySigV4(toSignedRequest(signed as SdkRequest), sdkOptions()))).toMatchObject({ code: 'InvalidSignatureException', httpStatus: 403 });
  });

  it('verifies a request carrying a session token', async () => {
    const signed = await signer({ ...SDK_KEY, sessionToken: 'FwoGZXIvYXdzE+/token==' }).sign(sendEmailRequest(), { signingDate: SIGNED_AT });
    expect(signed.headers['x-amz-security-token']).toBeDefined();
    await expect(verifySigV4(toSignedRequest(signed as SdkRequest), sdkOptions())).resolves.toBeTruthy();
  });

  it('accepts UNSIGNED-PAYLOAD, which leaves the body out of the signature', async () => {
    const request = sendEmailRequest();
    const signed = await signer().sign({ ...request, headers: { ...request.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }, { signingDate: SIGNED_AT });
    const req = toSignedRequest(signed as SdkRequest);
    await expect(verifySigV4({ ...req, body: Buffer.from('{}') }, sdkOptions())).resolves.toBeTruthy();
  });

  it('verifies a presigned GET with a query, and rejects it with a wrong secret', async () => {
    const request = {
      method: 'GET',
      protocol: 'https:',
      hostname: SDK_HOST,
      path: '/v2/email/identities',
      query: { PageSize: '5', NextToken: "a b+c/=~!'()*ሴ" },
      headers: { host: SDK_HOST },
    };
    const presigned = await signer().presign(request, { signingDate: SIGNED_AT, expiresIn: 900 });
    const req = toSignedRequest(presigned as SdkRequest);
    expect(req.query).toContain('X-Amz-Signature=');
    await expect(verifySigV4(req, sdkOptions({ now: () => new Date(SIGNED_AT.getTime() + 10 * 60_000) }))).resolves.toBeTruthy();
    const wrong = await signer({ ...SDK_KEY, secretAccessKey: 'another-secret' }).presign(request, { signingDate: SIGNED_AT, expiresIn: 900 });
    expect(await rejection(verifySigV4(toSignedRequest(wrong as SdkRequest), sdkOptions({ protocol: 'query' })))).toMatchObject({ code: 'SignatureDoesNotMatch' });
  });
});

describe('requests sent by the real SESv2Client', () => {
  /** Runs a command against a handler that captures the wire request instead of sending it. */
  async function capture(send: (client: SESv2Client) => Promise<unknown>, secretAccessKey = SDK_KEY.secretAccessKey): Promise<SignedRequest> {
    let captured: SdkRequest | undefined;
    const client = new SESv2Client({
      region: 'us-west-2',
      credentials: { accessKeyId: SDK_KEY.accessKeyId, secretAccessKey },
      maxAttempts: 1,
      requestHandler: {
        handle: async (request: SdkRequest) => {
          captured = request;
          throw new Error('captured');
        },
      },
    });
    await send(client).catch(() => undefined);
    if (!captured) throw new Error('the client sent nothing');
    return toSignedRequest(captured);
  }
  const liveOptions = () => sdkOptions({ now: () => new Date() });

  it('verifies SendEmail', async () => {
    const req = await capture((client) =>
      client.send(
        new SendEmailCommand({
          FromEmailAddress: 'sender@example.com',
          Destination: { ToAddresses: ['to@example.com'] },
          Content: { Simple: { Subject: { Data: 'Hello' }, Body: { Text: { Data: 'Hi there' } } } },
        }),
      ),
    );
    expect(req.path).toBe('/v2/email/outbound-emails');
    await expect(verifySigV4(req, liveOptions())).resolves.toMatchObject({ service: 'ses', region: 'us-west-2' });
  });

  it('verifies a path label the SDK percent-encodes (GetEmailIdentity)', async () => {
    const req = await capture((client) => client.send(new GetEmailIdentityCommand({ EmailIdentity: 'user+tag@example.com' })));
    expect(req.path).toBe('/v2/email/identities/user%2Btag%40example.com');
    await expect(verifySigV4(req, liveOptions())).resolves.toBeTruthy();
  });

  it('verifies a query the SDK encodes, with a repeated key (ListSuppressedDestinations)', async () => {
    const req = await capture((client) => client.send(new ListSuppressedDestinationsCommand({ Reasons: ['COMPLAINT', 'BOUNCE'], NextToken: 'a b+c/=' })));
    expect(req.query).toBe('Reason=COMPLAINT&Reason=BOUNCE&NextToken=a%20b%2Bc%2F%3D');
    await expect(verifySigV4(req, liveOptions())).resolves.toBeTruthy();
  });

  it('fails with a wrong secret', async () => {
    const req = await capture((client) => client.send(new GetEmailIdentityCommand({ EmailIdentity: 'example.com' })), 'not-the-secret');
    expect(await rejection(verifySigV4(req, liveOptions()))).toMatchObject({ code: 'InvalidSignatureException' });
  });
});

// ---------------------------------------------------------------------------------------------

describe('AWS3-HTTPS', () => {
  const date = 'Sun, 30 Aug 2015 12:36:00 GMT';
  const aws3 = (headers: Record<string, string>, algorithm = 'HmacSHA256', secret = SUITE_KEY.secret): SignedRequest => {
    const signedDate = headers.date ?? headers['x-amz-date'] ?? '';
    const signature = createHmac(algorithm === 'HmacSHA1' ? 'sha1' : 'sha256', secret).update(signedDate).digest('base64');
    return {
      method: 'POST',
      path: '/',
      query: '',
      headers: { ...headers, 'x-amzn-authorization': `AWS3-HTTPS AWSAccessKeyId=${SUITE_KEY.id}, Algorithm=${algorithm}, Signature=${signature}` },
      body: Buffer.from('Action=SendEmail'),
    };
  };
  const options = (overrides: Partial<VerifyOptions> = {}) => ({ ...suiteOptions({ protocol: 'query', ...overrides }), defaultRegion: 'eu-west-1' });

  it('accepts a good HmacSHA256 or HmacSHA1 signature of the Date header', async () => {
    const caller = { accessKeyId: SUITE_KEY.id, accountId: ACCOUNT_ID, region: 'eu-west-1', service: 'ses', date: '20150830' };
    await expect(verifyAws3Https(aws3({ date }), options())).resolves.toEqual(caller);
    await expect(verifyAws3Https(aws3({ date }, 'HmacSHA1'), options())).resolves.toEqual(caller);
  });

  it('falls back to X-Amz-Date when there is no Date header', async () => {
    await expect(verifyAws3Https(aws3({ 'x-amz-date': date }), options())).resolves.toBeTruthy();
  });

  it('rejects a bad signature with SignatureDoesNotMatch', async () => {
    expect(await rejection(verifyAws3Https(aws3({ date }, 'HmacSHA256', 'wrong'), options()))).toMatchObject({ code: 'SignatureDoesNotMatch', httpStatus: 403 });
    const other = { ...aws3({ date }), headers: { ...aws3({ date }).headers, date: 'Sun, 30 Aug 2015 12:36:01 GMT' } };
    expect(await rejection(verifyAws3Https(other, options()))).toMatchObject({ code: 'SignatureDoesNotMatch' });
  });

  it('rejects a request without a date with IncompleteSignature', async () => {
    expect(await rejection(verifyAws3Https(aws3({}), options()))).toMatchObject({
      code: 'IncompleteSignature',
      httpStatus: 400,
      message: "AWS3-HTTPS requires either a 'Date' or an 'X-Amz-Date' header.",
    });
  });

  it('rejects a date outside the skew with RequestExpired', async () => {
    expect(await rejection(verifyAws3Https(aws3({ date }), options({ now: () => new Date('2015-08-30T12:41:01Z') })))).toMatchObject({
      code: 'RequestExpired',
      httpStatus: 400,
      message: `Request timestamp: ${date} expired.  It must be within 300 secs/ of server time.`,
    });
  });

  it('rejects an unknown key, a missing header and an unknown algorithm', async () => {
    expect(await rejection(verifyAws3Https(aws3({ date }), options({ lookupKey: keys({}) })))).toMatchObject({ code: 'InvalidClientTokenId' });
    const { 'x-amzn-authorization': _, ...unsigned } = aws3({ date }).headers;
    expect(await rejection(verifyAws3Https({ ...aws3({ date }), headers: unsigned }, options()))).toMatchObject({ code: 'MissingAuthenticationToken' });
    expect(await rejection(verifyAws3Https(aws3({ date }, 'HmacMD5'), options()))).toMatchObject({ code: 'IncompleteSignature' });
  });
});
