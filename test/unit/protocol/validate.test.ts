import { describe, expect, it } from 'vitest';
import { decodeBase64, parseScalarText, parseTimestampJson } from '../../../src/protocol/scalars.js';
import type { Shape } from '../../../src/protocol/service-model.js';
import { checkLength, checkRange, checkString, joinPath, listElementPath, missing, validationError, WireTypeError } from '../../../src/protocol/validate.js';

const shape = (s: Partial<Shape> & Pick<Shape, 'type'>): Shape => ({ name: 'T', ...s });

describe('validation messages', () => {
  it('name members in lower camel case and list elements from 1', () => {
    expect(joinPath('', 'Destination')).toBe('destination');
    expect(joinPath(listElementPath(joinPath('', 'EmailTags'), 0), 'Value')).toBe('emailTags.1.member.value');
  });

  it('say one error in the singular and join several with semicolons', () => {
    const one: string[] = [];
    missing('content', one);
    expect(validationError('rest-json', one)).toMatchObject({
      code: 'BadRequestException',
      httpStatus: 400,
      message: "1 validation error detected: Value null at 'content' failed to satisfy constraint: Member must not be null",
    });
    const two = [...one];
    missing('destination', two);
    expect(validationError('query', two)).toMatchObject({
      code: 'ValidationError',
      message:
        "2 validation errors detected: Value null at 'content' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'destination' failed to satisfy constraint: Member must not be null",
    });
  });

  it('word enum, length, pattern and range failures as AWS does', () => {
    const v: string[] = [];
    checkString(shape({ type: 'string', enum: new Set(['A', 'B']), enumList: ['A', 'B'] }), 'C', 'kind', v);
    checkString(shape({ type: 'string', min: 1, max: 3 }), 'abcd', 'name', v);
    checkString(shape({ type: 'string', pattern: /^(.+)@(.+)$/, patternSource: '^(.+)@(.+)$' }), 'nobody', 'email', v);
    checkRange(shape({ type: 'integer', min: 300 }), 10, 'maxDeliverySeconds', v);
    checkLength(shape({ type: 'list', max: 1 }), ['x', 'y'], 2, 'list', v);
    expect(v).toEqual([
      "Value 'C' at 'kind' failed to satisfy constraint: Member must satisfy enum value set: [A, B]",
      "Value 'abcd' at 'name' failed to satisfy constraint: Member must have length less than or equal to 3",
      "Value 'nobody' at 'email' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(.+)@(.+)$",
      "Value '10' at 'maxDeliverySeconds' failed to satisfy constraint: Member must have value greater than or equal to 300",
      "Value '[x, y]' at 'list' failed to satisfy constraint: Member must have length less than or equal to 1",
    ]);
  });

  it('count characters, not UTF-16 units, for lengths', () => {
    const v: string[] = [];
    checkString(shape({ type: 'string', max: 2 }), '😀😀', 's', v);
    expect(v).toEqual([]);
  });
});

describe('scalars from text', () => {
  it('read integers within their range only', () => {
    expect(parseScalarText(shape({ type: 'integer' }), '-42', 'n')).toBe(-42);
    expect(() => parseScalarText(shape({ type: 'integer' }), '2147483648', 'n')).toThrow(WireTypeError);
    expect(parseScalarText(shape({ type: 'long' }), '2147483648', 'n')).toBe(2147483648);
    expect(() => parseScalarText(shape({ type: 'integer' }), '1.5', 'n')).toThrow(WireTypeError);
  });

  it('read doubles, including the non-finite spellings', () => {
    expect(parseScalarText(shape({ type: 'double' }), '1.5e3', 'd')).toBe(1500);
    expect(parseScalarText(shape({ type: 'double' }), '-Infinity', 'd')).toBe(-Infinity);
    expect(() => parseScalarText(shape({ type: 'double' }), '1,5', 'd')).toThrow(WireTypeError);
  });

  it('read timestamps as ISO 8601, HTTP dates or epoch seconds', () => {
    const t = shape({ type: 'timestamp' });
    expect(parseScalarText(t, '2024-05-01T10:00:00.5Z', 't')).toEqual(new Date('2024-05-01T10:00:00.500Z'));
    expect(parseScalarText(t, 'Wed, 01 May 2024 10:00:00 GMT', 't')).toEqual(new Date('2024-05-01T10:00:00Z'));
    expect(parseScalarText(t, '1714557600', 't')).toEqual(new Date('2024-05-01T10:00:00Z'));
    expect(parseTimestampJson(1714557600.25, 't')).toEqual(new Date('2024-05-01T10:00:00.250Z'));
    expect(() => parseTimestampJson(true, 't')).toThrow(WireTypeError);
    expect(() => parseScalarText(t, 'soon', 't')).toThrow(WireTypeError);
  });

  it('read base64 strictly', () => {
    expect(decodeBase64('aGk=', 'b').toString()).toBe('hi');
    expect(decodeBase64('aGk', 'b').toString()).toBe('hi');
    expect(decodeBase64('', 'b').length).toBe(0);
    expect(decodeBase64('aA==', 'b').toString()).toBe('h');
    expect(decodeBase64('aGlo\r\naGk=', 'b').toString()).toBe('hihhi');
    for (const bad of ['a', 'aGk=x', 'a=Gk', 'aG k', 'aGk-', 'aG=', 'a===', '==aA', 'aA=a', 'aGk=aGk=', 'aGk=\r\naGk=']) expect(() => decodeBase64(bad, 'b'), bad).toThrow(WireTypeError);
  });

  it('read booleans as true and false only', () => {
    expect(parseScalarText(shape({ type: 'boolean' }), 'false', 'b')).toBe(false);
    expect(() => parseScalarText(shape({ type: 'boolean' }), 'TRUE', 'b')).toThrow(WireTypeError);
  });
});
