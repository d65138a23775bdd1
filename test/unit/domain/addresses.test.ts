import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../../src/domain/addresses.js';
import { parseAccessKeyList } from '../../../src/domain/access-keys.js';
import { newMessageId } from '../../../src/domain/message-id.js';

describe('parseAddress', () => {
  it('accepts plain and named addresses', () => {
    expect(parseAddress('a@Example.com')).toEqual({ address: 'a@Example.com', name: '', domain: 'example.com' });
    expect(parseAddress('"Doe, Jane" <jane@example.com>')).toEqual({ address: 'jane@example.com', name: 'Doe, Jane', domain: 'example.com' });
    // A quoted local part may hold what an unquoted one may not.
    expect(parseAddress('"a:b c"@example.com').address).toBe('"a:b c"@example.com');
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
    ['@example.com', 'Missing local name'],
    // As SES (JavaMail's checks): the local part ends at the first '@', and its first bad character names the error.
    ['github:haiodo', 'Local address contains illegal character'],
    ['a:b@example.com', 'Local address contains illegal character'],
    ['a[b]@example.com', 'Local address contains illegal character'],
    ['a@b@c.example', 'Domain contains illegal character'],
  ])('refuses %s with "%s"', (input, message) => {
    expect(() => parseAddress(input)).toThrow(message);
  });

  const label = (n: number) => 'd'.repeat(n);
  it.each([
    ['a local part of 65 characters', `${'l'.repeat(65)}@example.com`, 'Local address is longer than 64 characters'],
    ['a local part of 100,000 characters', `${'l'.repeat(100_000)}@example.com`, 'Local address is longer than 64 characters'],
    ['a domain label of 64 characters', `a@${label(64)}.com`, 'Domain label is longer than 63 characters'],
    ['a domain of 257 characters', `a@${[label(63), label(63), label(63), label(63), 'a'].join('.')}`, 'Domain is longer than 255 characters'],
    ['an address of 255 characters', `${'l'.repeat(64)}@${[label(63), label(63), label(62)].join('.')}`, 'Address is longer than 254 characters'],
  ])('refuses %s (RFC 5321 sizes)', (_name, input, message) => {
    expect(() => parseAddress(input)).toThrow(message);
    expect(() => parseAddress(`"Name" <${input}>`)).toThrow(message);
  });

  it('accepts every size up to the RFC 5321 limits', () => {
    const longest = `${'l'.repeat(64)}@${[label(63), label(63), label(61)].join('.')}`;
    expect(longest).toHaveLength(254);
    expect(parseAddress(longest).address).toBe(longest);
    expect(parseAddress(`a@${label(63)}.com`).domain).toBe(`${label(63)}.com`);
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
