import { describe, expect, it } from 'vitest';
import { LineEndingCheck } from '../../../src/smtp/line-endings.js';

function check(...chunks: string[]): boolean {
  const c = new LineEndingCheck();
  for (const chunk of chunks) c.push(Buffer.from(chunk, 'latin1'));
  c.end();
  return c.bare;
}

describe('LineEndingCheck', () => {
  it.each([
    ['CRLF line ends', ['a\r\nb\r\n']],
    ['CRLF split across chunks', ['a\r', '\nb\r\n']],
    ['an empty chunk between', ['a\r', '', '\n']],
    ['no line end at all', ['abc']],
    ['8-bit bytes', ['gr\xfc\xdfe\r\n']],
  ])('accepts %s', (_name, chunks) => {
    expect(check(...chunks)).toBe(false);
  });

  it.each([
    ['a bare LF', ['a\nb\r\n']],
    ['a bare LF first in a chunk', ['a', '\nb']],
    ['a bare LF after a CRLF', ['a\r\n\n']],
    ['a bare CR', ['a\rb\r\n']],
    ['a bare CR at the end of a chunk', ['a\r', 'b']],
    ['a CR at the very end', ['a\r']],
    ['<LF>.<LF>', ['x\r\n\n.\nMAIL FROM:<x@y>\r\n']],
    ['<CR>.<CR>', ['x\r.\rMAIL FROM:<x@y>\r\n']],
    ['<CR><LF>.<LF>', ['x\r\n.\nMAIL FROM:<x@y>\r\n']],
    ['CR CR LF', ['x\r\r\n']],
  ])('finds %s', (_name, chunks) => {
    expect(check(...chunks)).toBe(true);
  });
});
