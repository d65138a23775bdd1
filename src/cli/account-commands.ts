// `sesd account show|set`: the operator's view of an account's quotas, sandbox and sending switch.
import type { Command } from 'commander';
import { DEFAULT_ACCOUNT_SETTINGS } from '../domain/account/account-settings.js';
import { DEFAULT_ACCOUNT_ID, isAccountId } from '../domain/access-keys.js';
import { STORE_KEYS, withConfigOptions } from './config-options.js';
import { withStore } from './store-command.js';

export function registerAccountCommands(program: Command): void {
  const account = program.command('account').description("operator's view of an account: quotas, sandbox, sending");
  withConfigOptions(
    account
      .command('show')
      .description("print an account's settings in a region")
      .option('--account <id>', '12-digit account id', DEFAULT_ACCOUNT_ID)
      .option('--in-region <region>', 'region of the settings (default: the configured region)'),
    { shown: [...STORE_KEYS, 'region'] },
  ).action(async (options: Record<string, unknown>) => {
    await withStore(options, async (store, config) => {
      const scope = accountScope(options, config.region);
      const settings = (await store.accountSettings.get(scope)) ?? DEFAULT_ACCOUNT_SETTINGS;
      process.stdout.write(JSON.stringify({ ...scope, ...settings }, null, 2) + '\n');
    });
  });
  withConfigOptions(
    account
      .command('set')
      .description("change an account's quotas, sandbox status or sending switch")
      .option('--account <id>', '12-digit account id', DEFAULT_ACCOUNT_ID)
      .option('--in-region <region>', 'region of the settings (default: the configured region)')
      .option('--max-send-rate <n>', 'recipients per second (-1 = unlimited)')
      .option('--max-24-hour-send <n>', 'recipients per rolling 24 hours (-1 = unlimited)')
      .option('--sandbox <on|off>', 'sandbox: send only to verified identities and the mailbox simulator')
      .option('--sending <on|off>', 'account-wide sending switch'),
    { shown: [...STORE_KEYS, 'region'] },
  ).action(async (options: Record<string, unknown>) => {
    await withStore(options, async (store, config) => {
      const scope = accountScope(options, config.region);
      const current = (await store.accountSettings.get(scope)) ?? DEFAULT_ACCOUNT_SETTINGS;
      const next = {
        ...current,
        maxSendRate: options.maxSendRate === undefined ? current.maxSendRate : quota(options.maxSendRate),
        max24HourSend: options.max24HourSend === undefined ? current.max24HourSend : quota(options.max24HourSend),
        productionAccess: options.sandbox === undefined ? current.productionAccess : !onOff(options.sandbox),
        sendingEnabled: options.sending === undefined ? current.sendingEnabled : onOff(options.sending),
      };
      await store.accounts.ensureAccount(scope.accountId);
      await store.accountSettings.put(scope, next);
      process.stdout.write(JSON.stringify({ ...scope, ...next }, null, 2) + '\n');
    });
  });
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
