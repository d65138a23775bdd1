// Publishes to a topic sesd does not host: a SigV4-signed SNS Publish (Query protocol) to the
// configured SNS-compatible endpoint (AWS itself, another emulator, another sesd). Its answer is
// passed on: the upstream's MessageId, or its error code, message and status.
import { AwsError } from '../domain/errors.js';
import { deriveSigningKey, sha256Hex, sigV4Signature, SIGV4_ALGORITHM, toAmzDate, uriEncode } from '../protocol/sigv4.js';
import type { PublishRequest, UpstreamPublisher } from './sns-service.js';

export interface UpstreamOptions {
  url: string;
  accessKeyId: string;
  secretAccessKey: string;
  timeoutMs?: number;
  now?: () => Date;
}

export function upstreamPublisher(opts: UpstreamOptions): UpstreamPublisher {
  const endpoint = new URL(opts.url);
  return {
    async publish(input) {
      const body = formBody(input);
      const date = (opts.now ?? (() => new Date()))();
      const amzDate = toAmzDate(date);
      const scope = `${amzDate.slice(0, 8)}/${input.region}/sns/aws4_request`;
      const contentType = 'application/x-www-form-urlencoded; charset=utf-8';
      const path = endpoint.pathname || '/';
      const canonical = [
        'POST',
        path.split('/').map((segment) => uriEncode(decodeURIComponent(segment))).join('/'),
        '',
        `content-type:${contentType}\nhost:${endpoint.host}\nx-amz-date:${amzDate}\n`,
        'content-type;host;x-amz-date',
        sha256Hex(body),
      ].join('\n');
      const stringToSign = [SIGV4_ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n');
      const signature = sigV4Signature(deriveSigningKey(opts.secretAccessKey, amzDate.slice(0, 8), input.region, 'sns'), stringToSign);
      let res: Response;
      try {
        res = await fetch(new URL(path, endpoint), {
          method: 'POST',
          headers: {
            'content-type': contentType,
            'x-amz-date': amzDate,
            authorization: `${SIGV4_ALGORITHM} Credential=${opts.accessKeyId}/${scope}, SignedHeaders=content-type;host;x-amz-date, Signature=${signature}`,
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
        });
      } catch (err) {
        throw new AwsError('InternalError', `The upstream SNS endpoint ${endpoint.origin} could not be reached: ${(err as Error).message}`, 500, false);
      }
      const text = await res.text();
      const messageId = /<MessageId>([^<]+)<\/MessageId>/.exec(text)?.[1];
      if (res.ok && messageId) return { messageId };
      const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? 'InternalError';
      const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? `The upstream SNS endpoint answered ${res.status}`;
      throw new AwsError(code, unescapeXml(message), res.status >= 400 ? res.status : 500, res.status >= 400 && res.status < 500);
    },
  };
}

function formBody(input: PublishRequest): string {
  const params: [string, string][] = [['Action', 'Publish'], ['Version', '2010-03-31'], ['TopicArn', input.topicArn], ['Message', input.message]];
  if (input.subject !== undefined) params.push(['Subject', input.subject]);
  if (input.messageStructure !== undefined) params.push(['MessageStructure', input.messageStructure]);
  if (input.messageGroupId !== undefined) params.push(['MessageGroupId', input.messageGroupId]);
  if (input.messageDeduplicationId !== undefined) params.push(['MessageDeduplicationId', input.messageDeduplicationId]);
  Object.entries(input.messageAttributes ?? {}).forEach(([name, a], i) => {
    const p = `MessageAttributes.entry.${i + 1}`;
    params.push([`${p}.Name`, name], [`${p}.Value.DataType`, a.DataType]);
    if (a.StringValue !== undefined) params.push([`${p}.Value.StringValue`, a.StringValue]);
    if (a.BinaryValue !== undefined) params.push([`${p}.Value.BinaryValue`, Buffer.from(a.BinaryValue).toString('base64')]);
  });
  return params.map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`).join('&');
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
