// A SigV4-signed call of an AWS JSON 1.1 API (EventBridge PutEvents, Firehose PutRecordBatch) on
// an AWS-compatible endpoint. The canonical request and signature come from the same code that
// verifies sesd's own callers (protocol/sigv4.ts), so signing and verifying cannot drift apart.
import {
  deriveSigningKey,
  sha256Hex,
  sigV4CanonicalRequest,
  sigV4Signature,
  sigV4StringToSign,
  SIGV4_ALGORITHM,
  toAmzDate,
  type SigV4Claims,
} from '../protocol/sigv4.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface AwsJsonCall {
  /** Endpoint URL, e.g. `https://events.us-east-1.amazonaws.com` or a local emulator. */
  url: string;
  region: string;
  /** Signing name: `events`, `firehose`. */
  service: string;
  /** X-Amz-Target, e.g. `AWSEvents.PutEvents`. */
  target: string;
  body: unknown;
  credentials: AwsCredentials;
  timeoutMs?: number;
  now?: Date;
}

export interface AwsJsonAnswer {
  status: number;
  body: Record<string, unknown>;
}

const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** Signs a POST as the AWS SDKs do: host, x-amz-date, x-amz-target and content-type signed. */
export function signedHeaders(call: AwsJsonCall, payload: Buffer): Record<string, string> {
  const url = new URL(call.url);
  const amzDate = toAmzDate(call.now ?? new Date());
  const date = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    'content-type': CONTENT_TYPE,
    host: url.host,
    'x-amz-date': amzDate,
    'x-amz-target': call.target,
  };
  const signed = Object.keys(headers).sort();
  const claims: SigV4Claims = {
    algorithm: SIGV4_ALGORITHM,
    presigned: false,
    accessKeyId: call.credentials.accessKeyId,
    scope: `${date}/${call.region}/${call.service}/aws4_request`,
    date,
    region: call.region,
    service: call.service,
    terminator: 'aws4_request',
    amzDate,
    requestTime: new Date(),
    signedHeaders: signed,
    signature: '',
  };
  const canonical = sigV4CanonicalRequest(
    { method: 'POST', path: url.pathname || '/', query: url.search.replace(/^\?/, ''), headers, body: payload },
    claims,
    true,
    sha256Hex(payload),
  );
  const signature = sigV4Signature(deriveSigningKey(call.credentials.secretAccessKey, date, call.region, call.service), sigV4StringToSign(claims, canonical));
  headers.authorization = `${SIGV4_ALGORITHM} Credential=${call.credentials.accessKeyId}/${claims.scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
  return headers;
}

/** POSTs the call; redirects are not followed (a redirect is an answer like any other). */
export async function callAwsJson(call: AwsJsonCall): Promise<AwsJsonAnswer> {
  const payload = Buffer.from(JSON.stringify(call.body));
  const headers = signedHeaders(call, payload);
  delete headers.host; // fetch sets it from the URL, to the same value
  const res = await fetch(call.url, {
    method: 'POST',
    headers,
    body: payload,
    redirect: 'manual',
    signal: AbortSignal.timeout(call.timeoutMs ?? 10_000),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { message: text.slice(0, 500) };
  }
  return { status: res.status, body };
}
