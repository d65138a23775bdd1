// A small AWS-compatible JSON endpoint (EventBridge PutEvents, Firehose PutRecordBatch) on
// 127.0.0.1 for event publishing tests. It verifies each request's SigV4 signature with sesd's own
// verifier and records what it received; a test may script the HTTP statuses of the next answers.
import { createServer, type Server } from 'node:http';
import { verifySigV4 } from '../../src/protocol/sigv4.js';

export const RECEIVER_KEY = { accessKeyId: 'AKIDEVENTSRECEIVER01', secretAccessKey: 'events-receiver-secret-000000000000000000' };

export interface ReceivedCall {
  target: string;
  service: string;
  region: string;
  body: Record<string, unknown>;
}

export interface AwsReceiver {
  url: string;
  calls: ReceivedCall[];
  /** Requests refused because their signature did not verify. */
  badSignatures: string[];
  /** Statuses for the next answers to requests whose body contains `match` (then 200). */
  failNext(match: string, ...statuses: number[]): void;
  waitFor(predicate: (calls: ReceivedCall[]) => boolean, timeoutMs?: number): Promise<ReceivedCall[]>;
  close(): Promise<void>;
}

export async function startAwsReceiver(): Promise<AwsReceiver> {
  const calls: ReceivedCall[] = [];
  const badSignatures: string[] = [];
  const scripted: { match: string; status: number }[] = [];
  let counter = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const [path, query = ''] = (req.url ?? '/').split('?');
        let caller;
        try {
          caller = await verifySigV4(
            { method: req.method ?? 'POST', path: path!, query, headers: req.headers, rawHeaders: req.rawHeaders, body },
            { protocol: 'rest-json', lookupKey: async (id) => (id === RECEIVER_KEY.accessKeyId ? { secretAccessKey: RECEIVER_KEY.secretAccessKey, accountId: '000000000000' } : undefined) },
          );
        } catch (err) {
          badSignatures.push((err as Error).message);
          res.writeHead(403, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'InvalidSignatureException', message: (err as Error).message }));
          return;
        }
        const text = body.toString('utf8');
        const i = scripted.findIndex((s) => text.includes(s.match));
        const status = i < 0 ? 200 : scripted.splice(i, 1)[0]!.status;
        if (status !== 200) {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'InternalFailure', message: 'scripted failure' }));
          return;
        }
        const target = String(req.headers['x-amz-target']);
        const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        calls.push({ target, service: caller.service, region: caller.region, body: parsed });
        const ids = ((parsed.Records ?? parsed.Entries) as unknown[]).map(() => `id-${++counter}`);
        const answer = target.startsWith('Firehose')
          ? { FailedPutCount: 0, Encrypted: false, RequestResponses: ids.map((RecordId) => ({ RecordId })) }
          : { FailedEntryCount: 0, Entries: ids.map((EventId) => ({ EventId })) };
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(answer));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    badSignatures,
    failNext: (match, ...statuses) => scripted.push(...statuses.map((status) => ({ match, status }))),
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(calls)) {
        if (Date.now() > deadline) throw new Error(`receiver: condition not met; got ${JSON.stringify(calls.map((c) => c.target))}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return calls;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// A received JSON document, which tests read field by field as SES's documents describe them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;
type Entry = { Source: string; DetailType: string; Detail: Doc; Resources: string[]; EventBusName: string };
// Parsed once per call: tests poll these lists many times a second.
const parsedEntries = new WeakMap<ReceivedCall, Entry[]>();

/** EventBridge entries received so far, with their detail parsed. */
export function eventBridgeEntries(calls: ReceivedCall[]): Entry[] {
  return calls
    .filter((c) => c.target === 'AWSEvents.PutEvents')
    .flatMap((c) => {
      let entries = parsedEntries.get(c);
      if (!entries) {
        entries = (c.body.Entries as (Omit<Entry, 'Detail'> & { Detail: string })[]).map((e) => ({ ...e, Detail: JSON.parse(e.Detail) as Doc }));
        parsedEntries.set(c, entries);
      }
      return entries;
    });
}

/** Firehose records received so far, decoded. */
export function firehoseRecords(calls: ReceivedCall[]): { stream: string; record: Doc }[] {
  return calls
    .filter((c) => c.target === 'Firehose_20150804.PutRecordBatch')
    .flatMap((c) => (c.body.Records as { Data: string }[]).map((r) => ({ stream: String(c.body.DeliveryStreamName), record: JSON.parse(Buffer.from(r.Data, 'base64').toString('utf8')) })));
}
