// A request for production access (SES v2 PutAccountDetails with ProductionAccessEnabled) from an
// account in the sandbox waits, PENDING with a case id, until the operator runs
// `sesd account review grant|deny` (a real process on the same database); the account stays in the
// sandbox meanwhile, and new details are refused while the review is pending.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetAccountCommand, PutAccountDetailsCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, sesv2Client, useSesd } from '../support/sesd.js';

const CLI = ['--import', 'tsx', join(import.meta.dirname, '../../src/cli/main.ts')];
const ACCOUNT = '000000000000';

describe.each(DIALECTS)('production access review (%s)', (dialect) => {
  const sesd = useSesd(dialect);
  /** Runs `sesd ARGS` against sesd's database; its exit code, stdout and stderr. */
  const cli = async (...args: string[]) => {
    const location = ['--data-dir', sesd.db.dataDir, ...(sesd.db.databaseUrl ? ['--database-url', sesd.db.databaseUrl] : [])];
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [...CLI, ...args, ...location], { timeout: 120_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const details = {
    MailType: 'TRANSACTIONAL' as const,
    WebsiteURL: 'https://shop.example.com',
    ContactLanguage: 'EN' as const,
    UseCaseDescription: 'Order confirmations and password resets for our shop.',
    AdditionalContactEmailAddresses: ['ops@example.com'],
  };
  let ses: SESv2Client;
  beforeAll(() => {
    ses = sesv2Client(sesd.app, undefined, 'eu-central-1');
  });

  it('keeps a sandboxed account in the sandbox with a PENDING review until the operator denies or grants it', { timeout: 300_000 }, async () => {
    const scope = { accountId: ACCOUNT, region: 'eu-central-1' };
    expect((await cli('account', 'set', '--account', ACCOUNT, '--in-region', 'eu-central-1', '--sandbox', 'on')).code).toBe(0);

    await ses.send(new PutAccountDetailsCommand({ ...details, ProductionAccessEnabled: true }));
    const pending = await ses.send(new GetAccountCommand({}));
    expect(pending.ProductionAccessEnabled).toBe(false);
    expect(pending.Details).toEqual({ ...details, ReviewDetails: { Status: 'PENDING', CaseId: expect.stringMatching(/^\d{10}$/) } });
    const firstCase = pending.Details!.ReviewDetails!.CaseId!;

    const again = await awsFailure(ses.send(new PutAccountDetailsCommand({ ...details, WebsiteURL: 'https://other.example.com', ProductionAccessEnabled: true })));
    expect(again).toMatchObject({ name: 'ConflictException', status: 409 });
    expect((await ses.send(new GetAccountCommand({}))).Details!.WebsiteURL).toBe(details.WebsiteURL);

    const listed = await cli('account', 'review', 'list');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      { ...scope, review: { caseId: firstCase, status: 'PENDING' }, details: expect.objectContaining({ mailType: 'TRANSACTIONAL', websiteUrl: details.WebsiteURL }) },
    ]);

    expect((await cli('account', 'review', 'deny', '--account', ACCOUNT, '--in-region', 'eu-central-1')).code).toBe(0);
    const denied = await ses.send(new GetAccountCommand({}));
    expect(denied.ProductionAccessEnabled).toBe(false);
    expect(denied.Details!.ReviewDetails).toEqual({ Status: 'DENIED', CaseId: firstCase });

    // Denied, the account may ask again: a new case.
    await ses.send(new PutAccountDetailsCommand({ ...details, UseCaseDescription: 'Only transactional mail, double opt-in.', ProductionAccessEnabled: true }));
    const secondCase = (await ses.send(new GetAccountCommand({}))).Details!.ReviewDetails!;
    expect(secondCase).toEqual({ Status: 'PENDING', CaseId: expect.stringMatching(/^\d{10}$/) });
    expect(secondCase.CaseId).not.toBe(firstCase);

    const granted = await cli('account', 'review', 'grant', '--account', ACCOUNT, '--in-region', 'eu-central-1');
    expect(granted.code).toBe(0);
    expect(JSON.parse(granted.stdout)).toMatchObject({ ...scope, productionAccess: true, review: { caseId: secondCase.CaseId, status: 'GRANTED' } });
    const out = await ses.send(new GetAccountCommand({}));
    expect(out.ProductionAccessEnabled).toBe(true);
    expect(out.Details).toEqual({ ...details, UseCaseDescription: 'Only transactional mail, double opt-in.', ReviewDetails: { Status: 'GRANTED', CaseId: secondCase.CaseId } });

    const nothingPending = await cli('account', 'review', 'grant', '--account', ACCOUNT, '--in-region', 'eu-central-1');
    expect(nothingPending.code).toBe(1);
    expect(nothingPending.stderr).toContain(`no pending request for production access in account ${ACCOUNT}, region eu-central-1`);
    expect(JSON.parse((await cli('account', 'review', 'list')).stdout)).toEqual([]);
  });

  // On PostgreSQL the requests' reads overlap: only the check inside the write keeps this at one.
  it('opens one review when requests arrive at once; the others are refused', async () => {
    await sesd.app.store.accountSettings.put({ accountId: ACCOUNT, region: 'ca-central-1' }, { productionAccess: false });
    const client = sesv2Client(sesd.app, undefined, 'ca-central-1');
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => client.send(new PutAccountDetailsCommand({ ...details, ProductionAccessEnabled: true }))));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o.reason as Error).name)).toEqual(Array(7).fill('ConflictException'));
    expect((await client.send(new GetAccountCommand({}))).Details!.ReviewDetails!.Status).toBe('PENDING');
  });

  it('records the details of an account that already has production access, with no review made up', async () => {
    const production = sesv2Client(sesd.app, undefined, 'ap-northeast-1');
    await production.send(new PutAccountDetailsCommand({ MailType: 'MARKETING', WebsiteURL: 'https://news.example.com', ProductionAccessEnabled: true }));
    const out = await production.send(new GetAccountCommand({}));
    expect(out.ProductionAccessEnabled).toBe(true);
    expect(out.Details).toEqual({ MailType: 'MARKETING', WebsiteURL: 'https://news.example.com' });
  });

  it("refuses details outside SES's limits", async () => {
    const five = ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com', 'e@example.com'];
    const refused = await awsFailure(ses.send(new PutAccountDetailsCommand({ ...details, AdditionalContactEmailAddresses: five })));
    expect(refused).toMatchObject({ name: 'BadRequestException', status: 400 });
    expect(refused.message).toContain("at 'additionalContactEmailAddresses' failed to satisfy constraint: Member must have length less than or equal to 4");
  });
});
