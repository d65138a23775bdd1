// A little fuzzing of the request decoders: for every operation of every model, a wrong value at
// every member (up to a few levels down) either decodes into a value of the model's types or is
// refused with a 400 AwsError. Nothing may throw anything else (which the router answers 500), and
// nothing may reach a handler with a hole where the model promises a value.
import { describe, expect, it } from 'vitest';
import { AwsError } from '../../../src/domain/errors.js';
import { decodeQueryInput } from '../../../src/protocol/query.js';
import { decodeRestJsonInput, matchRestJsonOperation } from '../../../src/protocol/rest-json.js';
import { loadModel, type Member, type ServiceModel, type Shape } from '../../../src/protocol/service-model.js';

// As JSON text: JSON.stringify itself overflows the stack on values this deep.
const DEPTH = 10_000;
const DEEP_OBJECT = `${'{"a":'.repeat(DEPTH)}"leaf"${'}'.repeat(DEPTH)}`;
const DEEP_ARRAY = `${'['.repeat(DEPTH)}"leaf"${']'.repeat(DEPTH)}`;

/** Wrong (and a few right) JSON values for any member, as JSON text. */
const JSON_VALUES: [string, string][] = [
  ['an object nested 10,000 deep', DEEP_OBJECT],
  ['an array nested 10,000 deep', DEEP_ARRAY],
  ['a string', '"text"'],
  ['an integer', '7'],
  ['a fraction', '1.5'],
  ['a boolean', 'true'],
  ['an empty object', '{}'],
  ['an empty array', '[]'],
  ['an array of null', '[null]'],
  ['an object with a null', '{"a":null}'],
  ['an object with a __proto__ key', '{"__proto__":{"x":1}}'],
];

/** Where a member sits: the path of wire names from the body's top, `[]` for a list element, `{}` for a map value. */
type Step = string;

function jsonPaths(shape: Shape, depth: number, seen: Set<Shape>): Step[][] {
  if (depth === 0 || seen.has(shape)) return [];
  const next = new Set(seen).add(shape);
  const out: Step[][] = [];
  const children: [Step, Shape][] =
    shape.type === 'structure'
      ? shape.members!.map((m) => [m.wireName, m.shape])
      : shape.type === 'list'
        ? [['[]', shape.member!.shape]]
        : shape.type === 'map'
          ? [['{}', shape.value!.shape]]
          : [];
  for (const [step, child] of children) {
    out.push([step]);
    for (const rest of jsonPaths(child, depth - 1, next)) out.push([step, ...rest]);
  }
  return out;
}

/** The JSON text of a body with `value` (JSON text) at `path`. */
function place(path: Step[], value: string): string {
  let v = value;
  for (let i = path.length - 1; i >= 0; i--) {
    const step = path[i]!;
    v = step === '[]' ? `[${v}]` : step === '{}' ? `{"key":${v}}` : `{${JSON.stringify(step)}:${v}}`;
  }
  return v;
}

/** True when a decoded value has the model's types all the way down (what handlers rely on). */
function conforms(shape: Shape, value: unknown): boolean {
  switch (shape.type) {
    case 'structure':
      return (
        value !== null &&
        typeof value === 'object' &&
        Object.getPrototypeOf(value) === Object.prototype &&
        shape.members!.every((m) => (value as Record<string, unknown>)[m.name] === undefined || conforms(m.shape, (value as Record<string, unknown>)[m.name]))
      );
    case 'list':
      return Array.isArray(value) && Array.from(value).every((v) => v !== undefined && v !== null && conforms(shape.member!.shape, v));
    case 'map':
      return value !== null && typeof value === 'object' && Object.values(value).every((v) => conforms(shape.value!.shape, v));
    case 'string':
      return typeof value === 'string';
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'timestamp':
      return value instanceof Date;
    case 'blob':
      return value instanceof Uint8Array;
  }
}

/** Runs a decode: it must give conforming input or a 400 AwsError. */
function expectClientOutcome(input: Shape | undefined, decode: () => Record<string, unknown>, what: string): void {
  let decoded: Record<string, unknown>;
  try {
    decoded = decode();
  } catch (err) {
    expect(err, what).toBeInstanceOf(AwsError);
    expect((err as AwsError).httpStatus, what).toBeLessThan(500);
    expect((err as AwsError).message.length, what).toBeLessThan(4096);
    return;
  }
  if (input) expect(conforms(input, decoded), `${what}: ${JSON.stringify(decoded).slice(0, 300)}`).toBe(true);
}

