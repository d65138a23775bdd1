// The Query protocol of SES v1: form-encoded parameters in (`Destination.ToAddresses.member.1`,
// `Tags.member.1.Name`, maps as `Name.entry.1.key`), XML out (`<ActionResponse>` with the
// operation's result wrapper and `ResponseMetadata`), errors as `<ErrorResponse>`.
import { AwsError } from '../domain/errors.js';
import type { WireResponse } from './rest-json.js';
import { formatScalarText, parseScalarText } from './scalars.js';
import type { Member, ServiceModel, Shape } from './service-model.js';
import { checkEnumList, checkLength, checkRange, checkString, isEnumString, joinPath, missing, validationError, WireTypeError, type Violations } from './validate.js';
import { XmlWriter } from './xml.js';

const SES_XMLNS = 'http://ses.amazonaws.com/doc/2010-12-01/';

/**
 * More than any operation takes (SendBulkTemplatedEmail's 50 destinations of 50 addresses and their
 * tags are a few thousand): a body of millions of empty parameters would hold the event loop for
 * seconds, so reading stops there.
 */
export const MAX_QUERY_PARAMS = 20_000;

/** `application/x-www-form-urlencoded`: '+' is a space, percent-decoding, the last repeat wins. */
export function parseQueryParams(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  let count = 0;
  for (let start = 0; start < raw.length; ) {
    const amp = raw.indexOf('&', start);
    const end = amp < 0 ? raw.length : amp;
    const pair = raw.slice(start, end);
    start = end + 1;
    if (!pair) continue;
    if (++count > MAX_QUERY_PARAMS) throw new AwsError('MalformedQueryString', `The query string has more than ${MAX_QUERY_PARAMS} parameters.`, 404);
    const eq = pair.indexOf('=');
    out.set(formDecode(eq < 0 ? pair : pair.slice(0, eq)), eq < 0 ? '' : formDecode(pair.slice(eq + 1)));
  }
  return out;
}

/** The Action a Query request names, for the log line of a request refused before it is read (from its first 4 kB). */
export function claimedAction(raw: string): string | undefined {
  return /(?:^|&)Action=([A-Za-z0-9]{1,64})(?:&|$)/.exec(raw.slice(0, 4096))?.[1];
}

function formDecode(s: string): string {
  const spaced = s.includes('+') ? s.replace(/\+/g, ' ') : s;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    // AWS's common errors list MalformedQueryString with status 404.
    throw new AwsError('MalformedQueryString', `The query string contains a syntax error: ${s}`, 404);
  }
}

interface Reader {
  params: Map<string, string>;
  /** Every proper prefix of a parameter name (`A`, `A.B` for `A.B.C`): tells what is present. */
  prefixes: Set<string>;
  violations: Violations;
}

const present = (r: Reader, key: string): boolean => r.params.has(key) || r.prefixes.has(key);

/**
 * Reads an action's input from its parameters and checks it against the model. Throws AwsError:
 * `InvalidAction` for an action SES v1 does not have, `ValidationError` for violations and
 * `InvalidParameterValue` for values that cannot be read as their type.
 */
