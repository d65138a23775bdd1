// The corpus of bounce and complaint samples (test/fixtures/inbound) parses to the report each
// stands for, and each bounced recipient gets the bounce class of the synchronous rules table.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyReportedRecipient } from '../../../src/inbound/classify-report.js';
import { fieldBlocks, parseReport } from '../../../src/inbound/report-parser.js';

const MESSAGE_ID = '0100019ad1e2f3a4-1b2c3d4e-5f60-4718-92a3-b4c5d6e7f809-000000';
const RECIPIENT = 'Someone@Example.net';

function sample(name: string): Buffer {
  const text = readFileSync(new URL(`../../fixtures/inbound/${name}`, import.meta.url), 'utf8');
  return Buffer.from(text.replaceAll('{{MESSAGE_ID}}', MESSAGE_ID).replaceAll('{{RECIPIENT}}', RECIPIENT));
}

async function bounceOf(name: string) {
  const report = await parseReport(sample(name));
  if (report.kind !== 'bounce') throw new Error(`${name} parsed as ${report.kind}`);
  return { report, classes: report.recipients.map((r) => ({ address: r.address, status: r.status, class: classifyReportedRecipient(r) })) };
}

describe('inbound report corpus', () => {
  it.each([
    ['postfix-user-unknown.eml', 'Permanent', 'NoEmail', '5.1.1', 'dns; mx1.example.net'],
    ['exchange-mailbox-full.eml', 'Transient', 'MailboxFull', '5.2.2', 'dns;EX01.example.org'],
    ['gmail-multiline-diagnostic.eml', 'Permanent', 'NoEmail', '5.1.1', 'dns; googlemail.example'],
    ['sendmail-expired.eml', 'Transient', 'General', '4.4.7', 'dns; relay.example.net'],
  ])('reads the DSN %s as a %s/%s bounce with its status and reporting MTA', async (name, bounceType, bounceSubType, status, reportingMTA) => {
    const { report, classes } = await bounceOf(name);
    expect(report.standard).toBe(true);
    expect(report.reportingMTA).toBe(reportingMTA);
    expect(classes).toEqual([{ address: RECIPIENT, status, class: { bounceType, bounceSubType } }]);
    expect(report.recipients[0]!.action).toBe('failed');
    expect(report.recipients[0]!.diagnosticCode).toMatch(/^smtp; ?[45]\d\d/i);
    expect(report.originalMessageIds).toContain(`${MESSAGE_ID}@sesd.test`);
  });

  it('unfolds a Diagnostic-Code continued over several lines', async () => {
    const { report } = await bounceOf('gmail-multiline-diagnostic.eml');
    expect(report.recipients[0]!.diagnosticCode).toBe(
      "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. 5a1b2c3d4e5f.6 - gsmtp",
    );
  });

  it('gives no bounce for a recipient the DSN reports as delayed or delivered', async () => {
    const delayed = await bounceOf('postfix-delayed.eml');
    expect(delayed.classes).toEqual([{ address: RECIPIENT, status: '4.4.1', class: undefined }]);
    const two = await bounceOf('two-recipients.eml');
    expect(two.classes).toEqual([
      { address: RECIPIENT, status: '5.7.1', class: { bounceType: 'Transient', bounceSubType: 'ContentRejected' } },
      { address: 'other@example.net', status: '2.0.0', class: undefined },
    ]);
  });

  it.each([
    ['qmail-plain.eml', 'Permanent', 'NoEmail', '5.1.1'],
    ['exim-plain.eml', 'Transient', 'MailboxFull', '5.2.2'],
  ])('reads the plain-text bounce %s with the rules table (%s/%s)', async (name, bounceType, bounceSubType, status) => {
    const { report, classes } = await bounceOf(name);
    expect(report.standard).toBe(false);
    expect(classes).toContainEqual({ address: RECIPIENT, status, class: { bounceType, bounceSubType } });
    // The copy of the original message below the notice names no recipient.
    expect(classes.map((c) => c.address)).not.toContain('sender@example.com');
    expect(report.originalMessageIds).toContain(`${MESSAGE_ID}@sesd.test`);
  });

  it('reads an ARF report: feedback type, user agent, arrival date, original recipient and Message-ID', async () => {
    const report = await parseReport(sample('arf-abuse.eml'));
    expect(report).toEqual({
      kind: 'complaint',
      feedbackType: 'abuse',
      userAgent: 'ExampleFBL/1.0',
      arrivalDate: Date.parse('2026-11-28T20:58:00Z'),
      recipients: [RECIPIENT],
      originalMessageIds: [`${MESSAGE_ID}@sesd.test`],
      // The report's own From and Date: who issued the complaint, and when (SES's complaint timestamp).
      issuerDomain: 'feedback.example.org',
      sentAt: Date.parse('2026-11-28T21:00:00Z'),
    });
  });

  it('reads an ARF report whose recipient is redacted, with the Message-ID of its headers part', async () => {
    const report = await parseReport(sample('arf-redacted.eml'));
    expect(report).toMatchObject({ kind: 'complaint', feedbackType: 'abuse', userAgent: 'ExampleMail-FBL/2.3', recipients: [], originalMessageIds: [`${MESSAGE_ID}@sesd.test`] });
  });

  it('recognises an auto-reply (RFC 3834) and leaves a person\'s reply as no report', async () => {
    expect((await parseReport(sample('auto-reply.eml'))).kind).toBe('auto-reply');
    expect((await parseReport(sample('human-reply.eml'))).kind).toBe('other');
  });

  it('does not throw on a truncated multipart report', async () => {
    const raw = sample('postfix-user-unknown.eml').subarray(0, 900);
    await expect(parseReport(raw)).resolves.toHaveProperty('kind');
  });
});

describe('report fields', () => {
  it('groups fields in blank-line separated blocks and unfolds continuation lines', () => {
    const blocks = fieldBlocks('Reporting-MTA: dns; a\r\n\r\nFinal-Recipient: rfc822; x@y\r\nDiagnostic-Code: smtp; 550\r\n  more\r\n');
    expect(blocks.map((b) => Object.fromEntries(b))).toEqual([{ 'reporting-mta': ['dns; a'] }, { 'final-recipient': ['rfc822; x@y'], 'diagnostic-code': ['smtp; 550 more'] }]);
  });
});

describe('classifying a reported recipient', () => {
  const r = (action: string, status: string, diagnosticCode: string) => classifyReportedRecipient({ address: 'a@b.c', action, status, diagnosticCode });
  it('uses the reply code of the diagnostic when the DSN gives no status', () => {
    expect(r('failed', '', 'smtp; 550 5.1.1 user unknown')).toEqual({ bounceType: 'Permanent', bounceSubType: 'NoEmail' });
  });
  it('calls a failure with neither status nor reply code Undetermined unless a rule names the reason', () => {
    expect(r('failed', '', 'something went wrong')).toEqual({ bounceType: 'Undetermined', bounceSubType: 'Undetermined' });
    expect(r('failed', '', 'the mailbox is full')).toEqual({ bounceType: 'Transient', bounceSubType: 'MailboxFull' });
  });
  it('treats a failed 4.x.x as a Transient bounce', () => {
    expect(r('failed', '4.2.2', 'smtp; 452 4.2.2 mailbox full')).toEqual({ bounceType: 'Transient', bounceSubType: 'MailboxFull' });
  });
});
