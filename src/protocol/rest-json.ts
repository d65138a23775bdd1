// The rest-json protocol (SES v2, Pinpoint Email, Pinpoint): request members bound to URI labels,
// query parameters, headers and a JSON body; answers as JSON with the status, headers and error
// shapes the model gives.
import { AwsError } from '../domain/errors.js';
import { decodeJsonMembers, decodeJsonValue, encodeJsonMembers, encodeJsonValue } from './json-codec.js';
import { matchRoute, routeOf, type RouteMatch } from './rest-json-routes.js';
import { formatScalarText, parseScalarText, toDate } from './scalars.js';
import type { Member, ServiceModel, Shape } from './service-model.js';
import { checkEnumList, checkLength, checkRange, checkString, isEnumString, joinPath, missing, validationError, WireTypeError, type Violations } from './validate.js';

export interface WireRequest {
  method: string;
  /** Raw, percent-encoded, without the query. */
  path: string;
  /** Raw, without the '?'. */
  query: string;
  /** Lower-case names, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** Node's rawHeaders (name, value, name, value...), for SigV4, which needs repeats unjoined. */
  rawHeaders?: string[];
  body: Buffer;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type { RouteMatch } from './rest-json-routes.js';

/** The operation a request is for, or undefined when no route of the model matches. */
export function matchRestJsonOperation(model: ServiceModel, method: string, rawPath: string): RouteMatch | undefined {
  return matchRoute(model, method, rawPath);
}

/** Where each member of an input or output structure lives in an HTTP message. */
interface Binding {
  labels: Member[];
  query: Member[];
  /** A map member that takes every query parameter no other member claims. */
  queryMap?: Member;
  headers: Member[];
  prefixHeaders: Member[];
  statusCode?: Member;
  payload?: Member;
  body: Member[];
}

const bindings = new WeakMap<Shape, Binding>();

function bindingOf(shape: Shape): Binding {
  let b = bindings.get(shape);
  if (b) return b;
  b = { labels: [], query: [], headers: [], prefixHeaders: [], body: [] };
  for (const m of shape.members ?? []) {
    switch (m.location) {
      case 'uri': b.labels.push(m); break;
      case 'querystring': if (m.shape.type === 'map') b.queryMap = m; else b.query.push(m); break;
      case 'header': b.headers.push(m); break;
      case 'headers': b.prefixHeaders.push(m); break;
      case 'statusCode': b.statusCode = m; break;
      default: if (shape.payload !== m) b.body.push(m);
    }
  }
  if (shape.payload) b.payload = shape.payload;
  bindings.set(shape, b);
  return b;
}

/** Query string parameters; a key may repeat (lists). '+' is a space, as in forms. */
function parseQueryMulti(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!raw) return out;
  for (const pair of raw.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const k = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    const v = eq < 0 ? '' : decodeComponent(pair.slice(eq + 1));
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}

function decodeComponent(s: string): string {
  const spaced = s.includes('+') ? s.replace(/\+/g, ' ') : s;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw new AwsError('BadRequestException', `Malformed percent-encoding in the query string: ${s}`, 400);
  }
}

function headerValue(headers: WireRequest['headers'], name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** A scalar read from text, with the constraints a JSON value would get. */
function textMember(shape: Shape, text: string, path: string, violations: Violations): unknown {
  const value = parseScalarText(shape, text, path);
  if (typeof value === 'string') checkString(shape, value, path, violations);
  else if (typeof value === 'number' && (shape.min !== undefined || shape.max !== undefined)) checkRange(shape, value, path, violations);
  return value;
}

function listFromText(member: Member, texts: readonly string[], path: string, violations: Violations): unknown[] {
  const element = member.shape.member!.shape;
  const enumElements = isEnumString(element);
  const out = enumElements ? [...texts] : texts.map((t, i) => textMember(element, t, `${path}.${i + 1}.member`, violations));
  if (enumElements) checkEnumList(element, out, path, violations);
  if (member.shape.min !== undefined || member.shape.max !== undefined) checkLength(member.shape, out, out.length, path, violations);
  return out;
}

function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new AwsError('BadRequestException', `Could not parse request body into json: ${(e as Error).message}`, 400);
  }
}

/**
 * Reads an operation's input from the request and checks it against the model. Throws AwsError:
 * `BadRequestException` (400) for violations, unreadable values and malformed JSON.
 */