export function decodeQueryInput(model: ServiceModel, action: string, params: Map<string, string>): Record<string, unknown> {
  const op = model.operations.get(action);
  if (!op) throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`, 400);
  if (!op.input) return {};
  const prefixes = new Set<string>();
  for (const key of params.keys()) {
    for (let i = key.indexOf('.'); i >= 0; i = key.indexOf('.', i + 1)) prefixes.add(key.slice(0, i));
  }
  const reader: Reader = { params, prefixes, violations: [] };
  let out: Record<string, unknown>;
  try {
    out = readStructure(reader, op.input, '', '');
  } catch (e) {
    if (e instanceof WireTypeError) throw new AwsError('InvalidParameterValue', e.message, 400);
    throw e;
  }
  if (reader.violations.length > 0) throw validationError('query', reader.violations);
  return out;
}

function readStructure(r: Reader, shape: Shape, prefix: string, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of shape.members!) {
    const key = prefix ? `${prefix}.${m.wireName}` : m.wireName;
    const memberPath = joinPath(path, m.name);
    const value = readValue(r, m.shape, key, memberPath);
    if (value === undefined) {
      if (m.required) missing(memberPath, r.violations);
    } else {
      out[m.name] = value;
    }
  }
  return out;
}

function readValue(r: Reader, shape: Shape, key: string, path: string): unknown {
  switch (shape.type) {
    case 'structure':
      return present(r, key) ? readStructure(r, shape, key, path) : undefined;
    case 'list':
      return readList(r, shape, key, path);
    case 'map':
      return readMap(r, shape, key, path);
    default: {
      const text = r.params.get(key);
      if (text !== undefined) return readScalar(r, shape, text, path);
      // `Name.x=` where Name is a scalar: a value that cannot be read, not an absent one (an
      // absent list element would reach the handler as a hole).
      if (r.prefixes.has(key)) throw new WireTypeError(path, subParameter(r, key), `${/^[aeiou]/.test(shape.type) ? 'an' : 'a'} ${shape.type} (it was given as sub-parameters)`);
      return undefined;
    }
  }
}

function subParameter(r: Reader, key: string): string {
  for (const name of r.params.keys()) if (name.startsWith(`${key}.`)) return name;
  return key;
}

function readScalar(r: Reader, shape: Shape, text: string, path: string): unknown {
  const value = parseScalarText(shape, text, path);
  if (typeof value === 'string') checkString(shape, value, path, r.violations);
  else if (typeof value === 'number' && (shape.min !== undefined || shape.max !== undefined)) checkRange(shape, value, path, r.violations);
  else if (value instanceof Uint8Array && (shape.min !== undefined || shape.max !== undefined)) checkLength(shape, value, value.length, path, r.violations);
  return value;
}

function readList(r: Reader, shape: Shape, key: string, path: string): unknown[] | undefined {
  const element = shape.member!;
  const base = shape.flattened ? key : `${key}.${element.locationName ?? 'member'}`;
  const enumElements = isEnumString(element.shape);
  const out: unknown[] = [];
  for (let i = 1; ; i++) {
    const itemKey = `${base}.${i}`;
    if (!present(r, itemKey)) break;
    const text = enumElements ? r.params.get(itemKey) : undefined;
    out.push(text !== undefined ? text : readValue(r, element.shape, itemKey, `${path}.${i}.member`));
  }
  // SDKs send an empty list as the bare name with an empty value.
  if (out.length === 0 && !present(r, key)) return undefined;
  if (enumElements) checkEnumList(element.shape, out, path, r.violations);
  if (shape.min !== undefined || shape.max !== undefined) checkLength(shape, out, out.length, path, r.violations);
  return out;
}

function readMap(r: Reader, shape: Shape, key: string, path: string): Record<string, unknown> | undefined {
  const keyName = shape.key!.locationName ?? 'key';
  const valueName = shape.value!.locationName ?? 'value';
  const base = shape.flattened ? key : `${key}.entry`;
  const out: Record<string, unknown> = {};
  let count = 0;
  for (let i = 1; ; i++) {
    const entry = `${base}.${i}`;
    if (!present(r, entry)) break;
    const k = r.params.get(`${entry}.${keyName}`);
    if (k === undefined) {
      missing(`${path}.${i}.key`, r.violations);
      continue;
    }
    count++;
    checkString(shape.key!.shape, k, `${path}.${i}.key`, r.violations);
    const v = readValue(r, shape.value!.shape, `${entry}.${valueName}`, `${path}.${k}`);
    if (v !== undefined) out[k] = v;
  }
  if (count === 0 && !present(r, key)) return undefined;
  if (shape.min !== undefined || shape.max !== undefined) checkLength(shape, out, count, path, r.violations);
  return out;
}

/** `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…</ResponseMetadata></ActionResponse>`. */
export function encodeQueryOutput(model: ServiceModel, action: string, output: unknown, requestId: string): WireResponse {
  const op = model.operations.get(action);
  if (!op) throw new Error(`${model.name}: no operation ${action}`);
  const w = new XmlWriter();
  const root = `${action}Response`;
  w.open(root, model.metadata.xmlNamespace ?? SES_XMLNS);
  if (op.output) {
    const wrapper = op.resultWrapper ?? `${action}Result`;
    const value = output !== null && typeof output === 'object' ? (output as Record<string, unknown>) : {};
    const inner = new XmlWriter();
    writeMembers(inner, op.output.members!, value);
    const text = inner.toString();
    if (text === '') w.empty(wrapper);
    else w.open(wrapper).raw(text).close(wrapper);
  }
  w.open('ResponseMetadata').text('RequestId', requestId).close('ResponseMetadata');
  w.close(root);
  return { status: 200, headers: { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId }, body: w.toString() };
}

function writeMembers(w: XmlWriter, members: readonly Member[], value: Record<string, unknown>): void {
  for (const m of members) {
    const v = value[m.name];
    if (v !== undefined && v !== null) writeValue(w, m.wireName, m.shape, v);
  }
}

function writeValue(w: XmlWriter, name: string, shape: Shape, v: unknown): void {
  switch (shape.type) {
    case 'structure':
      w.open(name);
      if (typeof v === 'object') writeMembers(w, shape.members!, v as Record<string, unknown>);
      w.close(name);
      return;
    case 'list': {
      const items = Array.isArray(v) ? v : [];
      const element = shape.member!;
      if (shape.flattened) {
        for (const item of items) if (item !== null && item !== undefined) writeValue(w, element.locationName ?? name, element.shape, item);
        return;
      }
      w.open(name);
      for (const item of items) if (item !== null && item !== undefined) writeValue(w, element.locationName ?? 'member', element.shape, item);
      w.close(name);
      return;
    }
    case 'map': {
      const keyName = shape.key!.locationName ?? 'key';
      const valueName = shape.value!.locationName ?? 'value';
      const entries = typeof v === 'object' ? Object.entries(v as Record<string, unknown>) : [];
      if (!shape.flattened) w.open(name);
      for (const [k, item] of entries) {
        if (item === null || item === undefined) continue;
        w.open(shape.flattened ? name : 'entry');
        w.text(keyName, k);
        writeValue(w, valueName, shape.value!.shape, item);
        w.close(shape.flattened ? name : 'entry');
      }
      if (!shape.flattened) w.close(name);
      return;
    }
    default: {
      const text = shape.type === 'double' || shape.type === 'float' ? javaDoubleText(Number(v)) : formatScalarText(shape, v);
      if (text !== undefined) w.text(name, text);
    }
  }
}

/**
 * A double as the Query services write it, Java's Double.toString: always a fraction or an exponent
 * (SES's GetSendQuota answers `<Max24HourSend>200.0</Max24HourSend>`, `<MaxSendRate>1.0</MaxSendRate>`:
 * the API reference's example). Java writes 10^7 and more, and less than 10^-3, as `1.0E7`.
 */
export function javaDoubleText(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(v);
  if (abs === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  if (abs >= 1e-3 && abs < 1e7) return Number.isInteger(v) ? v.toFixed(1) : String(v);
  const [mantissa, exponent] = v.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** `<ErrorResponse><Error><Type>Sender</Type><Code/><Message/></Error><RequestId/></ErrorResponse>`. */
export function encodeQueryError(err: AwsError, requestId: string, xmlns: string = SES_XMLNS): WireResponse {
  const w = new XmlWriter();
  w.open('ErrorResponse', xmlns)
    .open('Error')
    .text('Type', err.senderFault ? 'Sender' : 'Receiver')
    .text('Code', err.code)
    .text('Message', err.message)
    .close('Error')
    .text('RequestId', requestId)
    .close('ErrorResponse');
  return { status: err.httpStatus, headers: { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId }, body: w.toString() };
}
