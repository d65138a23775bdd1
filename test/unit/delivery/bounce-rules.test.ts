// One test per row of the bounce classification table: each row's example reply lands on that row.
import { describe, expect, it } from 'vitest';
import { BOUNCE_RULES, classifyBounce } from '../../../src/delivery/bounce-rules.js';
import { parseReply } from '../../../src/delivery/smtp-reply.js';

describe('bounce classification', () => {
  it.each(BOUNCE_RULES.map((rule, i) => [i, rule] as const))('row %i: its example is classified by it', (i, rule) => {
    const reply = parseReply(rule.example);
    const line = `${reply.code} ${reply.status} ${reply.text}`;
    expect(BOUNCE_RULES.findIndex((r) => r.match.test(line))).toBe(i);
    expect(classifyBounce(reply)).toEqual({ bounceType: rule.bounceType, bounceSubType: rule.bounceSubType });
  });

  it('classifies a 5xx no row names as Permanent General, and a non-5xx as Undetermined', () => {
    expect(classifyBounce(parseReply('554 Transaction failed'))).toEqual({ bounceType: 'Permanent', bounceSubType: 'General' });
    expect(classifyBounce(parseReply('451 4.3.0 later'))).toEqual({ bounceType: 'Undetermined', bounceSubType: 'Undetermined' });
  });

  it('reads the enhanced status code, or derives one from the reply class', () => {
    expect(parseReply('550 5.1.1 user unknown')).toEqual({ code: 550, status: '5.1.1', text: '550 5.1.1 user unknown' });
    expect(parseReply('550 no such user')).toMatchObject({ status: '5.0.0' });
    expect(parseReply('451-4.7.1 first line\r\n451 4.7.1 second line')).toEqual({ code: 451, status: '4.7.1', text: '451-4.7.1 first line 4.7.1 second line' });
  });
});
