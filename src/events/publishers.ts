// One publisher per destination kind. Each returns what became of one publish as a value (never
// throws): published, failed (worth trying again) or undeliverable (trying again cannot help; the
// reason is recorded). Kinds: SNS topics (through sesd's SNS service, hosted or upstream),
// EventBridge and Kinesis Firehose (an AWS-compatible endpoint when one is configured), CloudWatch
// (counters behind GET /metrics), Pinpoint (not published: sesd has no Pinpoint event stream).
import type { Logger } from 'pino';
import { AwsError } from '../domain/errors.js';
import type { TopicPublishInput, TopicPublisher } from '../sns/topic-publisher.js';
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

/** Messages to one topic in the same turn of the event loop share one Publish into sesd's SNS service. */
const SNS_BATCH = 500;

/**
 * SNS topics, through sesd's SNS service. Events published in the same turn of the event loop to
 * the same topic share one lookup of the topic and its subscriptions and one commit of their
 * delivery rows (several round trips to the database per event were most of the dispatcher's time).
 */
export function snsPublisher(topics: TopicPublisher | undefined) {
  const batches = coalescer<TopicPublishInput>({ maxItems: SNS_BATCH }, async (_key, inputs) =>
    (await topics!.publishMany(inputs)).map((o) => ('error' in o ? snsFailure(o.error) : { status: 'published', remoteId: o.messageId })),
  );
  return async (input: TopicPublishInput): Promise<PublishResult> => {
    if (!topics) return { status: 'undeliverable', error: 'sesd has no SNS service to publish through.' };
    return batches(`${input.accountId}\u0000${input.region}\u0000${input.topicArn}`, input);
  };
}

/** A topic that does not exist cannot become one by trying again; anything else can pass. */
function snsFailure(err: unknown): PublishResult {
  if (err instanceof AwsError && /^NotFound/.test(err.code)) {
    return { status: 'undeliverable', statusCode: err.httpStatus, error: `${err.code}: ${err.message}` };
  }
  if (err instanceof AwsError && err.senderFault) return { status: 'failed', statusCode: err.httpStatus, error: `${err.code}: ${err.message}` };
  return { status: 'failed', error: (err as Error).message };
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

/**
 * What one request may hold. PutEvents: at most 10 entries whose total entry size is under 256 KB
 * (EventBridge User Guide, "Calculating Amazon EventBridge PutEvents event entry size",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html). PutRecordBatch:
 * at most 500 records and 4 MB for the whole request (Firehose API Reference, PutRecordBatch,
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html). Counting
 * entries alone, a batch of large events (long headers, many recipients) could go over the size
 * limit, and a request over it fails as a whole, for every event in it, at every retry.
 */
const EVENTBRIDGE_LIMITS = { maxItems: 10, maxBytes: 256 * 1024 - 1 };
const FIREHOSE_LIMITS = { maxItems: 500, maxBytes: 4 * 1024 * 1024 };

type PutEventsEntry = { Source: string; DetailType: string; Detail: string; Resources: string[]; Time: string; EventBusName: string };

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** An entry's size as EventBridge counts it: Time is 14 bytes; Source, DetailType, Detail and each resource their UTF-8 bytes. */
export function putEventsEntrySize(entry: PutEventsEntry): number {
  return 14 + utf8Bytes(entry.Source) + utf8Bytes(entry.DetailType) + utf8Bytes(entry.Detail) + entry.Resources.reduce((n, r) => n + utf8Bytes(r), 0);
}

/** A record's size as Firehose counts it: its data before base64 encoding. */
const firehoseRecordSize = (record: { Data: string }): number => Buffer.byteLength(record.Data, 'base64');

/**
 * EventBridge PutEvents to the default bus of an AWS-compatible endpoint (source `aws.ses`). Events
 * published in the same turn of the event loop to the same bus share one request (an HTTP request
 * per event cost the dispatcher most of its time); each gets its own entry's answer.
 */
export function eventBridgePublisher(endpoint: EndpointConfig | undefined) {
  const batches = coalescer<PutEventsEntry>({ ...EVENTBRIDGE_LIMITS, sizeOf: putEventsEntrySize }, (key, entries) => {
    const [region] = key.split('\u0000');
    return attempt(() => callAwsJson({ url: endpoint!.url, region: region!, service: 'events', target: 'AWSEvents.PutEvents', body: { Entries: entries }, credentials: endpoint!.credentials! })).then(
      (a) => entries.map((_, i) => answerOf(a, (body) => entryAnswer(body.Entries, i, 'EventId'))),
    );
  });
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
    return batches(`${arnRegion(input.eventBusArn) ?? input.region}\u0000${input.eventBusArn}`, entry);
  };
}

