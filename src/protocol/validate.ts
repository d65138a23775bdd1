// Input constraints from the service model (required, enum, length, range, pattern) and the way
// AWS words their failures. AWS's request validation (Coral) answers, e.g. for SES:
//   2 validation errors detected: Value null at 'message' failed to satisfy constraint: Member must
//   not be null; Value null at 'destination' failed to satisfy constraint: Member must not be null
// with member names in lower camel case, list elements as `name.1.member` (1-based). SES v1 sends
// it as `ValidationError`; the rest-json services as their modelled `BadRequestException`.
import { AwsError } from '../domain/errors.js';
import type { Shape } from './service-model.js';

/** Violations found while decoding one request, in the order they were met. */
export type Violations = string[];

/** The path segment Coral reports for a member: its name with a lower-case first letter. */
export const pathSegment = (memberName: string): string =>
  memberName.length === 0 ? memberName : memberName[0]!.toLowerCase() + memberName.slice(1);

export const joinPath = (parent: string, memberName: string): string =>
  parent ? `${parent}.${pathSegment(memberName)}` : pathSegment(memberName);

export const listElementPath = (parent: string, index: number): string => `${parent}.${index + 1}.member`;

export function missing(path: string, violations: Violations): void {
  violations.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
}

// The echo of a compound value is cut short: a client may send one nested 10,000 levels deep or
// with a million entries, and the error must cost no more than the value it complains about.
const ECHO_MAX_CHARS = 256;

/** Java's toString of the value, which is what AWS echoes back (compound values abridged). */
function render(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  const out: string[] = [];
  let length = 0;
  // Depth-first with an explicit stack, so that no nesting depth can overflow the call stack.
  const stack: unknown[] = [value];
  while (stack.length > 0 && length <= ECHO_MAX_CHARS) {
    const item = stack.pop();
    let text: string;
    if (item instanceof Literal) text = item.text;
    else if (item instanceof Uint8Array) text = `<${item.length} bytes>`;
    else if (item instanceof Date) text = item.toISOString();
    else if (Array.isArray(item)) {
      text = '[';
      stack.push(new Literal(']'));
      for (let i = item.length - 1; i >= 0; i--) {
        stack.push(item[i]);
        if (i > 0) stack.push(new Literal(', '));
      }
    } else if (item !== null && typeof item === 'object') {
      text = '{';
      stack.push(new Literal('}'));
      const entries = Object.entries(item);
      for (let i = entries.length - 1; i >= 0; i--) {
        stack.push(entries[i]![1], new Literal(`${entries[i]![0]}=`));
        if (i > 0) stack.push(new Literal(', '));
      }
    } else text = String(item);
    out.push(text);
    length += text.length;
  }
  const joined = out.join('');
  return stack.length > 0 || joined.length > ECHO_MAX_CHARS ? `${joined.slice(0, ECHO_MAX_CHARS)}...` : joined;
}

/** Punctuation waiting on render's stack. */
class Literal {
  constructor(readonly text: string) {}
}

/**
 * One violation, echoing the value as AWS does, except a sensitive member's: AWS answered an empty
 * WebsiteURL (sensitive in SES v2's model) with "Value at 'websiteURL' failed to satisfy constraint:
 * Member must have length greater than or equal to 1" (floci-io/floci#2498, verified against AWS).
 */
function fail(shape: Shape, value: unknown, path: string, constraint: string, violations: Violations): void {
  const echo = shape.sensitive ? '' : ` '${render(value)}'`;
  violations.push(`Value${echo} at '${path}' failed to satisfy constraint: Member must ${constraint}`);
}

/** Checks a string's enum, length and pattern. Length counts characters (code points), as Java does. */
export function checkString(shape: Shape, value: string, path: string, violations: Violations): void {
  if (shape.enum && !shape.enum.has(value)) {
    fail(shape, value, path, `satisfy enum value set: [${shape.enumList!.join(', ')}]`, violations);
    return;
  }
  if (shape.min !== undefined || shape.max !== undefined) checkLength(shape, value, codePoints(value), path, violations);
  if (shape.pattern && !shape.pattern.test(value)) {
    fail(shape, value, path, `satisfy regular expression pattern: ${shape.patternSource}`, violations);
  }
}

/**
 * A list of enum strings with an element outside the enum. Coral names the list, not the element,
 * and echoes no value: SES v1 answered "Value at 'eventDestination.matchingEventTypes' failed to
 * satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [click,
 * ...]]" (marckohlbrugge/sessy#190).
 */
export function checkEnumList(element: Shape, values: readonly unknown[], path: string, violations: Violations): void {
  if (values.every((v) => typeof v !== 'string' || element.enum!.has(v))) return;
  violations.push(`Value at '${path}' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${element.enumList!.join(', ')}]]`);
}

/** Whether a list's elements are enum strings (checked as a whole by checkEnumList). */
export const isEnumString = (shape: Shape): boolean => shape.type === 'string' && shape.enum !== undefined;

/** Lengths of strings, blobs, lists and maps share one wording. */
export function checkLength(shape: Shape, value: unknown, length: number, path: string, violations: Violations): void {
  if (shape.min !== undefined && length < shape.min) {
    fail(shape, value, path, `have length greater than or equal to ${shape.min}`, violations);
  } else if (shape.max !== undefined && length > shape.max) {
    fail(shape, value, path, `have length less than or equal to ${shape.max}`, violations);
  }
}

export function checkRange(shape: Shape, value: number, path: string, violations: Violations): void {
  if (shape.min !== undefined && value < shape.min) {
    fail(shape, value, path, `have value greater than or equal to ${shape.min}`, violations);
  } else if (shape.max !== undefined && value > shape.max) {
    fail(shape, value, path, `have value less than or equal to ${shape.max}`, violations);
  }
}

function codePoints(s: string): number {
  let n = s.length;
  // Surrogate pairs count once; only scan when there can be any.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

export function validationMessage(violations: Violations): string {
  const n = violations.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`;
}

/**
 * A value the wire format cannot carry into the member's type (a word where a number belongs,
 * broken base64). Raised at once rather than collected: nothing after it can be trusted.
 */
export class WireTypeError extends Error {
  constructor(
    readonly path: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`Value '${render(value)}' at '${path}' could not be read as ${expected}`);
    this.name = 'WireTypeError';
  }
}

/** The error a protocol answers for violations. */
export function validationError(protocol: 'rest-json' | 'query', violations: Violations): AwsError {
  return new AwsError(protocol === 'query' ? 'ValidationError' : 'BadRequestException', validationMessage(violations), 400, true);
}
