// JSON bodies of the rest-json services, read into model-typed values (Date, Buffer, integers
// checked) with the model's constraints applied, and model-typed values written back out.
import type { Member, Shape } from './service-model.js';
import { checkInteger, decodeBase64, parseTimestampJson, toBase64, toDate } from './scalars.js';
import { checkEnumList, checkLength, checkRange, checkString, isEnumString, joinPath, listElementPath, missing, WireTypeError, type Violations } from './validate.js';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Reads the members of a structure from a JSON object; unknown keys are ignored, as AWS does. */
export function decodeJsonMembers(
  members: readonly Member[],
  obj: Record<string, unknown>,
  path: string,
  violations: Violations,
  out: Record<string, unknown>,
): Record<string, unknown> {
  for (const member of members) {
    const raw = obj[member.wireName];
    if (raw === undefined || raw === null) {
      if (member.required) missing(joinPath(path, member.name), violations);
      continue;
    }
    out[member.name] = decodeJsonValue(member.shape, raw, joinPath(path, member.name), violations);
  }
  return out;
}

export function decodeJsonValue(shape: Shape, raw: unknown, path: string, violations: Violations): unknown {
  switch (shape.type) {
    case 'structure':
      if (!isObject(raw)) throw new WireTypeError(path, raw, 'a structure');
      return decodeJsonMembers(shape.members!, raw, path, violations, {});
    case 'list': {
      if (!Array.isArray(raw)) throw new WireTypeError(path, raw, 'a list');
      const element = shape.member!.shape;
      const enumElements = isEnumString(element);
      const out = new Array<unknown>(raw.length);
      for (let i = 0; i < raw.length; i++) {
        const item: unknown = raw[i];
        if (item === null || item === undefined) missing(listElementPath(path, i), violations);
        else if (enumElements && typeof item === 'string') out[i] = item;
        else out[i] = decodeJsonValue(element, item, listElementPath(path, i), violations);
      }
      if (enumElements) checkEnumList(element, out, path, violations);
      if (shape.min !== undefined || shape.max !== undefined) checkLength(shape, raw, raw.length, path, violations);
      return out;
    }
    case 'map': {
      if (!isObject(raw)) throw new WireTypeError(path, raw, 'a map');
      const keyShape = shape.key!.shape;
      const valueShape = shape.value!.shape;
      const out: Record<string, unknown> = {};
      let count = 0;
      for (const [k, v] of Object.entries(raw)) {
        count++;
        if (keyShape.enum || keyShape.min !== undefined || keyShape.max !== undefined || keyShape.pattern) {
          checkString(keyShape, k, path, violations);
        }
        if (v === null || v === undefined) continue;
        out[k] = decodeJsonValue(valueShape, v, `${path}.${k}`, violations);
      }
      if (shape.min !== undefined || shape.max !== undefined) checkLength(shape, raw, count, path, violations);
      return out;
    }
    case 'string':
      if (typeof raw !== 'string') throw new WireTypeError(path, raw, 'a string');
      checkString(shape, raw, path, violations);
      return raw;
    case 'integer':
    case 'long': {
      if (typeof raw !== 'number') throw new WireTypeError(path, raw, 'an integer');
      const n = checkInteger(shape, raw, path, raw);
      if (shape.min !== undefined || shape.max !== undefined) checkRange(shape, n, path, violations);
      return n;
    }
    case 'double':
    case 'float': {
      // Smithy writes the non-finite numbers as strings.
      let n: number;
      if (typeof raw === 'number') n = raw;
      else if (raw === 'NaN') n = NaN;
      else if (raw === 'Infinity') n = Infinity;
      else if (raw === '-Infinity') n = -Infinity;
      else throw new WireTypeError(path, raw, 'a number');
      if (shape.min !== undefined || shape.max !== undefined) checkRange(shape, n, path, violations);
      return n;
    }
    case 'boolean':
      if (typeof raw !== 'boolean') throw new WireTypeError(path, raw, 'a boolean');
      return raw;
    case 'timestamp':
      return parseTimestampJson(raw, path);
    case 'blob': {
      if (typeof raw !== 'string') throw new WireTypeError(path, raw, 'base64-encoded binary data');
      const bytes = decodeBase64(raw, path);
      if (shape.min !== undefined || shape.max !== undefined) checkLength(shape, bytes, bytes.length, path, violations);
      return bytes;
    }
    default:
      return raw;
  }
}

/** Writes the modelled members of a structure; anything else a handler returns stays private. */
export function encodeJsonMembers(members: readonly Member[], value: Record<string, unknown>, out: Record<string, unknown>): Record<string, unknown> {
  for (const member of members) {
    const v = value[member.name];
    if (v === undefined || v === null) continue;
    out[member.wireName] = encodeJsonValue(member.shape, v, member.timestampFormat);
  }
  return out;
}

export function encodeJsonValue(shape: Shape, value: unknown, timestampFormat?: string): unknown {
  switch (shape.type) {
    case 'structure':
      return isObject(value) ? encodeJsonMembers(shape.members!, value, {}) : {};
    case 'list': {
      if (!Array.isArray(value)) return [];
      const element = shape.member!;
      return value.map((v) => (v === null || v === undefined ? null : encodeJsonValue(element.shape, v, element.timestampFormat)));
    }
    case 'map': {
      const out: Record<string, unknown> = {};
      if (!isObject(value)) return out;
      const v = shape.value!;
      for (const [k, item] of Object.entries(value)) {
        if (item !== undefined && item !== null) out[k] = encodeJsonValue(v.shape, item, v.timestampFormat);
      }
      return out;
    }
    case 'timestamp': {
      const d = toDate(value);
      if (!d) return undefined;
      const format = timestampFormat ?? shape.timestampFormat;
      if (format === 'iso8601') return d.toISOString();
      if (format === 'rfc822') return d.toUTCString();
      return d.getTime() / 1000;
    }
    case 'blob':
      return toBase64(value);
    case 'double':
    case 'float':
      return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
    default:
      return value;
  }
}
