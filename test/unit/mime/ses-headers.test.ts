import { describe, expect, it } from 'vitest';
import { AwsError } from '../../../src/domain/errors.js';
import { parseListManagement, parseMessageTags, takeSesHeaders } from '../../../src/mime/ses-headers.js';

const message = (...headers: string[]) => Buffer.from([...headers, 'Subject: hi', '', 'body line', ''].join('\r\n'));

describe('takeSesHeaders', () => {
  it('reads every X-SES header and removes them, keeping the other headers and the body', () => {
    const { raw, options } = takeSesHeaders(
      message(
        'From: a@example.com',
        'X-SES-CONFIGURATION-SET: my-set',
        'X-SES-MESSAGE-TAGS: campaign=launch, team = mail',
        'x-ses-message-tags: extra=1',
        'X-SES-SOURCE-ARN: arn:aws:ses:us-east-1:123456789012:identity/example.com',
        'X-SES-FROM-ARN: arn:aws:ses:us-east-1:123456789012:identity/from.example',
        'X-SES-RETURN-PATH-ARN: arn:aws:ses:us-east-1:123456789012:identity/rp.example',
        'X-SES-LIST-MANAGEMENT-OPTIONS: newsletter; topic=weekly',
        'X-Other: kept',
      ),
    );
    expect(options).toEqual({
      configurationSetName: 'my-set',
      tags: [
        { Name: 'campaign', Value: 'launch' },
        { Name: 'team', Value: 'mail' },
        { Name: 'extra', Value: '1' },
      ],
      sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com',
      fromArn: 'arn:aws:ses:us-east-1:123456789012:identity/from.example',
      returnPathArn: 'arn:aws:ses:us-east-1:123456789012:identity/rp.example',
      listManagement: { contactListName: 'newsletter', topicName: 'weekly' },
    });
    expect(raw.toString()).toBe('From: a@example.com\r\nX-Other: kept\r\nSubject: hi\r\n\r\nbody line\r\n');
  });

  it('leaves a message without X-SES headers byte for byte as it is', () => {
    const raw = Buffer.from('From: a@example.com\r\nSubject: folded\r\n  subject\r\n\r\nbody');
    const out = takeSesHeaders(raw);
    expect(out.raw).toBe(raw);
    expect(out.options).toEqual({ tags: [] });
  });

  it('reads a folded X-SES header', () => {
    const { options } = takeSesHeaders(message('X-SES-MESSAGE-TAGS: a=1,\r\n b=2'));
    expect(options.tags).toEqual([
      { Name: 'a', Value: '1' },
      { Name: 'b', Value: '2' },
    ]);
  });
});

describe('parseMessageTags', () => {
  it('allows an empty value and ignores empty entries', () => {
    expect(parseMessageTags('a=, ,b=x=y')).toEqual([
      { Name: 'a', Value: '' },
      { Name: 'b', Value: 'x=y' },
    ]);
  });

  it.each(['novalue', '=value'])('refuses %s as an invalid parameter', (entry) => {
    expect(() => parseMessageTags(entry)).toThrow(AwsError);
    expect(() => parseMessageTags(entry)).toThrow(/X-SES-MESSAGE-TAGS/);
  });
});

describe('parseListManagement', () => {
  it.each([
    ['list', { contactListName: 'list' }],
    ['list; topic=news', { contactListName: 'list', topicName: 'news' }],
    ['list ;TOPIC = news ', { contactListName: 'list', topicName: 'news' }],
  ])('reads %j', (value, expected) => {
    expect(parseListManagement(value)).toEqual(expected);
  });

  it('refuses a value without a contact list', () => {
    expect(() => parseListManagement('; topic=x')).toThrow(/names no contact list/);
  });
});
