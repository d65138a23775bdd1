import { describe, expect, it } from 'vitest';
import { parseSearch, SearchSyntaxError } from '../../../src/web/api/search-syntax.js';

describe('the console search syntax', () => {
  it('reads every kind of term, with quoted values and free words', () => {
    expect(parseSearch('from:shop@ to:a@b.c subject:"two words" tag:kind=receipt tag:flag set:mkt status:Bounced after:2026-05-01 before:2026-05-02T10:00:00Z hello "big world"')).toEqual({
      from: ['shop@'],
      to: ['a@b.c'],
      subject: ['two words'],
      tags: [{ name: 'kind', value: 'receipt' }, { name: 'flag' }],
      sets: ['mkt'],
      statuses: ['bounced'],
      after: Date.UTC(2026, 4, 1),
      before: Date.UTC(2026, 4, 2, 10),
      text: ['hello', 'big world'],
    });
  });

  it('keeps a tag value that itself holds "="', () => {
    expect(parseSearch('tag:q=a=b').tags).toEqual([{ name: 'q', value: 'a=b' }]);
  });

  it('treats an unknown key as a word to search for', () => {
    expect(parseSearch('https://x.example ref:1').text).toEqual(['https://x.example', 'ref:1']);
  });

  it('rejects an unknown status, a date that is not one, and a key without a value', () => {
    expect(() => parseSearch('status:lost')).toThrow(SearchSyntaxError);
    expect(() => parseSearch('status:lost')).toThrow(/status:lost is not one of queued, delivered/);
    expect(() => parseSearch('after:yesterday')).toThrow(/after:yesterday is not a date/);
    expect(() => parseSearch('to:')).toThrow(/to: needs a value/);
  });

  it('is empty for an empty search', () => {
    expect(parseSearch('   ')).toEqual({ from: [], to: [], subject: [], tags: [], sets: [], statuses: [], text: [] });
  });
});
