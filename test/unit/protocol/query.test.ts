import { describe, expect, it } from 'vitest';
import { AwsError } from '../../../src/domain/errors.js';
import { decodeQueryInput, encodeQueryError, encodeQueryOutput, javaDoubleText, parseQueryParams } from '../../../src/protocol/query.js';
import { linkModel, loadModel } from '../../../src/protocol/service-model.js';

const ses = loadModel('ses');
const NS = 'xmlns="http://ses.amazonaws.com/doc/2010-12-01/"';

function decode(form: string): Record<string, unknown> {
  const params = parseQueryParams(form);
  return decodeQueryInput(ses, params.get('Action')!, params);
}

function failure(fn: () => unknown): AwsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AwsError) return e;
    throw e;
  }
  throw new Error('expected an AwsError');
}

/** What an SDK sends: `k=v` pairs, form-encoded. */
const form = (pairs: Record<string, string>): string =>
  Object.entries(pairs)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%20/g, '+')}`)
    .join('&');

describe('parseQueryParams', () => {
  it('decodes + as a space and percent-escapes, lets the last repeat win, takes keys without =', () => {
    const p = parseQueryParams('a=1+2%2B3&b=%E2%9C%93&a=last&flag&empty=');
    expect([...p]).toEqual([
      ['a', 'last'],
      ['b', '✓'],
      ['flag', ''],
      ['empty', ''],
    ]);
  });

  it('refuses malformed percent-encoding', () => {
    expect(failure(() => parseQueryParams('a=%zz'))).toMatchObject({ code: 'MalformedQueryString', httpStatus: 404 });
  });
});

describe('query decoding (SES v1)', () => {
  it('reads SendEmail: nested structures, member lists, tags', () => {
    const input = decode(
      form({
        Action: 'SendEmail',
        Version: '2010-12-01',
        Source: 'Sender <sender@example.com>',
        'Destination.ToAddresses.member.1': 'a@example.com',
        'Destination.ToAddresses.member.2': 'b@example.com',
        'Destination.CcAddresses.member.1': 'c@example.com',
        'Message.Subject.Data': 'Hello world',
        'Message.Subject.Charset': 'UTF-8',
        'Message.Body.Html.Data': '<p>Hi & bye</p>',
        'Tags.member.1.Name': 'campaign',
        'Tags.member.1.Value': 'spring',
        ConfigurationSetName: 'cs',
      }),
    );
    expect(input).toEqual({
      Source: 'Sender <sender@example.com>',
      Destination: { ToAddresses: ['a@example.com', 'b@example.com'], CcAddresses: ['c@example.com'] },
      Message: { Subject: { Data: 'Hello world', Charset: 'UTF-8' }, Body: { Html: { Data: '<p>Hi & bye</p>' } } },
      Tags: [{ Name: 'campaign', Value: 'spring' }],
      ConfigurationSetName: 'cs',
    });
  });

  it('reads an empty list sent as the bare name', () => {
    const input = decode('Action=SendEmail&Source=s%40x.com&Destination.ToAddresses=&Message.Subject.Data=s&Message.Body.Text.Data=t');
    expect(input.Destination).toEqual({ ToAddresses: [] });
  });

  it('reads booleans, integers and blobs', () => {
    expect(decode('Action=SetIdentityDkimEnabled&Identity=example.com&DkimEnabled=true')).toEqual({ Identity: 'example.com', DkimEnabled: true });
    expect(decode('Action=ListIdentities&IdentityType=Domain&MaxItems=25')).toEqual({ IdentityType: 'Domain', MaxItems: 25 });
    const raw = Buffer.from('From: a@example.com\r\nTo: b@example.com\r\n\r\nHi');
    const input = decode(form({ Action: 'SendRawEmail', 'RawMessage.Data': raw.toString('base64'), 'Destinations.member.1': 'b@example.com' }));
    expect((input.RawMessage as { Data: Buffer }).Data.equals(raw)).toBe(true);
    expect(input.Destinations).toEqual(['b@example.com']);
  });

  it('answers SendEmail without Source the way SES does (ValidationError)', () => {
    const err = failure(() => decode('Action=SendEmail&Destination.ToAddresses.member.1=a%40b.com&Message.Subject.Data=s&Message.Body.Text.Data=t'));
    expect(err).toMatchObject({ code: 'ValidationError', httpStatus: 400, senderFault: true });
    expect(err.message).toBe("1 validation error detected: Value null at 'source' failed to satisfy constraint: Member must not be null");
  });

  it('lists every violation, nested ones by their path', () => {
    const err = failure(() => decode('Action=SendEmail&Message.Body.Text.Data=t'));
    expect(err.message).toBe(
      '3 validation errors detected: ' +
        "Value null at 'source' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'destination' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'message.subject' failed to satisfy constraint: Member must not be null",
    );
  });

  it('checks enums, ranges and lengths', () => {
    expect(failure(() => decode('Action=ListIdentities&IdentityType=Phone')).message).toBe(
      "1 validation error detected: Value 'Phone' at 'identityType' failed to satisfy constraint: Member must satisfy enum value set: [EmailAddress, Domain]",
    );
    expect(failure(() => decode('Action=ListCustomVerificationEmailTemplates&MaxResults=51')).message).toBe(
      "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50",
    );
    expect(failure(() => decode('Action=PutIdentityPolicy&Identity=x.com&PolicyName=&Policy=%7B%7D')).message).toBe(
      "1 validation error detected: Value '' at 'policyName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it('refuses values that are not of their type with InvalidParameterValue', () => {
    expect(failure(() => decode('Action=ListIdentities&MaxItems=many'))).toMatchObject({ code: 'InvalidParameterValue', httpStatus: 400 });
    expect(failure(() => decode('Action=SetIdentityDkimEnabled&Identity=x.com&DkimEnabled=yes'))).toMatchObject({ code: 'InvalidParameterValue' });
    expect(failure(() => decode('Action=SendRawEmail&RawMessage.Data=%%%'))).toMatchObject({ code: 'MalformedQueryString' });
    expect(failure(() => decode('Action=SendRawEmail&RawMessage.Data=a*b'))).toMatchObject({ code: 'InvalidParameterValue' });
  });

  it('answers an unknown action with InvalidAction', () => {
    const err = failure(() => decode('Action=SendPigeon'));
    expect(err).toMatchObject({ code: 'InvalidAction', httpStatus: 400, message: 'The action SendPigeon is not valid for this web service.' });
  });

  it('reads maps as Name.entry.N.key / .value, honouring key and value names', () => {
    const model = linkModel('ses', {
      metadata: { protocol: 'query', xmlNamespace: 'urn:test' },
      operations: { Put: { input: 'PutRequest' } },
      errors: {},
      shapes: {
        PutRequest: { type: 'structure', members: { Attrs: { shape: 'Attrs' }, Named: { shape: 'Named' } } },
        Attrs: { type: 'map', key: { shape: 'Key' }, value: { shape: '__integer' } },
        Named: { type: 'map', key: { shape: '__string', locationName: 'Name' }, value: { shape: '__string', locationName: 'Val' } },
        Key: { type: 'string', enum: ['a', 'b'] },
        __integer: { type: 'integer' },
        __string: { type: 'string' },
      },
    });
    const params = parseQueryParams('Attrs.entry.1.key=a&Attrs.entry.1.value=1&Attrs.entry.2.key=b&Attrs.entry.2.value=2&Named.entry.1.Name=x&Named.entry.1.Val=y');
    expect(decodeQueryInput(model, 'Put', params)).toEqual({ Attrs: { a: 1, b: 2 }, Named: { x: 'y' } });
    const bad = parseQueryParams('Attrs.entry.1.key=c&Attrs.entry.1.value=1');
    expect(failure(() => decodeQueryInput(model, 'Put', bad)).message).toContain("Value 'c' at 'attrs.1.key' failed to satisfy constraint: Member must satisfy enum value set: [a, b]");
  });
});

describe('query encoding (SES v1)', () => {
  it('writes SendEmail as SendEmailResponse/SendEmailResult with ResponseMetadata', () => {
    const res = encodeQueryOutput(ses, 'SendEmail', { MessageId: '0100018f-abc' }, 'req-1');
    expect(res.status).toBe(200);
    expect(res.headers).toEqual({ 'Content-Type': 'text/xml', 'x-amzn-RequestId': 'req-1' });
    expect(res.body).toBe(
      `<SendEmailResponse ${NS}><SendEmailResult><MessageId>0100018f-abc</MessageId></SendEmailResult>` +
        '<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></SendEmailResponse>',
    );
  });

  it('writes lists as member elements (ListIdentities)', () => {
    const res = encodeQueryOutput(ses, 'ListIdentities', { Identities: ['a@example.com', 'example.com'], NextToken: 'n' }, 'r');
    expect(res.body).toContain('<ListIdentitiesResult><Identities><member>a@example.com</member><member>example.com</member></Identities><NextToken>n</NextToken></ListIdentitiesResult>');
  });

  it('writes maps as entry/key/value (GetIdentityVerificationAttributes)', () => {
    const res = encodeQueryOutput(
      ses,
      'GetIdentityVerificationAttributes',
      { VerificationAttributes: { 'example.com': { VerificationStatus: 'Pending', VerificationToken: 'tok' }, 'a@b.com': { VerificationStatus: 'Success' } } },
      'r',
    );
    expect(res.body).toContain(
      '<VerificationAttributes>' +
        '<entry><key>example.com</key><value><VerificationStatus>Pending</VerificationStatus><VerificationToken>tok</VerificationToken></value></entry>' +
        '<entry><key>a@b.com</key><value><VerificationStatus>Success</VerificationStatus></value></entry>' +
        '</VerificationAttributes>',
    );
  });

  it('writes timestamps as ISO 8601 with milliseconds, numbers and booleans as text', () => {
    const res = encodeQueryOutput(ses, 'GetSendStatistics', { SendDataPoints: [{ Timestamp: new Date(Date.UTC(2010, 11, 1)), DeliveryAttempts: 5, Bounces: 0 }] }, 'r');
    expect(res.body).toContain('<member><Timestamp>2010-12-01T00:00:00.000Z</Timestamp><DeliveryAttempts>5</DeliveryAttempts><Bounces>0</Bounces></member>');
    expect(encodeQueryOutput(ses, 'GetAccountSendingEnabled', { Enabled: false }, 'r').body).toContain('<Enabled>false</Enabled>');
  });

  it('escapes text', () => {
    const res = encodeQueryOutput(ses, 'GetTemplate', { Template: { TemplateName: 't', SubjectPart: '<b>"Tom" & \'Jerry\'</b>\r\n\u0001' } }, 'r');
    expect(res.body).toContain('<SubjectPart>&lt;b&gt;&quot;Tom&quot; &amp; &apos;Jerry&apos;&lt;/b&gt;&#xD;\n\uFFFD</SubjectPart>');
  });

  it('writes an empty result element for an output without members, and none for no output', () => {
    expect(encodeQueryOutput(ses, 'DeleteIdentity', {}, 'r').body).toBe(
      `<DeleteIdentityResponse ${NS}><DeleteIdentityResult/><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteIdentityResponse>`,
    );
    expect(encodeQueryOutput(ses, 'VerifyEmailAddress', undefined, 'r').body).toBe(
      `<VerifyEmailAddressResponse ${NS}><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></VerifyEmailAddressResponse>`,
    );
  });

  it('writes errors as ErrorResponse with Sender or Receiver', () => {
    const res = encodeQueryError(new AwsError('MessageRejected', 'Email address is not verified. <a@b.com>'), 'req-9');
    expect(res).toEqual({
      status: 400,
      headers: { 'Content-Type': 'text/xml', 'x-amzn-RequestId': 'req-9' },
      body:
        `<ErrorResponse ${NS}><Error><Type>Sender</Type><Code>MessageRejected</Code>` +
        '<Message>Email address is not verified. &lt;a@b.com&gt;</Message></Error><RequestId>req-9</RequestId></ErrorResponse>',
    });
    const internal = encodeQueryError(new AwsError('InternalFailure', 'boom', 500, false), 'r');
    expect(internal.status).toBe(500);
    expect(internal.body).toContain('<Type>Receiver</Type><Code>InternalFailure</Code>');
  });
});

describe('javaDoubleText', () => {
  it("writes a double as Java's Double.toString does, as the Query services answer", () => {
    expect([200, 1, -1, 0, 0.5, 127.25, 9_999_999].map(javaDoubleText)).toEqual(['200.0', '1.0', '-1.0', '0.0', '0.5', '127.25', '9999999.0']);
    expect([10_000_000, 50_000_000, 12_345_678.5, 0.0001].map(javaDoubleText)).toEqual(['1.0E7', '5.0E7', '1.23456785E7', '1.0E-4']);
  });
});