export function decodeRestJsonInput(
  model: ServiceModel,
  operation: string,
  req: WireRequest,
  labels: Record<string, string>,
): Record<string, unknown> {
  const op = model.operations.get(operation);
  if (!op) throw new AwsError('UnknownOperationException', `${model.metadata.serviceId} has no operation ${operation}.`, 404);
  const shape = op.routes.length > 1 ? (routeOf(model, op, req.method, req.path)?.input ?? op.input) : op.input;
  const out: Record<string, unknown> = {};
  if (!shape) return out;
  const b = bindingOf(shape);
  const violations: Violations = [];
  try {
    for (const m of b.labels) {
      const text = labels[m.wireName];
      const path = joinPath('', m.name);
      if (text === undefined || text === '') missing(path, violations);
      else out[m.name] = textMember(m.shape, text, path, violations);
    }
    if (b.query.length > 0 || b.queryMap) decodeQuery(b, req.query, out, violations);
    for (const m of b.headers) {
      const text = headerValue(req.headers, m.wireName);
      const path = joinPath('', m.name);
      if (text === undefined) {
        if (m.required) missing(path, violations);
      } else if (m.shape.type === 'list') {
        out[m.name] = listFromText(m, text.split(',').map((s) => s.trim()), path, violations);
      } else if (m.shape.type === 'string' && m.jsonvalue) {
        try {
          out[m.name] = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as unknown;
        } catch {
          throw new WireTypeError(path, text, 'base64-encoded JSON');
        }
      } else {
        out[m.name] = textMember(m.shape, text, path, violations);
      }
    }
    for (const m of b.prefixHeaders) {
      const prefix = m.wireName.toLowerCase();
      const map: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined && k.startsWith(prefix)) map[k.slice(prefix.length)] = Array.isArray(v) ? v.join(', ') : v;
      }
      if (Object.keys(map).length > 0) out[m.name] = map;
    }
    if (b.payload) decodePayload(b.payload, req.body, out, violations);
    else if (b.body.length > 0) {
      const json = parseJsonBody(req.body) ?? {};
      if (json === null || typeof json !== 'object' || Array.isArray(json)) {
        throw new AwsError('BadRequestException', 'Could not parse request body into json: expected a JSON object', 400);
      }
      decodeJsonMembers(b.body, json as Record<string, unknown>, '', violations, out);
    }
  } catch (e) {
    if (e instanceof WireTypeError) throw new AwsError('BadRequestException', e.message, 400);
    throw e;
  }
  if (violations.length > 0) throw validationError('rest-json', violations);
  return out;
}

function decodeQuery(b: Binding, raw: string, out: Record<string, unknown>, violations: Violations): void {
  const params = parseQueryMulti(raw);
  for (const m of b.query) {
    const texts = params.get(m.wireName);
    const path = joinPath('', m.name);
    if (texts === undefined) {
      if (m.required) missing(path, violations);
    } else if (m.shape.type === 'list') {
      out[m.name] = listFromText(m, texts, path, violations);
    } else {
      out[m.name] = textMember(m.shape, texts[0]!, path, violations);
    }
  }
  if (b.queryMap) {
    const claimed = new Set(b.query.map((m) => m.wireName));
    const valueShape = b.queryMap.shape.value!.shape;
    const map: Record<string, unknown> = {};
    for (const [k, texts] of params) {
      if (claimed.has(k)) continue;
      map[k] = valueShape.type === 'list' ? texts : texts[0];
    }
    if (Object.keys(map).length > 0) out[b.queryMap.name] = map;
  }
}

function decodePayload(m: Member, body: Buffer, out: Record<string, unknown>, violations: Violations): void {
  const path = joinPath('', m.name);
  if (m.shape.type === 'blob') {
    if (body.length > 0) out[m.name] = body;
    else if (m.required) missing(path, violations);
    return;
  }
  if (m.shape.type === 'string') {
    if (body.length > 0) out[m.name] = body.toString('utf8');
    else if (m.required) missing(path, violations);
    return;
  }
  const json = parseJsonBody(body);
  if (json === undefined || json === null) {
    if (m.required) missing(path, violations);
    return;
  }
  out[m.name] = decodeJsonValue(m.shape, json, path, violations);
}

