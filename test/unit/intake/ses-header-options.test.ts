import { describe, expect, it } from 'vitest';
import { withSesHeaderOptions } from '../../../src/intake/ses-header-options.js';
import type { SendRequest } from '../../../src/intake/send-request.js';

const rawRequest = (raw: string, given: Partial<SendRequest> = {}): SendRequest => ({
  accountId: '123456789012',
  region: 'us-east-1',
  sourceApi: 'smtp',
  callerIdentity: 'AKIDEXAMPLE',
  sourceIp: '127.0.0.1',
  from: 'a@example.com',
  content: { kind: 'raw', data: Buffer.from(raw) },
  maxMessageBytes: 40 * 1024 * 1024,
  ...given,
});

describe('withSesHeaderOptions', () => {
  it('gives the request what its X-SES headers ask, and takes them out of the message', () => {
    const req = rawRequest('From: a@example.com\r\nX-SES-CONFIGURATION-SET: set-a\r\nX-SES-MESSAGE-TAGS: campaign=launch\r\nX-SES-LIST-MANAGEMENT-OPTIONS: news; topic=weekly\r\n\r\nbody');
    const out = withSesHeaderOptions(req);
    expect(out).toEqual({
      ...req,
      content: { kind: 'raw', data: Buffer.from('From: a@example.com\r\n\r\nbody') },
      configurationSetName: 'set-a',
      tags: [{ Name: 'campaign', Value: 'launch' }],
      listManagement: { contactListName: 'news', topicName: 'weekly' },
    });
    // Only the options the headers gave became keys: none left undefined.
    expect(Object.keys(out).filter((key) => out[key as keyof SendRequest] === undefined)).toEqual([]);
  });

  it("keeps a parameter the request gives over its header's", () => {
    const out = withSesHeaderOptions(
      rawRequest('X-SES-CONFIGURATION-SET: from-header\r\nX-SES-MESSAGE-TAGS: a=1\r\nX-SES-SOURCE-ARN: arn:aws:ses:us-east-1:123456789012:identity/h.example\r\n\r\nbody', {
        configurationSetName: 'from-request',
        tags: [{ Name: 'b', Value: '2' }],
      }),
    );
    expect(out.configurationSetName).toBe('from-request');
    expect(out.tags).toEqual([{ Name: 'b', Value: '2' }]);
    expect(out.sourceArn).toBe('arn:aws:ses:us-east-1:123456789012:identity/h.example');
  });

  it('returns a request whose message has no X-SES header as it is', () => {
    const req = rawRequest('From: a@example.com\r\nSubject: hi\r\n\r\nbody');
    expect(withSesHeaderOptions(req)).toBe(req);
  });
});
