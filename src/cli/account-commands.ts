// `sesd account show|set|review`: the operator's view of an account's quotas, sandbox and sending
// switch, and the decision on its requests for production access.
import type { Command } from 'commander';
import { DEFAULT_ACCOUNT_SETTINGS } from '../domain/account/account-settings.js';
import type { ReviewDecision } from '../domain/account/production-access.js';
import { DEFAULT_ACCOUNT_ID, isAccountId } from '../domain/access-keys.js';
import { STORE_KEYS, withConfigOptions } from './config-options.js';
import { withStore } from './store-command.js';

export function registerAccountCommands(program: Command): void {
  const account = program.command('account').description("operator's view of an account: quotas, sandbox, sending, production-access requests");
  withConfigOptions(
    withScopeOptions(account.command('show').description("print an account's settings in a region"), 'settings'),
    { shown: [...STORE_KEYS, 'region'] },
  ).action(async (options: Record<string, unknown>) => {
    await withStore(options, async (store, config) => {
      const scope = accountScope(options, config.region);
      const settings = (await store.accountSettings.get(scope)) ?? DEFAULT_ACCOUNT_SETTINGS;
      process.stdout.write(JSON.stringify({ ...scope, ...settings }, null, 2) + '\n');
    });
  });
  withConfigOptions(
    withScopeOptions(account.command('set').description("change an account's quotas, sandbox status or sending switch"), 'settings')
      .option('--max-send-rate <n>', 'recipients per second (-1 = unlimited)')
      .option('--max-24-hour-send <n>', 'recipients per rolling 24 hours (-1 = unlimited)')
      .option('--sandbox <on|off>', 'sandbox: send only to verified identities and the mailbox simulator')
      .option('--sending <on|off>', 'account-wide sending switch'),
    { shown: [...STORE_KEYS, 'region'] },
  ).action(async (options: Record<string, unknown>) => {
    await withStore(options, async (store, config) => {
      const scope = accountScope(options, config.region);
      await store.accounts.ensureAccount(scope.accountId);
      // Only what was given: a value read here and written back could undo another change made
      // meanwhile (an API call, a grant).
      await store.accountSettings.put(scope, {
        ...(options.maxSendRate !== undefined && { maxSendRate: quota(options.maxSendRate) }),
        ...(options.max24HourSend !== undefined && { max24HourSend: quota(options.max24HourSend) }),
        ...(options.sandbox !== undefined && { productionAccess: !onOff(options.sandbox) }),
        ...(options.sending !== undefined && { sendingEnabled: onOff(options.sending) }),
      });
      process.stdout.write(JSON.stringify({ ...scope, ...(await store.accountSettings.get(scope)) }, null, 2) + '\n');
    });
  });
  registerReviewCommands(account);
}

// `sesd account review list|grant|deny`: requests for production access (SES v2 PutAccountDetails
// with ProductionAccessEnabled from the sandbox) wait for the operator, as SES's wait for AWS.
function registerReviewCommands(account: Command): void {
  const review = account.command('review').description('requests for production access: list them, grant or deny one');
  withConfigOptions(review.command('list').description('print the requests waiting for a decision, in every account and region'), { shown: STORE_KEYS }).action(
    async (options: Record<string, unknown>) => {
      await withStore(options, async (store) => {
        process.stdout.write(JSON.stringify(await store.accountSettings.pendingReviews(), null, 2) + '\n');
      });
    },
  );
  const decisions: [string, ReviewDecision, string][] = [
    ['grant', 'GRANTED', "grant an account's pending request: it leaves the sandbox (quotas stay as they are)"],
    ['deny', 'DENIED', "deny an account's pending request: it stays in the sandbox and may ask again"],
  ];
  for (const [name, decision, description] of decisions) {
    withConfigOptions(
      withScopeOptions(review.command(name).description(description), 'request'),
      { shown: [...STORE_KEYS, 'region'] },
    ).action(async (options: Record<string, unknown>) => {
      await withStore(options, async (store, config) => {
        const scope = accountScope(options, config.region);
        const decided = await store.accountSettings.decideReview(scope, decision);
        if (!decided) throw new Error(`no pending request for production access in account ${scope.accountId}, region ${scope.region}`);
        process.stdout.write(JSON.stringify({ ...scope, ...(await store.accountSettings.get(scope)) }, null, 2) + '\n');
      });
    });
  }
}

/** `--account` and `--in-region`: which account's `what`, read by accountScope(). */
function withScopeOptions(command: Command, what: string): Command {
  return command.option('--account <id>', '12-digit account id', DEFAULT_ACCOUNT_ID).option('--in-region <region>', `region of the ${what} (default: the configured region)`);
}

function accountScope(options: Record<string, unknown>, region: string): { accountId: string; region: string } {
  const accountId = String(options.account);
  if (!isAccountId(accountId)) throw new Error(`account id must be 12 digits: ${accountId}`);
  return { accountId, region: String(options.inRegion ?? region) };
}

function quota(value: unknown): number {
  const n = Number(value);
  if (!Number.isFinite(n) || (n < 0 && n !== -1)) throw new Error(`a quota is a number >= 0, or -1 for unlimited: ${String(value)}`);
  return n;
}

function onOff(value: unknown): boolean {
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new Error(`expected on or off: ${String(value)}`);
}
