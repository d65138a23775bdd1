import { describe, expect, it } from 'vitest';
import { parseHeaderBlock, splitAddressList, splitMessage } from '../../../src/mime/headers.js';

describe('parseHeaderBlock', () => {
  it('unfolds a value that goes on over several lines', () => {
    expect(parseHeaderBlock('Subject: a long\r\n subject\r\n\tline')).toEqual([{ name: 'Subject', value: 'a long subject line' }]);
  });

  it('puts no space before a value that starts on the line after its name', () => {
    // Nodemailer folds a long Message-ID this way; the value was read as " <...>".
    expect(parseHeaderBlock('Message-ID:\r\n <0100-abc@sesd.test>\r\nTo: a@x')).toEqual([
      { name: 'Message-ID', value: '<0100-abc@sesd.test>' },
      { name: 'To', value: 'a@x' },
    ]);
  });
});

describe('splitMessage', () => {
  const split = (text: string) => {
    const { headers, body } = splitMessage(Buffer.from(text));
    return { names: headers.map((h) => h.name), body: body.toString() };
  };
  it('ends the header block at the first empty line, CRLF or bare LF, whichever comes first', () => {
    expect(split('A: 1\r\nB: 2\r\n\r\nbody\n\nmore')).toEqual({ names: ['A', 'B'], body: 'body\n\nmore' });
    expect(split('A: 1\nB: 2\n\nbody\r\n\r\nmore')).toEqual({ names: ['A', 'B'], body: 'body\r\n\r\nmore' });
    expect(split('A: 1\n\nB: 2\r\n\r\nbody')).toEqual({ names: ['A'], body: 'B: 2\r\n\r\nbody' });
    expect(split('A: 1\nB: 2\n')).toEqual({ names: ['A', 'B'], body: '' });
  });
});

describe('splitAddressList', () => {
  it('writes a display name bare, as SES writes commonHeaders', () => {
    expect(splitAddressList('"Sender Name" <sender@example.com>, b@y.example')).toEqual(['Sender Name <sender@example.com>', 'b@y.example']);
  });

  it('quotes a display name that needs it', () => {
    expect(splitAddressList('"Doe, Jane" <jane@x.example>, "John Q. Public" <j@x.example>')).toEqual(['"Doe, Jane" <jane@x.example>', '"John Q. Public" <j@x.example>']);
    expect(splitAddressList('"Say \\"hi\\"" <h@x.example>')).toEqual(['"Say \\"hi\\"" <h@x.example>']);
  });

  it('leaves an encoded word bare, where a decoder reads it', () => {
    expect(splitAddressList('=?UTF-8?B?w4lxdWlwZQ==?= <team@x.example>')).toEqual(['=?UTF-8?B?w4lxdWlwZQ==?= <team@x.example>']);
  });

  it('gives the members of a group', () => {
    expect(splitAddressList('Team: a@x.example, B <b@x.example>;, undisclosed-recipients:;')).toEqual(['a@x.example', 'B <b@x.example>']);
  });
});
