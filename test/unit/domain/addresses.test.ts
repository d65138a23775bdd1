import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../../src/domain/addresses.js';
import { parseAccessKeyList } from '../../../src/domain/access-keys.js';
import { newMessageId } from '../../../src/domain/message-id.js';

describe('parseAddress', () => {
  it('accepts plain and named addresses', () => {
    expect(parseAddress('a@Example.com')).toEqual({ address: 'a@Example.com', name: '', domain: 'example.com' });
    expect(parseAddress('"Doe, Jane" <jane@example.com>')).toEqual({ address: 'jane@example.com', name: 'Doe, Jane', domain: 'example.com' });
  });

  it.each([
    ['nobody', "Missing final '@domain'"],
    ['a@', 'Missing domain'],
    ['a b@example.com', 'Local address contains control or whitespace'],
    ['jörg@example.com', 'Illegal address'],
    ['a@exa mple.com', 'Domain contains control or whitespace'],
    ['a@.example.com', 'Domain starts with dot'],
    ['a@example.com.', 'Domain ends with dot'],
    ['a@example..com', 'Domain contains dot-dot'],
    ['a@exämple.com', 'Domain contains illegal character'],
  ])('refuses %s with "%s"', (input, message) => {
    expect(() => parseAddress(input)).toThrow(message);
  });
});

describe('parseAccessKeyList', () => {
  it('reads keys with and without an account', () => {
    expect(parseAccessKeyList('AKID1:s1, 123456789012/AKID2:s:2')).toEqual([
      { accountId: '000000000000', accessKeyId: 'AKID1', secretAccessKey: 's1' },
      { accountId: '123456789012', accessKeyId: 'AKID2', secretAccessKey: 's:2' },
    ]);
  });
  it('refuses a malformed entry without echoing its secret', () => {
    expect(() => parseAccessKeyList('12/AKID:topsecret')).toThrow(/12\/AKID:\*\*\*/);
  });
});

describe('newMessageId', () => {
  it('has SES form and sorts by time', () => {
    const a = newMessageId(1_700_000_000_000);
    const b = newMessageId(1_700_000_000_001);
    expect(a).toMatch(/^0100018bcfe56800-[0-9a-f-]{36}-000000$/);
    expect(a < b).toBe(true);
  });
});
