import { describe, expect, it } from 'vitest';
import { mergeTags, parseResourceArn, resourceArn, validateTags } from '../../../src/domain/tags/tags.js';

const scope = { accountId: '123456789012', region: 'eu-west-1' };

describe('resource ARNs', () => {
  it('builds and reads back the ARN of each taggable resource', () => {
    const arn = resourceArn(scope, 'configuration-set', 'my-set');
    expect(arn).toBe('arn:aws:ses:eu-west-1:123456789012:configuration-set/my-set');
    expect(parseResourceArn(scope, arn)).toEqual({ ...scope, type: 'configuration-set', name: 'my-set', arn });
    expect(parseResourceArn(scope, resourceArn(scope, 'identity', 'a/b@example.com')).name).toBe('a/b@example.com');
  });

  it('refuses malformed ARNs and resource types that carry no tags', () => {
    expect(() => parseResourceArn(scope, 'arn:aws:sns:eu-west-1:123456789012:topic/x')).toThrow('Invalid ARN');
    expect(() => parseResourceArn(scope, 'arn:aws:ses:eu-west-1:123456789012:receipt-rule-set/x')).toThrow('Invalid ARN');
  });

  it("answers another account's or region's ARN as not found", () => {
    expect(() => parseResourceArn(scope, 'arn:aws:ses:us-east-1:123456789012:template/t')).toThrow(expect.objectContaining({ code: 'NotFoundException' }));
    expect(() => parseResourceArn(scope, 'arn:aws:ses:eu-west-1:999999999999:template/t')).toThrow(expect.objectContaining({ code: 'NotFoundException' }));
  });
});

describe('tag rules', () => {
  it('merges new keys after existing ones and overwrites values of existing keys in place', () => {
    expect(mergeTags([{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }], [{ Key: 'c', Value: '3' }, { Key: 'a', Value: '9' }])).toEqual([
      { Key: 'a', Value: '9' },
      { Key: 'b', Value: '2' },
      { Key: 'c', Value: '3' },
    ]);
  });

  it('allows 50 tags and no more', () => {
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: '' }));
    expect(mergeTags([], fifty)).toHaveLength(50);
    expect(() => mergeTags(fifty, [{ Key: 'more', Value: '' }])).toThrow('A resource can have at most 50 tags.');
  });

  it.each([
    [[{ Key: '', Value: 'v' }], 'Tag keys must be between 1 and 128 characters long.'],
    [[{ Key: 'k', Value: 'v'.repeat(257) }], 'Tag values must be at most 256 characters long.'],
    [[{ Key: 'AWS:x', Value: 'v' }], "Tag keys can't start with the reserved prefix 'aws:'."],
    [[{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }], 'Duplicate tag key: k'],
  ])('refuses %j', (tags, message) => {
    expect(() => validateTags(tags)).toThrow(message);
  });
});
