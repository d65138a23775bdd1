import {
  BadRequestException,
  BatchGetMetricDataCommand,
  GetEmailIdentityCommand,
  ListEmailIdentitiesCommand,
  ListSuppressedDestinationsCommand,
  NotFoundException,
  PutEmailIdentityDkimSigningAttributesCommand,
  SendEmailCommand,
  SESv2Client,
  SESv2ServiceException,
} from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { AwsError } from '../../../src/domain/errors.js';
import {
  decodeRestJsonInput,
  encodeRestJsonError,
  encodeRestJsonOutput,
  matchRestJsonOperation,
  type WireRequest,
  type WireResponse,
} from '../../../src/protocol/rest-json.js';
import { loadModel, type ServiceModel } from '../../../src/protocol/service-model.js';

const sesv2 = loadModel('sesv2');
const pinpoint = loadModel('pinpoint');
const pinpointEmail = loadModel('pinpoint-email');

function wire(method: string, target: string, body?: unknown, headers: WireRequest['headers'] = {}): WireRequest {
  const [path, query = ''] = target.split('?') as [string, string?];
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  return { method, path, query, headers, body: Buffer.from(text) };
}

function decode(model: ServiceModel, req: WireRequest): { operation: string; input: Record<string, unknown> } {
  const match = matchRestJsonOperation(model, req.method, req.path);
  if (!match) throw new Error(`no route for ${req.method} ${req.path}`);
  return { operation: match.operation, input: decodeRestJsonInput(model, match.operation, req, match.labels) };
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

type Impl = (operation: string, input: Record<string, unknown>) => unknown;

/** Match, decode, run, encode: what the HTTP server does, minus authentication. */
function serve(model: ServiceModel, impl: Impl): (req: WireRequest) => WireResponse {
  return (req) => {
    try {
      const { operation, input } = decode(model, req);
      return encodeRestJsonOutput(model, operation, impl(operation, input), 'req-1');
    } catch (e) {
      return encodeRestJsonError(model, e instanceof AwsError ? e : new AwsError('InternalFailure', String(e), 500), 'req-1');
    }
  };
}

interface SdkRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

function toWire(sdk: SdkRequest): WireRequest {
  const query = Object.entries(sdk.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((item) => `${encodeURIComponent(k)}=${encodeURIComponent(item ?? '')}`))
    .join('&');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(sdk.headers)) headers[k.toLowerCase()] = v;
  const b = sdk.body;
  const body = b === undefined ? Buffer.alloc(0) : b instanceof Uint8Array ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : Buffer.from(String(b));
  return { method: sdk.method, path: sdk.path, query, headers, body };
}

/** A real SES v2 client whose transport is the codec: no network, the SDK's own (de)serialisers. */
function client(impl: Impl, seen: WireRequest[] = []): SESv2Client {
  const handler = serve(sesv2, impl);
  return new SESv2Client({
    region: 'us-east-1',
    endpoint: 'https://email.example.test',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: SdkRequest) => {
        const req = toWire(request);
        seen.push(req);
        const res = handler(req);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) headers[k.toLowerCase()] = v;
        return { response: { statusCode: res.status, headers, body: Buffer.from(res.body) } };
      },
    },
  });
}