/**
 * Kinesis Firehose PutRecordBatch: each event record as one line of JSON ("Amazon SES follows each
 * JSON record with a newline character", SES Developer Guide, event-publishing-retrieving-firehose-contents),
 * batched per stream as above.
 */
export function firehosePublisher(endpoint: EndpointConfig | undefined) {
  const batches = coalescer<{ Data: string }>({ ...FIREHOSE_LIMITS, sizeOf: firehoseRecordSize }, (key, records) => {
    const [region, arn] = key.split('\u0000') as [string, string];
    const body = { DeliveryStreamName: arn.slice(arn.lastIndexOf('/') + 1), Records: records };
    return attempt(() => callAwsJson({ url: endpoint!.url, region, service: 'firehose', target: 'Firehose_20150804.PutRecordBatch', body, credentials: endpoint!.credentials! })).then(
      (a) => records.map((_, i) => answerOf(a, (b) => entryAnswer(b.RequestResponses, i, 'RecordId'))),
    );
  });
  return async (input: { region: string; deliveryStreamArn: string; record: unknown }): Promise<PublishResult> => {
    const missing = unconfigured('Kinesis Firehose', 'SESD_FIREHOSE_URL', endpoint);
    if (missing) return { status: 'undeliverable', error: missing };
    const record = { Data: Buffer.from(JSON.stringify(input.record) + '\n').toString('base64') };
    return batches(`${arnRegion(input.deliveryStreamArn) ?? input.region}\u0000${input.deliveryStreamArn}`, record);
  };
}

/** The answer for entry `i` of a batch: its id, or its own error (a batch can fail in part). */
function entryAnswer(list: unknown, i: number, idField: 'EventId' | 'RecordId'): { error?: string; remoteId?: string } {
  const entry = (list as Record<string, string | undefined>[] | undefined)?.[i];
  if (!entry) return { error: 'The answer has no result for this entry.' };
  if (entry.ErrorCode) return { error: `${entry.ErrorCode}: ${entry.ErrorMessage ?? ''}`.trim() };
  return { remoteId: entry[idField] };
}

interface BatchLimits<T> {
  maxItems: number;
  /** The most a request may carry, as `sizeOf` counts it; an item larger than this goes alone. */
  maxBytes?: number;
  sizeOf?: (item: T) => number;
}

/**
 * Collects items per key until the end of the current turn of the event loop (or the limits) and
 * sends them with one call of `send`, which answers one result per item, in order.
 */
function coalescer<T>(limits: BatchLimits<T>, send: (key: string, items: T[]) => Promise<PublishResult[]>) {
  const open = new Map<string, { items: T[]; bytes: number; waiters: ((r: PublishResult) => void)[] }>();
  const flush = (key: string) => {
    const batch = open.get(key);
    if (!batch) return;
    open.delete(key);
    send(key, batch.items).then(
      (results) => batch.waiters.forEach((w, i) => w(results[i] ?? { status: 'failed', error: 'no result' })),
      (err: Error) => batch.waiters.forEach((w) => w({ status: 'failed', error: err.message })),
    );
  };
  const wouldOverflow = (key: string, bytes: number): boolean => {
    const batch = open.get(key);
    return batch !== undefined && limits.maxBytes !== undefined && batch.bytes + bytes > limits.maxBytes;
  };
  return (key: string, item: T): Promise<PublishResult> =>
    new Promise((resolve) => {
      const bytes = limits.sizeOf?.(item) ?? 0;
      if (wouldOverflow(key, bytes)) flush(key);
      let batch = open.get(key);
      if (!batch) {
        open.set(key, (batch = { items: [], bytes: 0, waiters: [] }));
        setImmediate(() => flush(key));
      }
      batch.items.push(item);
      batch.bytes += bytes;
      batch.waiters.push(resolve);
      if (batch.items.length >= limits.maxItems) flush(key);
    });
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