function restJsonTargets(model: ServiceModel): { operation: string; method: string; path: string; body: readonly Member[]; input: Shape }[] {
  const out = [];
  for (const op of model.operations.values()) {
    if (!op.input) continue;
    const path = op.http.requestUri.split('?')[0]!.replace(/\{[^}]+\}/g, 'x');
    const body = op.input.members!.filter((m) => m.location === undefined);
    if (body.length > 0) out.push({ operation: op.name, method: op.http.method, path, body, input: op.input });
  }
  return out;
}

describe.each(['sesv2', 'pinpoint', 'pinpoint-email'] as const)('rest-json decoding of hostile bodies (%s)', (service) => {
  const model = loadModel(service);

  it('answers every wrong value at every member with a 400 (or a well-typed input)', () => {
    let cases = 0;
    for (const target of restJsonTargets(model)) {
      const match = matchRestJsonOperation(model, target.method, target.path);
      if (!match || match.operation !== target.operation) continue;
      const shape: Shape = { name: 'Body', type: 'structure', members: target.body };
      for (const path of jsonPaths(shape, 3, new Set())) {
        for (const [name, value] of JSON_VALUES) {
          const body = Buffer.from(place(path, value));
          const req = { method: target.method, path: target.path, query: '', headers: {}, body };
          expectClientOutcome(target.input, () => decodeRestJsonInput(model, target.operation, req, match.labels), `${target.operation} ${path.join('.')} = ${name}`);
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThan(1000);
  });
});

describe('the SES v2 answer to a value nested 10,000 deep', () => {
  it('is a 400 BadRequestException whose message echoes the value abridged', () => {
    const model = loadModel('sesv2');
    const body = Buffer.from(place(['Content', 'Simple', 'Subject', 'Data'], DEEP_OBJECT));
    const req = { method: 'POST', path: '/v2/email/outbound-emails', query: '', headers: {}, body };
    let error: unknown;
    try {
      decodeRestJsonInput(model, 'SendEmail', req, {});
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({ code: 'BadRequestException', httpStatus: 400 });
    expect((error as AwsError).message).toMatch(/^Value '\{a=\{a=\{a=.*\.\.\.' at 'content\.simple\.subject\.data' could not be read as a string$/);
  });
});

/** Query parameter names for a member and its descendants, a few levels down. */
function queryKeys(shape: Shape, prefix: string, depth: number, seen: Set<Shape>): { key: string; shape: Shape }[] {
  if (depth === 0 || seen.has(shape)) return [];
  const next = new Set(seen).add(shape);
  const out: { key: string; shape: Shape }[] = [];
  const add = (key: string, child: Shape) => {
    out.push({ key, shape: child });
    out.push(...queryKeys(child, key, depth - 1, next));
  };
  if (shape.type === 'structure') for (const m of shape.members!) add(prefix ? `${prefix}.${m.wireName}` : m.wireName, m.shape);
  else if (shape.type === 'list') add(`${prefix}.${shape.member!.locationName ?? 'member'}.1`, shape.member!.shape);
  else if (shape.type === 'map') {
    out.push({ key: `${prefix}.entry.1.key`, shape: shape.key!.shape });
    add(`${prefix}.entry.1.value`, shape.value!.shape);
  }
  return out;
}

const QUERY_VALUES = ['', 'text', '7', '-1', '1.5', 'true', 'NaN', '%', '9'.repeat(40)];

describe('query decoding of hostile parameters (SES v1)', () => {
  const model = loadModel('ses');

  it('answers sub-parameters under a scalar with a 400 InvalidParameterValue, not a hole in the list', () => {
    const params = new Map([
      ['Source', 'a@example.com'],
      ['Destination.ToAddresses.member.1.x', ''],
      ['Message.Subject.Data', 's'],
      ['Message.Body.Text.Data', 'b'],
    ]);
    let error: unknown;
    try {
      decodeQueryInput(model, 'SendEmail', params);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({
      code: 'InvalidParameterValue',
      httpStatus: 400,
      message: "Value 'Destination.ToAddresses.member.1.x' at 'destination.toAddresses.1.member' could not be read as a string (it was given as sub-parameters)",
    });
  });

  it('answers every wrong value and every stray sub-parameter at every member with a 400 (or a well-typed input)', () => {
    let cases = 0;
    for (const op of model.operations.values()) {
      if (!op.input) continue;
      for (const { key } of queryKeys(op.input, '', 5, new Set())) {
        for (const value of QUERY_VALUES) {
          for (const name of [key, `${key}.x`, `${key}.member.1.x`, `${key}.entry.1.value`]) {
            const params = new Map([[name, value]]);
            expectClientOutcome(op.input, () => decodeQueryInput(model, op.name, params), `${op.name} ${name}=${value}`);
            cases++;
          }
        }
      }
    }
    expect(cases).toBeGreaterThan(1000);
  });
});
