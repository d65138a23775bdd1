// The SES bounce type of one recipient of an asynchronous bounce, by the same rules table as
// synchronous replies (delivery/bounce-rules.ts). SES publishes hard bounces and soft bounces it
// gave up on; a DSN's `failed` action is the remote side giving up, so a failed recipient with a
// 4.x.x status is a Transient bounce, and `delayed` (still trying), `delivered`, `relayed` and
// `expanded` are no bounce at all.
import { BOUNCE_RULES, classifyBounce, UNDETERMINED, type BounceClass } from '../delivery/bounce-rules.js';
import { parseReply } from '../delivery/smtp-reply.js';
import type { ReportedRecipient } from './report-parser.js';

/** The bounce class of a reported recipient, or undefined when the report is not a bounce for it. */
export function classifyReportedRecipient(r: ReportedRecipient): BounceClass | undefined {
  if (r.action !== 'failed') return undefined;
  // `smtp; 550 5.1.1 ...`: the remote reply; `X-Postfix; ...` and others: free text.
  const diagnostic = r.diagnosticCode.replace(/^[\w-]+;\s*/, '');
  const reply = parseReply(diagnostic);
  const statusClass = (r.status || reply.status)[0];
  const status = r.status || (reply.code ? reply.status : '');
  if (statusClass === '4' || (!status && reply.code >= 400 && reply.code < 500)) {
    // Gave up after temporary failures: SES's Transient, keeping the subtype when a rule names a
    // transient one (a full mailbox, a message too large).
    const cls = classifyBounce({ code: 550, status, text: diagnostic });
    return { bounceType: 'Transient', bounceSubType: cls.bounceType === 'Transient' ? cls.bounceSubType : 'General' };
  }
  if (statusClass === '5' || (reply.code >= 500 && reply.code < 600)) {
    return classifyBounce({ code: reply.code >= 500 && reply.code < 600 ? reply.code : 550, status, text: diagnostic });
  }
  // No status and no reply code (some plain-text bounces): a rule that names the reason decides,
  // else SES's Undetermined.
  const rule = BOUNCE_RULES.find((x) => x.match.source !== '^5' && x.match.test(diagnostic));
  return rule ? { bounceType: rule.bounceType, bounceSubType: rule.bounceSubType } : UNDETERMINED;
}
