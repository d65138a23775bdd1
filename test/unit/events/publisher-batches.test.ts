// The requests the EventBridge and Firehose publishers make when many events go out at once: the
// limits of each API (entries and bytes per request) hold, so AWS does not refuse a whole batch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBridgePublisher, firehosePublisher, putEventsEntrySize } from '../../../src/events/publishers.js';
import { RECEIVER_KEY, startAwsReceiver, type AwsReceiver } from '../../support/aws-receiver.js';

const BUS = 'arn:aws:events:us-east-1:000000000000:event-bus/default';
const STREAM = 'arn:aws:firehose:us-east-1:000000000000:deliverystream/ses-events';
const RESOURCES = ['arn:aws:ses:us-east-1:000000000000:configuration-set/app'];

/** An event record of about `bytes` bytes of JSON (a message with long headers, say). */
const recordOf = (bytes: number, i: number) => ({ eventType: 'Send', mail: { messageId: `m-${i}`, headers: [{ name: 'X-Filler', value: 'x'.repeat(bytes) }] }, send: {} });

describe('publisher batches', () => {
  let receiver: AwsReceiver;
  beforeAll(async () => {
    receiver = await startAwsReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it('keeps the entries of one PutEvents under 256 KB in total, as EventBridge counts them (eb-putevent-size)', async () => {
    receiver.calls.length = 0;
    const publish = eventBridgePublisher({ url: receiver.url, credentials: RECEIVER_KEY });
    // Ten 60 KB events in one turn: 600 KB, which one request of ten entries would carry.
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        publish({ region: 'us-east-1', eventBusArn: BUS, detailType: 'Email Sent', detail: recordOf(60_000, i), resources: RESOURCES, time: '2026-01-01T00:00:00.000Z' }),
      ),
    );
    expect(results.every((r) => r.status === 'published')).toBe(true);
    const requests = receiver.calls.filter((c) => c.target === 'AWSEvents.PutEvents');
    const entries = requests.map((c) => c.body.Entries as Parameters<typeof putEventsEntrySize>[0][]);
    expect(entries.flat()).toHaveLength(10);
    for (const batch of entries) expect(batch.reduce((n, e) => n + putEventsEntrySize(e), 0)).toBeLessThan(256 * 1024);
    // Still batched: four 60 KB entries fit under the limit.
    expect(requests.length).toBeLessThan(10);
  });

  it('keeps one PutRecordBatch within 4 MB of record data (Firehose PutRecordBatch)', async () => {
    receiver.calls.length = 0;
    const publish = firehosePublisher({ url: receiver.url, credentials: RECEIVER_KEY });
    // Six 900 KB records in one turn: 5.4 MB of data.
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => publish({ region: 'us-east-1', deliveryStreamArn: STREAM, record: recordOf(900_000, i) })));
    expect(results.every((r) => r.status === 'published')).toBe(true);
    const requests = receiver.calls.filter((c) => c.target === 'Firehose_20150804.PutRecordBatch');
    const sizes = requests.map((c) => (c.body.Records as { Data: string }[]).reduce((n, r) => n + Buffer.byteLength(r.Data, 'base64'), 0));
    expect(requests.flatMap((c) => c.body.Records as unknown[])).toHaveLength(6);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(4 * 1024 * 1024);
  });

  it('ends each Firehose record with a newline, as SES does (event-publishing-retrieving-firehose-contents)', async () => {
    receiver.calls.length = 0;
    const publish = firehosePublisher({ url: receiver.url, credentials: RECEIVER_KEY });
    await publish({ region: 'us-east-1', deliveryStreamArn: STREAM, record: { eventType: 'Send' } });
    const [call] = receiver.calls;
    const data = Buffer.from((call!.body.Records as { Data: string }[])[0]!.Data, 'base64').toString('utf8');
    expect(data).toBe('{"eventType":"Send"}\n');
    expect(call!.body.DeliveryStreamName).toBe('ses-events');
  });
});
