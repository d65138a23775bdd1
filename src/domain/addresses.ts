// Email address rules as SES applies them: an address is `local@domain`, optionally with a display
// name (`"Name" <local@domain>`). SES has no SMTPUTF8: the local part must be 7-bit ASCII, and a
// non-ASCII domain must be given in Punycode.
import { invalidParameter } from './errors.js';

export interface ParsedAddress {
  /** `local@domain` without display name or angle brackets. */
  address: string;
  name: string;
  domain: string;
}

// RFC 5321 section 4.5.3.1. A path is the address in angle brackets, so the address itself has 254.
export const MAX_LOCAL_PART_LENGTH = 64;
export const MAX_DOMAIN_LENGTH = 255;
export const MAX_LABEL_LENGTH = 63;
export const MAX_ADDRESS_LENGTH = 256 - 2;

const CONTROL_OR_SPACE = /[\x00-\x20\x7f]/;
const NON_ASCII = /[^\x00-\x7f]/;

/** Parses one address as given in an API field, raising SES's messages for malformed ones. */
export function parseAddress(input: string): ParsedAddress {
  const trimmed = input.trim();
  const angle = /^(.*)<([^<>]*)>\s*$/s.exec(trimmed);
  const address = (angle ? angle[2]! : trimmed).trim();
  const name = angle ? unquote(angle[1]!.trim()) : '';
  const at = localPartEnd(address);
  if (at < 0) throw invalidParameter("Missing final '@domain'");
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (!domain) throw invalidParameter('Missing domain');
  if (NON_ASCII.test(local)) throw invalidParameter('Illegal address');
  if (CONTROL_OR_SPACE.test(domain)) throw invalidParameter('Domain contains control or whitespace');
  if (NON_ASCII.test(domain)) throw invalidParameter('Domain contains illegal character');
  if (domain.startsWith('.')) throw invalidParameter('Domain starts with dot');
  if (domain.endsWith('.')) throw invalidParameter('Domain ends with dot');
  if (domain.includes('..')) throw invalidParameter('Domain contains dot-dot');
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)$/.test(domain)) throw invalidParameter('Domain contains illegal character');
  checkLengths(local, domain, address);
  return { address, name, domain: domain.toLowerCase() };
}

/**
 * An address as the account suppression list keys it: trimmed, its domain in lower case, its local
 * part as given. SES v2 treats Foo@example.com and foo@example.com as two entries, and
 * Foo@Example.COM as Foo@example.com (floci-io/floci#1350, checked against SES v2 on 2026-06-15);
 * RFC 5321 2.4 likewise leaves the local part's case to the receiving host.
 */
export function suppressionAddress(input: string): string {
  const trimmed = input.trim();
  const at = trimmed.lastIndexOf('@');
  return at < 0 ? trimmed : trimmed.slice(0, at + 1) + trimmed.slice(at + 1).toLowerCase();
}

/**
 * SendCustomVerificationEmail checks the address to verify before it looks for the template, and
 * refuses anything that is not one address with "Invalid email address<addr>." (floci-io/floci#2191,
 * verified against real AWS: no '@' outside a quoted local part or more than one, an empty local part
 * or domain, whitespace, more than 320 characters; a quoted local part may hold '@', and the domain
 * needs no dot).
 */
export function checkAddressToVerify(address: string): void {
  const malformed = address.length > 320 || /\s/.test(address) || address.startsWith('@') || address.endsWith('@') || unquotedAtSigns(address) !== 1;
  if (malformed) throw invalidParameter(`Invalid email address<${address}>.`);
}

/** The '@' signs outside quotes, read as localPartEnd reads them (a backslash escapes the next character). */
function unquotedAtSigns(address: string): number {
  let count = 0;
  let quoted = false;
  for (let i = 0; i < address.length; i++) {
    const c = address[i];
    if (c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (c === '@' && !quoted) count++;
  }
  return count;
}

/** The sizes every mail server must accept and may refuse beyond; SES refuses beyond them too. */
function checkLengths(local: string, domain: string, address: string): void {
  if (local.length > MAX_LOCAL_PART_LENGTH) throw invalidParameter(`Local address is longer than ${MAX_LOCAL_PART_LENGTH} characters`);
  if (domain.length > MAX_DOMAIN_LENGTH) throw invalidParameter(`Domain is longer than ${MAX_DOMAIN_LENGTH} characters`);
  if (!domain.startsWith('[') && domain.split('.').some((label) => label.length > MAX_LABEL_LENGTH)) {
    throw invalidParameter(`Domain label is longer than ${MAX_LABEL_LENGTH} characters`);
  }
  if (address.length > MAX_ADDRESS_LENGTH) throw invalidParameter(`Address is longer than ${MAX_ADDRESS_LENGTH} characters`);
}

// SES's address messages are JavaMail's (InternetAddress.checkAddress): the local part ends at the
// first '@' outside quotes, and is read character by character, the first bad one naming the error
// ('a@b@c' has the domain 'b@c'; 'github:haiodo' has an illegal character before any '@').
// (Quotes, backslashes and '@' are read before this list is consulted.)
const LOCAL_SPECIALS = '()<>,;:[]';

/** Where the local part of `address` ends (its '@'), or -1 when it has none; throws for a bad local part. */
function localPartEnd(address: string): number {
  let quoted = false;
  for (let i = 0; i < address.length; i++) {
    const c = address[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '"') {
      quoted = !quoted;
      continue;
    }
    if (quoted) continue;
    if (c === '@') {
      if (i === 0) throw invalidParameter('Missing local name');
      return i;
    }
    if (CONTROL_OR_SPACE.test(c)) throw invalidParameter('Local address contains control or whitespace');
    if (LOCAL_SPECIALS.includes(c)) throw invalidParameter('Local address contains illegal character');
  }
  return -1;
}

function unquote(name: string): string {
  return name.startsWith('"') && name.endsWith('"') && name.length >= 2 ? name.slice(1, -1).replace(/\\(.)/g, '$1') : name;
}
