// `sesd identity records IDENTITY`: the DNS records an identity's owner publishes (Easy DKIM CNAMEs
// or their TXT alternative, verification, MAIL FROM), as zone-file lines or JSON.
import type { Command } from 'commander';
import { DEFAULT_ACCOUNT_ID, isAccountId } from '../domain/access-keys.js';
import { identityDnsRecords, zoneFileText } from '../domain/identities/dns-records.js';
import { normaliseIdentity } from '../domain/identities/identity.js';
import { STORE_KEYS, withConfigOptions } from './config-options.js';
import { withStore } from './store-command.js';

export function registerIdentityCommands(program: Command): void {
  const identity = program.command('identity').description("an identity's setup");
  withConfigOptions(
    identity
      .command('records')
      .description('print the DNS records to publish for an identity (Easy DKIM CNAMEs, or TXT records instead; verification; MAIL FROM)')
      .argument('<identity>', 'domain or email address')
      .option('--account <id>', '12-digit account id', DEFAULT_ACCOUNT_ID)
      .option('--json', 'print JSON (as /_sesd/identities/NAME/dns-records) instead of zone-file lines'),
    { shown: [...STORE_KEYS, 'region', 'dkim.cnameDomain', 'hostname'] },
  ).action(async (name: string, options: Record<string, unknown>) => {
    await withStore(options, async (store, config) => {
      const accountId = String(options.account);
      if (!isAccountId(accountId)) throw new Error(`account id must be 12 digits: ${accountId}`);
      const scope = { accountId, region: config.region };
      const found = await store.identities.get(scope, normaliseIdentity(name).identity);
      if (!found) throw new Error(`no identity ${name} in account ${scope.accountId}, region ${scope.region}`);
      const records = identityDnsRecords(found, { cnameDomain: config.dkim.cnameDomain, mailHost: config.hostname });
      if (options.json) {
        process.stdout.write(JSON.stringify({ identity: found.identity, type: found.type, ...scope, records }, null, 2) + '\n');
        return;
      }
      process.stdout.write(zoneFileText(records));
    });
  });
}
