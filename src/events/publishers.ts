// One publisher per destination kind. Each returns what became of one publish as a value (never
// throws): published, failed (worth trying again) or undeliverable (trying again cannot help; the
// reason is recorded). Kinds: SNS topics (through sesd's SNS service, hosted or upstream),
// EventBridge and Kinesis Firehose (an AWS-compatible endpoint when one is configured), CloudWatch
// (counters behind GET /metrics), Pinpoint (not published: sesd has no Pinpoint event stream).
import type { Logger } from 'pino';
import { AwsError } from '../domain/errors.js';
import type { TopicPublisher } from '../sns/topic-publisher.js';
import { callAwsJson, type AwsCredentials } from './aws-json-client.js';

export interface PublishResult {
  status: 'published' | 'failed' | 'undeliverable';
  statusCode?: number;
  error?: string;
  remoteId?: string;
}

export interface EndpointConfig {
  url: string;
  credentials?: AwsCredentials;
}

export function snsPublisher(topics: TopicPublisher | undefined) {
  return async (input: { accountId: string; region: string; topicArn: string; message: string; subject?: string }): Promise<PublishResult> => {
    if (!topics) return { status: 'undeliverable', error: 'sesd has no SNS service to publish through.' };
    try {
      const { messageId } = await topics.publish(input);
      return { status: 'published', remoteId: messageId };
    } catch (err) {
      if (err instanceof AwsError && /^NotFound/.test(err.code)) {
        return { status: 'undeliverable', statusCode: err.httpStatus, error: `${err.code}: ${err.message}` };
      }
      if (err instanceof AwsError && err.senderFault) return { status: 'failed', statusCode: err.httpStatus, error: `${err.code}: ${err.message}` };
      return { status: 'failed', error: (err as Error).message };
    }
  };
}

/** Says once per process why a destination cannot be published; every attempt records it too. */
export function onceLogger(log: Logger) {
  const said = new Set<string>();
  return (key: string, message: string): void => {
    if (said.has(key)) return;
    if (said.size > 10_000) said.clear();
    said.add(key);
    log.warn(message);
  };
}

/** EventBridge PutEvents to the default bus of an AWS-compatible endpoint (source `aws.ses`). */
export function eventBridgePublisher(endpoint: EndpointConfig | undefined) {
  return async (input: { region: string; eventBusArn: string; detailType: string; detail: unknown; resources: string[]; time: string }): Promise<PublishResult> => {
    const missing = unconfigured('EventBridge', 'SESD_EVENTBRIDGE_URL', endpoint);
    if (missing) return { status: 'undeliverable', error: missing };
    const entry = {
      Source: 'aws.ses',
      DetailType: input.detailType,
      Detail: JSON.stringify(input.detail),
      Resources: input.resources,
      Time: input.time,
      EventBusName: input.eventBusArn,
    };
    return answerOf(
      await attempt(() => callAwsJson({ url: endpoint!.url, region: arnRegion(input.eventBusArn) ?? input.region, service: 'events', target: 'AWSEvents.PutEvents', body: { Entries: [entry] }, credentials: endpoint!.credentials! })),
      (body) => {
        const first = (body.Entries as { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[] | undefined)?.[0];
        if (Number(body.FailedEntryCount ?? 0) > 0 || first?.ErrorCode) return { error: `${first?.ErrorCode ?? 'Failed'}: ${first?.ErrorMessage ?? ''}`.trim() };
        return { remoteId: first?.EventId };
      },
    );
  };
}

/** Kinesis Firehose PutRecordBatch of one record: the event record as one line of JSON. */
export function firehosePublisher(endpoint: EndpointConfig | undefined) {
  return async (input: { region: string; deliveryStreamArn: string; record: unknown }): Promise<PublishResult> => {
    const missing = unconfigured('Kinesis Firehose', 'SESD_FIREHOSE_URL', endpoint);
    if (missing) return { status: 'undeliverable', error: missing };
    const streamName = input.deliveryStreamArn.slice(input.deliveryStreamArn.lastIndexOf('/') + 1);
    const body = { DeliveryStreamName: streamName, Records: [{ Data: Buffer.from(JSON.stringify(input.record) + '\n').toString('base64') }] };
    return answerOf(
      await attempt(() =>
        callAwsJson({ url: endpoint!.url, region: arnRegion(input.deliveryStreamArn) ?? input.region, service: 'firehose', target: 'Firehose_20150804.PutRecordBatch', body, credentials: endpoint!.credentials! }),
      ),
      (b) => {
        const first = (b.RequestResponses as { RecordId?: string; ErrorCode?: string; ErrorMessage?: string }[] | undefined)?.[0];
        if (Number(b.FailedPutCount ?? 0) > 0 || first?.ErrorCode) return { error: `${first?.ErrorCode ?? 'Failed'}: ${first?.ErrorMessage ?? ''}`.trim() };
        return { remoteId: first?.RecordId };
      },
    );
  };
}

function unconfigured(service: string, key: string, endpoint: EndpointConfig | undefined): string | undefined {
  if (!endpoint?.url) return `No ${service} endpoint is configured (${key}): the event is not published to this destination.`;
  if (!endpoint.credentials?.accessKeyId || !endpoint.credentials.secretAccessKey) {
    return `No credentials are configured for the ${service} endpoint (SESD_EVENTS_AWS_ACCESS_KEY_ID, SESD_EVENTS_AWS_SECRET_ACCESS_KEY).`;
  }
  return undefined;
}

type Attempted = { ok: true; status: number; body: Record<string, unknown> } | { ok: false; error: string };

async function attempt(call: () => Promise<{ status: number; body: Record<string, unknown> }>): Promise<Attempted> {
  try {
    return { ok: true, ...(await call()) };
  } catch (err) {
    const e = err as Error & { cause?: { message?: string } };
    return { ok: false, error: e.cause?.message ? `${e.message}: ${e.cause.message}` : e.message };
  }
}

/** 2xx with no failed entry: published. Anything else is tried again (throttling, 5xx, a network failure). */
function answerOf(a: Attempted, read: (body: Record<string, unknown>) => { error?: string; remoteId?: string }): PublishResult {
  if (!a.ok) return { status: 'failed', error: a.error };
  if (a.status < 200 || a.status >= 300) {
    const type = String(a.body.__type ?? a.body.code ?? '').split('#').pop();
    const message = String(a.body.message ?? a.body.Message ?? '');
    return { status: 'failed', statusCode: a.status, error: `HTTP ${a.status}${type ? ` ${type}` : ''}${message ? `: ${message}` : ''}` };
  }
  const r = read(a.body);
  return r.error ? { status: 'failed', statusCode: a.status, error: r.error } : { status: 'published', statusCode: a.status, remoteId: r.remoteId };
}

function arnRegion(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length >= 6 && parts[3] ? parts[3] : undefined;
}