describe('rest-json decoding', () => {
  it('reads ListEmailIdentities PageSize and NextToken from the query string', () => {
    const { operation, input } = decode(sesv2, wire('GET', '/v2/email/identities?PageSize=20&NextToken=a%2Bb%20c'));
    expect(operation).toBe('ListEmailIdentities');
    expect(input).toEqual({ PageSize: 20, NextToken: 'a+b c' });
  });

  it('refuses a PageSize that is not an integer', () => {
    const err = failure(() => decode(sesv2, wire('GET', '/v2/email/identities?PageSize=ten')));
    expect(err).toMatchObject({ code: 'BadRequestException', httpStatus: 400 });
    expect(err.message).toContain("'pageSize'");
  });

  it('percent-decodes a URI label (GetEmailIdentity with @ and +)', () => {
    expect(decode(sesv2, wire('GET', '/v2/email/identities/user%2Btag%40example.com')).input).toEqual({ EmailIdentity: 'user+tag@example.com' });
  });

  it('reads a repeated query key as a list and an ISO timestamp as a Date', () => {
    const { input } = decode(sesv2, wire('GET', '/v2/email/suppression/addresses?Reason=BOUNCE&Reason=COMPLAINT&StartDate=2024-05-01T10%3A00%3A00Z'));
    expect(input).toEqual({ Reasons: ['BOUNCE', 'COMPLAINT'], StartDate: new Date('2024-05-01T10:00:00Z') });
  });

  it('checks enums in query lists', () => {
    const err = failure(() => decode(sesv2, wire('GET', '/v2/email/suppression/addresses?Reason=SPAM')));
    expect(err.message).toBe(
      "1 validation error detected: Value at 'reasons' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [BOUNCE, COMPLAINT]]",
    );
  });

  it('answers a missing required member the way AWS does', () => {
    const err = failure(() => decode(sesv2, wire('POST', '/v2/email/outbound-emails', { FromEmailAddress: 'a@example.com' })));
    expect(err).toMatchObject({ code: 'BadRequestException', httpStatus: 400, senderFault: true });
    expect(err.message).toBe("1 validation error detected: Value null at 'content' failed to satisfy constraint: Member must not be null");
  });

  it('finds missing members deep inside, and counts them', () => {
    const err = failure(() =>
      decode(sesv2, wire('POST', '/v2/email/outbound-emails', { Content: { Simple: { Body: {} } }, EmailTags: [{ Name: 'a' }] })),
    );
    expect(err.message).toBe(
      "2 validation errors detected: Value null at 'content.simple.subject' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'emailTags.1.member.value' failed to satisfy constraint: Member must not be null",
    );
  });

  it('refuses a value outside an enum', () => {
    const err = failure(() =>
      decode(sesv2, wire('PUT', '/v2/email/identities/example.com/mail-from', { MailFromDomain: 'm.example.com', BehaviorOnMxFailure: 'IGNORE' })),
    );
    expect(err.message).toBe(
      "1 validation error detected: Value 'IGNORE' at 'behaviorOnMxFailure' failed to satisfy constraint: Member must satisfy enum value set: [USE_DEFAULT_VALUE, REJECT_MESSAGE]",
    );
  });

  it('checks list sizes and string lengths, echoing no sensitive value (both are sensitive in the model)', () => {
    const five = ['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io', 'e@x.io'];
    const err = failure(() =>
      decode(sesv2, wire('POST', '/v2/email/account/details', { MailType: 'MARKETING', WebsiteURL: '', AdditionalContactEmailAddresses: five })),
    );
    expect(err.message).toBe(
      "2 validation errors detected: Value at 'websiteURL' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value at 'additionalContactEmailAddresses' failed to satisfy constraint: Member must have length less than or equal to 4",
    );
  });

  it('refuses a value of the wrong JSON type', () => {
    const err = failure(() => decode(sesv2, wire('POST', '/v2/email/outbound-emails', { Content: { Simple: { Subject: { Data: 42 }, Body: {} } } })));
    expect(err).toMatchObject({ code: 'BadRequestException', httpStatus: 400 });
    expect(err.message).toContain("'content.simple.subject.data'");
  });

  it('refuses a fractional integer', () => {
    const err = failure(() => decode(sesv2, wire('POST', '/v2/email/list-identities', { PageSize: 2.5 })));
    expect(err.code).toBe('BadRequestException');
  });

  it('reads base64 blobs into Buffers and refuses bad base64', () => {
    const raw = Buffer.from('From: a@example.com\r\n\r\nHi');
    const { input } = decode(sesv2, wire('POST', '/v2/email/outbound-emails', { Content: { Raw: { Data: raw.toString('base64') } } }));
    expect((input.Content as { Raw: { Data: Buffer } }).Raw.Data.equals(raw)).toBe(true);
    const err = failure(() => decode(sesv2, wire('POST', '/v2/email/outbound-emails', { Content: { Raw: { Data: 'not base64!' } } })));
    expect(err).toMatchObject({ code: 'BadRequestException' });
    expect(err.message).toContain("'content.raw.data'");
  });

  it('reads timestamps as epoch seconds or ISO 8601, and maps', () => {
    const query = (start: unknown) => ({
      Queries: [{ Id: 'q1', Namespace: 'VDM', Metric: 'SEND', StartDate: start, EndDate: '2024-05-02T00:00:00Z', Dimensions: { ISP: 'Gmail' } }],
    });
    const a = decode(sesv2, wire('POST', '/v2/email/metrics/batch', query(1714521600.5))).input;
    const q = (a.Queries as Array<Record<string, unknown>>)[0]!;
    expect(q.StartDate).toEqual(new Date(1714521600500));
    expect(q.EndDate).toEqual(new Date('2024-05-02T00:00:00Z'));
    expect(q.Dimensions).toEqual({ ISP: 'Gmail' });
    const err = failure(() => decode(sesv2, wire('POST', '/v2/email/metrics/batch', query('yesterday'))));
    expect(err.code).toBe('BadRequestException');
  });

  it('ignores members the model does not know', () => {
    const { input } = decode(sesv2, wire('POST', '/v2/email/outbound-emails', { Content: { Raw: { Data: 'QQ==' } }, Surprise: true }));
    expect(input).not.toHaveProperty('Surprise');
  });

  it('answers malformed JSON with BadRequestException', () => {
    const err = failure(() => decode(sesv2, wire('POST', '/v2/email/outbound-emails', '{"Content": ')));
    expect(err).toMatchObject({ code: 'BadRequestException', httpStatus: 400 });
    expect(err.message).toMatch(/^Could not parse request body into json/);
    expect(failure(() => decode(sesv2, wire('POST', '/v2/email/outbound-emails', '[1]'))).code).toBe('BadRequestException');
  });

  it('reads the body members of a route AWS added (POST /v2/email/list-identities)', () => {
    expect(decode(sesv2, wire('POST', '/v2/email/list-identities', { PageSize: 5, NextToken: 't' })).input).toEqual({ PageSize: 5, NextToken: 't' });
  });

  it('reads a Pinpoint payload member and its URI label', () => {
    const body = { MessageConfiguration: { EmailMessage: { FromAddress: 'a@example.com' } }, Addresses: { 'b@example.com': { ChannelType: 'EMAIL' } } };
    const { operation, input } = decode(pinpoint, wire('POST', '/v1/apps/app-1/messages', body));
    expect(operation).toBe('SendMessages');
    expect(input).toEqual({ ApplicationId: 'app-1', MessageRequest: body });
  });

  it('checks a Pinpoint payload for required members and enums', () => {
    const missing = failure(() => decode(pinpoint, wire('POST', '/v1/apps/app-1/messages')));
    expect(missing.message).toBe("1 validation error detected: Value null at 'messageRequest' failed to satisfy constraint: Member must not be null");
    const err = failure(() => decode(pinpoint, wire('POST', '/v1/apps/app-1/messages', { MessageConfiguration: {}, Addresses: { x: { ChannelType: 'PIGEON' } } })));
    expect(err.message).toContain("at 'messageRequest.addresses.x.channelType' failed to satisfy constraint: Member must satisfy enum value set: [");
  });

  it('reads Pinpoint Email requests', () => {
    const { operation, input } = decode(pinpointEmail, wire('GET', '/v1/email/identities/a%40b.com'));
    expect(operation).toBe('GetEmailIdentity');
    expect(input).toEqual({ EmailIdentity: 'a@b.com' });
  });
});

