// Inline templates do substitution only; anything else in braces is refused as SES refuses it
// (src/intake/inline-template.ts).
import { describe, expect, it } from 'vitest';
import { checkInlineTemplate } from '../../../src/intake/inline-template.js';

const refused = (text: string) => () => checkInlineTemplate([text]);

describe('checkInlineTemplate', () => {
  it('takes names, dotted paths and SES placeholders, and braces that close nothing', () => {
    for (const text of ['Hi {{name}}', '{{ a.b }} and {{c}}', '{{ses:openTracker}} {{amazonSESUnsubscribeUrl}}', 'a { b } c', 'open {{ only', '']) {
      expect(refused(text)).not.toThrow();
    }
  });

  it('refuses blocks, partials, comments, helpers and triple-stashes', () => {
    for (const text of ['{{#if a}}x{{/if}}', '{{> partial}}', '{{! note}}', '{{upper name}}', '{{{raw}}}', 'x {{a}b}} y']) {
      expect(refused(text)).toThrow('Template contains unsupported operations.');
    }
  });

  it('reads a text of many unclosed openings in one pass (it used to retry a pattern from each)', () => {
    expect(refused('{{'.repeat(500_000))).not.toThrow();
    expect(refused(`${'{{'.repeat(500_000)}}}`)).toThrow('Template contains unsupported operations.');
  });
});