/** The success answer: the modelled status, header-bound members as headers, the rest as JSON. */
export function encodeRestJsonOutput(model: ServiceModel, operation: string, output: unknown, requestId: string): WireResponse {
  const op = model.operations.get(operation);
  if (!op) throw new Error(`${model.name}: no operation ${operation}`);
  const headers: Record<string, string> = { 'x-amzn-RequestId': requestId };
  let status = op.http.responseCode;
  const shape = op.output;
  if (!shape) return emptyAnswer(status, headers);
  const value = output !== null && typeof output === 'object' ? (output as Record<string, unknown>) : {};
  const b = bindingOf(shape);
  for (const m of b.headers) {
    const v = value[m.name];
    if (v === undefined || v === null) continue;
    const text = headerText(m, v);
    if (text !== undefined) headers[m.wireName] = text;
  }
  for (const m of b.prefixHeaders) {
    const map = value[m.name];
    if (map && typeof map === 'object') for (const [k, v] of Object.entries(map)) headers[`${m.wireName}${k}`] = String(v);
  }
  if (b.statusCode && typeof value[b.statusCode.name] === 'number') status = value[b.statusCode.name] as number;
  let body: string;
  if (b.payload) {
    const v = value[b.payload.name];
    const t = b.payload.shape.type;
    if (t === 'blob' || t === 'string') body = v === undefined || v === null ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
    else body = JSON.stringify(v === undefined || v === null ? {} : encodeJsonValue(b.payload.shape, v));
  } else {
    body = JSON.stringify(encodeJsonMembers(b.body, value, {}));
  }
  if (status === 204 || status === 304) return emptyAnswer(status, headers);
  headers['Content-Type'] = 'application/json';
  return { status, headers, body };
}

function emptyAnswer(status: number, headers: Record<string, string>): WireResponse {
  if (status !== 204 && status !== 304) return { status, headers: { ...headers, 'Content-Type': 'application/json' }, body: '{}' };
  return { status, headers, body: '' };
}

function headerText(m: Member, v: unknown): string | undefined {
  if (m.shape.type === 'list' && Array.isArray(v)) return v.map((item) => formatScalarText(m.shape.member!.shape, item)).join(', ');
  if (m.shape.type === 'timestamp') {
    const d = toDate(v);
    if (!d) return undefined;
    const format = m.timestampFormat ?? m.shape.timestampFormat;
    return format === 'iso8601' ? d.toISOString() : format === 'unixTimestamp' ? String(d.getTime() / 1000) : d.toUTCString();
  }
  if (m.shape.type === 'string' && m.jsonvalue) return Buffer.from(JSON.stringify(v), 'utf8').toString('base64');
  return formatScalarText(m.shape, v);
}

/** Members an error body carries: the modelled error's, else those the service's errors use. */
const errorMembers = new WeakMap<ServiceModel, readonly string[]>();

function defaultErrorMembers(model: ServiceModel): readonly string[] {
  let names = errorMembers.get(model);
  if (!names) {
    names = ['message'];
    for (const e of model.errors.values()) {
      const members = e.shape.members ?? [];
      if (members.length > 0) {
        names = members.map((m) => m.wireName);
        break;
      }
    }
    errorMembers.set(model, names);
  }
  return names;
}

/**
 * The error answer. The code goes in `x-amzn-ErrorType` (where AWS SDKs look first); the body has
 * the error shape's members (`message` for SES v2 and Pinpoint Email, `Message` and `RequestID`
 * for Pinpoint). A modelled error's status wins over the one the error carries.
 */
export function encodeRestJsonError(model: ServiceModel, err: AwsError, requestId: string): WireResponse {
  const modelled = model.errors.get(err.code);
  const status = modelled?.httpStatus ?? err.httpStatus;
  const members = modelled?.shape.members?.length ? modelled.shape.members.map((m) => m.wireName) : defaultErrorMembers(model);
  const body: Record<string, string> = {};
  for (const name of members) {
    const lower = name.toLowerCase();
    if (lower === 'message') body[name] = err.message;
    else if (lower === 'requestid') body[name] = requestId;
  }
  return {
    status,
    headers: {
      'Content-Type': 'application/json',
      'x-amzn-RequestId': requestId,
      'x-amzn-ErrorType': modelled?.code ?? err.code,
    },
    body: JSON.stringify(body),
  };
}