describe('rest-json encoding', () => {
  it('writes only modelled members, timestamps as epoch seconds and blobs as base64', () => {
    const res = encodeRestJsonOutput(sesv2, 'GetEmailIdentity', { IdentityType: 'DOMAIN', VerificationInfo: { LastCheckedTimestamp: new Date(1714521600250) }, secret: 1 }, 'r1');
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({ 'Content-Type': 'application/json', 'x-amzn-RequestId': 'r1' });
    expect(JSON.parse(res.body)).toEqual({ IdentityType: 'DOMAIN', VerificationInfo: { LastCheckedTimestamp: 1714521600.25 } });
  });

  it('uses the modelled status and the payload member (Pinpoint CreateApp: 201)', () => {
    const res = encodeRestJsonOutput(pinpoint, 'CreateApp', { ApplicationResponse: { Id: 'a1', Arn: 'arn:x', Name: 'app' } }, 'r1');
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body)).toEqual({ Id: 'a1', Arn: 'arn:x', Name: 'app' });
  });

  it('answers an operation without output with an empty body (Pinpoint TagResource: 204)', () => {
    expect(encodeRestJsonOutput(pinpoint, 'TagResource', undefined, 'r1')).toEqual({ status: 204, headers: { 'x-amzn-RequestId': 'r1' }, body: '' });
  });

  it('writes SES v2 errors as x-amzn-ErrorType and {message}, with the modelled status', () => {
    const res = encodeRestJsonError(sesv2, new AwsError('NotFoundException', 'Identity a@b.com does not exist.', 400), 'r1');
    expect(res.status).toBe(404);
    expect(res.headers).toEqual({ 'Content-Type': 'application/json', 'x-amzn-RequestId': 'r1', 'x-amzn-ErrorType': 'NotFoundException' });
    expect(JSON.parse(res.body)).toEqual({ message: 'Identity a@b.com does not exist.' });
  });

  it('writes Pinpoint errors with Message and RequestID', () => {
    const res = encodeRestJsonError(pinpoint, new AwsError('BadRequestException', 'Missing Address'), 'r9');
    expect(JSON.parse(res.body)).toEqual({ Message: 'Missing Address', RequestID: 'r9' });
    const unmodelled = encodeRestJsonError(pinpoint, new AwsError('InternalFailure', 'boom', 500, false), 'r9');
    expect(unmodelled.status).toBe(500);
    expect(JSON.parse(unmodelled.body)).toEqual({ Message: 'boom', RequestID: 'r9' });
  });

  it('keeps the status of an error the model does not know', () => {
    expect(encodeRestJsonError(sesv2, new AwsError('ThrottlingException', 'slow down', 429), 'r1').status).toBe(429);
  });
});

describe('through the AWS SDK for JavaScript v3 (SESv2Client)', () => {
  it('sends SendEmail with everything a current client may send, and reads the MessageId', async () => {
    const seen: Record<string, unknown>[] = [];
    const ses = client((operation, input) => {
      expect(operation).toBe('SendEmail');
      seen.push(input);
      return { MessageId: '0100018f-abc' };
    });
    const raw = new Uint8Array([0, 1, 2, 250, 255]);
    const out = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'sender@example.com',
        Destination: { ToAddresses: ['a@example.com', 'b@example.com'], BccAddresses: [] },
        Content: {
          Simple: {
            Subject: { Data: 'Hi ✓', Charset: 'UTF-8' },
            Body: { Text: { Data: 'Hello' } },
            Headers: [{ Name: 'X-Campaign', Value: 'spring' }],
            Attachments: [{ FileName: 'a.bin', RawContent: raw, ContentType: 'application/octet-stream' }],
          },
        },
        EmailTags: [{ Name: 'k', Value: 'v' }],
        ConfigurationSetName: 'cs',
      }),
    );
    expect(out.MessageId).toBe('0100018f-abc');
    expect(out.$metadata).toMatchObject({ httpStatusCode: 200, requestId: 'req-1' });
    const input = seen[0] as { Content: { Simple: { Attachments: Array<{ RawContent: Buffer }> } } };
    expect(input).toMatchObject({
      FromEmailAddress: 'sender@example.com',
      Destination: { ToAddresses: ['a@example.com', 'b@example.com'], BccAddresses: [] },
      EmailTags: [{ Name: 'k', Value: 'v' }],
      ConfigurationSetName: 'cs',
      Content: { Simple: { Subject: { Data: 'Hi ✓', Charset: 'UTF-8' }, Headers: [{ Name: 'X-Campaign', Value: 'spring' }] } },
    });
    expect([...input.Content.Simple.Attachments[0]!.RawContent]).toEqual([...raw]);
  });

  it('decodes GetEmailIdentity output: booleans, maps, lists, nested timestamps', async () => {
    const ses = client((_op, input) => ({
      IdentityType: 'EMAIL_ADDRESS',
      FeedbackForwardingStatus: true,
      VerifiedForSendingStatus: false,
      DkimAttributes: { SigningEnabled: false, Status: 'NOT_STARTED', Tokens: ['t1', 't2'] },
      Policies: { p1: '{"Version":"2012-10-17"}' },
      Tags: [{ Key: 'team', Value: 'mail' }],
      VerificationStatus: 'PENDING',
      VerificationInfo: { LastCheckedTimestamp: new Date('2024-05-01T10:00:00.250Z'), SOARecord: { SerialNumber: 2024050101 } },
      Echo: input.EmailIdentity,
    }));
    const out = await ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'user+tag@example.com' }));
    expect(out).toMatchObject({
      IdentityType: 'EMAIL_ADDRESS',
      FeedbackForwardingStatus: true,
      VerifiedForSendingStatus: false,
      DkimAttributes: { SigningEnabled: false, Status: 'NOT_STARTED', Tokens: ['t1', 't2'] },
      Policies: { p1: '{"Version":"2012-10-17"}' },
      Tags: [{ Key: 'team', Value: 'mail' }],
      VerificationStatus: 'PENDING',
      VerificationInfo: { LastCheckedTimestamp: new Date('2024-05-01T10:00:00.250Z'), SOARecord: { SerialNumber: 2024050101 } },
    });
    expect(out).not.toHaveProperty('Echo');
  });

  it('routes the calls a current client makes to the routes AWS added', async () => {
    const calls: Array<[string, Record<string, unknown>]> = [];
    const seen: WireRequest[] = [];
    const ses = client((operation, input) => {
      calls.push([operation, input]);
      return {};
    }, seen);
    await ses.send(new ListEmailIdentitiesCommand({ PageSize: 10, NextToken: 'n' }));
    await ses.send(new PutEmailIdentityDkimSigningAttributesCommand({ EmailIdentity: 'example.com', SigningAttributesOrigin: 'AWS_SES' }));
    await ses.send(new ListSuppressedDestinationsCommand({ Reasons: ['BOUNCE'], StartDate: new Date('2024-05-01T00:00:00Z') }));
    expect(calls).toEqual([
      ['ListEmailIdentities', { PageSize: 10, NextToken: 'n' }],
      ['PutEmailIdentityDkimSigningAttributes', { EmailIdentity: 'example.com', SigningAttributesOrigin: 'AWS_SES' }],
      ['ListSuppressedDestinations', { Reasons: ['BOUNCE'], StartDate: new Date('2024-05-01T00:00:00Z') }],
    ]);
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v2/email/list-identities',
      'PUT /v2/email/identities/example.com/dkim/signing',
      'GET /v2/email/suppression/addresses',
    ]);
  });

  it('reads BatchGetMetricData timestamps the client writes', async () => {
    let seen: Record<string, unknown> | undefined;
    const ses = client((_op, input) => {
      seen = input;
      return { Results: [{ Id: 'q1', Timestamps: [new Date('2024-05-01T00:00:00Z')], Values: [3] }], Errors: [] };
    });
    const start = new Date('2024-05-01T00:00:00Z');
    const out = await ses.send(
      new BatchGetMetricDataCommand({ Queries: [{ Id: 'q1', Namespace: 'VDM', Metric: 'SEND', StartDate: start, EndDate: new Date('2024-05-02T00:00:00Z') }] }),
    );
    expect((seen!.Queries as Array<{ StartDate: Date }>)[0]!.StartDate).toEqual(start);
    expect(out.Results?.[0]).toEqual({ Id: 'q1', Timestamps: [start], Values: [3] });
  });

  it('throws the modelled exception with its message and status', async () => {
    const ses = client(() => {
      throw new AwsError('NotFoundException', 'Identity user@example.com does not exist.');
    });
    const err = await ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'user@example.com' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundException);
    expect(err).toMatchObject({ name: 'NotFoundException', message: 'Identity user@example.com does not exist.', $metadata: { httpStatusCode: 404, requestId: 'req-1' } });
  });

  it('throws BadRequestException for a request that fails validation', async () => {
    const ses = client(() => ({}));
    const err = await ses.send(new SendEmailCommand({ Content: { Simple: { Subject: { Data: 's' }, Body: {} } }, EmailTags: [{ Name: 'n', Value: undefined as unknown as string }] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestException);
    expect(err).toMatchObject({
      message: "1 validation error detected: Value null at 'emailTags.1.member.value' failed to satisfy constraint: Member must not be null",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('throws a service exception named by the code for errors outside the model', async () => {
    const ses = client(() => {
      throw new AwsError('InternalFailure', 'The request processing has failed.', 500, false);
    });
    const err = await ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'a.com' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SESv2ServiceException);
    expect(err).toMatchObject({ name: 'InternalFailure', message: 'The request processing has failed.', $metadata: { httpStatusCode: 500 } });
  });
});
