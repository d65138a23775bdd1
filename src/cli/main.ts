#!/usr/bin/env node
// The `sesd` command: start the server, manage access keys, show the effective configuration.
import { Command } from 'commander';
import { startApp, startWorkerNode } from '../app.js';
import { printableConfig } from '../config/load-config.js';
import { configReference } from '../config/reference.js';
import { generateKeyPair, isAccountId, DEFAULT_ACCOUNT_ID } from '../domain/access-keys.js';
import { smtpPassword } from '../smtp/smtp-password.js';
import { openStore, type Store } from '../store/store.js';
import { DEFAULT_ACCOUNT_SETTINGS } from '../domain/account/account-settings.js';
import { configFrom, withConfigOptions } from './config-options.js';
import { normaliseIdentity } from '../domain/identities/identity.js';
import { identityDnsRecords, zoneFileText } from '../domain/identities/dns-records.js';

const program = new Command('sesd').description('Self-hosted email sending service that speaks Amazon SES').showHelpAfterError();

withConfigOptions(program.command('start').description('start sesd (--role all: API and delivery; api; worker)')).action(async (options) => {
  const config = configFrom(options);
  const out = (line: string) => process.stdout.write(line + '\n');
  if (config.role === 'worker') {
    const node = await startWorkerNode(config);
    out(`sesd data: ${node.store.location} (${node.store.dialect}); delivery mode: ${config.delivery.mode}`);
    out(`sesd delivery worker ${node.workerId} running`);
    const stopWorker = async () => {
      await node.close();
      process.exit(0);
    };
    process.once('SIGINT', stopWorker);
    process.once('SIGTERM', stopWorker);
    return;
  }
  const app = await startApp(config);
  out(`sesd data: ${app.store.location} (${app.store.dialect}); delivery mode: ${config.delivery.mode}`);
  if (app.keys.created) {
    out(`sesd created access key ${app.keys.created.accessKeyId} for account ${app.keys.created.accountId};`);
    out(`     its secret is in ${app.keys.created.credentialsFile} (profile "sesd": AWS_SHARED_CREDENTIALS_FILE=${app.keys.created.credentialsFile} AWS_PROFILE=sesd)`);
  } else if (app.keys.provisioned.length > 0) {
    out(`sesd access keys from SESD_ACCESS_KEYS: ${app.keys.provisioned.join(', ')}`);
  } else {
    out(`sesd credentials: see ${app.keys.credentialsFile}, or create a key with \`sesd keys create\``);
  }
  if (app.smtpTls?.selfSigned) {
    out(`sesd SMTP TLS: self-signed certificate ${app.smtpTls.certFile}${app.smtpTls.created ? ' (created now)' : ''}; set SESD_TLS_CERT and SESD_TLS_KEY to use your own`);
  }
  const smtpUrls = [...(app.smtpUrl ? [`smtp=${app.smtpUrl}`] : []), ...(app.smtpsUrl ? [`smtps=${app.smtpsUrl}`] : [])];
  const dns = app.dnsPort === undefined ? [] : [`dns=${config.dns.host.includes(':') ? `[${config.dns.host}]` : config.dns.host}:${app.dnsPort} (zone ${config.dkim.cnameDomain})`];
  out([`sesd listening http=${app.httpUrl}`, ...smtpUrls, ...dns].join(' '));
  const stop = async () => {
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
});

const keys = program.command('keys').description('manage access keys');
withConfigOptions(keys.command('create').description('create an access key pair and print it'))
  .option('--account <id>', '12-digit account id', DEFAULT_ACCOUNT_ID)
  .action(async (options: Record<string, unknown>) => {
    const accountId = String(options.account);
    if (!isAccountId(accountId)) throw new Error(`account id must be 12 digits: ${accountId}`);
    const config = configFrom(options);
    const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      const key = generateKeyPair(accountId);
      await store.accounts.putAccessKey(key);
      process.stdout.write(`AccountId=${key.accountId}\nAccessKeyId=${key.accessKeyId}\nSecretAccessKey=${key.secretAccessKey}\n`);
    } finally {
      await store.close();
    }
  });

withConfigOptions(program.command('smtp-password').description("print an access key's SES SMTP password for the configured region"))
  .argument('<access-key-id>')
  .action(async (accessKeyId: string, options: Record<string, unknown>) => {
    const config = configFrom(options);
    const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      const key = await store.accounts.findAccessKey(accessKeyId);
      if (!key) throw new Error(`no access key ${accessKeyId} in ${store.location}`);
      process.stdout.write(`${smtpPassword(key.secretAccessKey, config.region)}\n`);
    } finally {
      await store.close();
    }
  });

const account = program.command('account').description("operator's view of an account: quotas, sandbox, sending");
withConfigOptions(account.command('show').description("print an account's settings in a region"))
  .requiredOption('--account <id>', '12-digit account id')
  .option('--in-region <region>', 'region of the settings (default: the configured region)')
  .action(async (options: Record<string, unknown>) => {
    await withStore(options, async (store, scope) => {
      const settings = (await store.accountSettings.get(scope)) ?? DEFAULT_ACCOUNT_SETTINGS;
      process.stdout.write(JSON.stringify({ ...scope, ...settings }, null, 2) + '\n');
    });
  });
withConfigOptions(account.command('set').description("change an account's quotas, sandbox status or sending switch"))
  .requiredOption('--account <id>', '12-digit account id')
  .option('--in-region <region>', 'region of the settings (default: the configured region)')
  .option('--max-send-rate <n>', 'recipients per second (-1 = unlimited)')
  .option('--max-24-hour-send <n>', 'recipients per rolling 24 hours (-1 = unlimited)')
  .option('--sandbox <on|off>', 'sandbox: send only to verified identities and the mailbox simulator')
  .option('--sending <on|off>', 'account-wide sending switch')
  .action(async (options: Record<string, unknown>) => {
    await withStore(options, async (store, scope) => {
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

async function withStore(options: Record<string, unknown>, fn: (store: Store, scope: { accountId: string; region: string }) => Promise<void>): Promise<void> {
  const accountId = String(options.account);
  if (!isAccountId(accountId)) throw new Error(`account id must be 12 digits: ${accountId}`);
  const config = configFrom(options);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await fn(store, { accountId, region: String(options.inRegion ?? config.region) });
  } finally {
    await store.close();
  }
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

const identity = program.command('identity').description("an identity's setup");
withConfigOptions(identity.command('records').description('print the DNS records to publish for an identity (Easy DKIM CNAMEs, or TXT records instead; verification; MAIL FROM)'))
  .argument('<identity>', 'domain or email address')
  .option('--account <id>', '12-digit account id', DEFAULT_ACCOUNT_ID)
  .option('--json', 'print JSON (as /_sesd/identities/NAME/dns-records) instead of zone-file lines')
  .action(async (name: string, options: Record<string, unknown>) => {
    await withStore(options, async (store, scope) => {
      const found = await store.identities.get(scope, normaliseIdentity(name).identity);
      if (!found) throw new Error(`no identity ${name} in account ${scope.accountId}, region ${scope.region}`);
      const config = configFrom(options);
      const records = identityDnsRecords(found, { cnameDomain: config.dkim.cnameDomain, mailHost: config.hostname });
      if (options.json) {
        process.stdout.write(JSON.stringify({ identity: found.identity, type: found.type, ...scope, records }, null, 2) + '\n');
        return;
      }
      process.stdout.write(zoneFileText(records));
    });
  });

withConfigOptions(program.command('config').description('show the effective configuration'))
  .option('--print', 'print the effective configuration as JSON (secrets masked)')
  .option('--docs', 'print the configuration reference (docs/configuration.md)')
  .action((options: Record<string, unknown>) => {
    if (options.docs) {
      process.stdout.write(configReference());
      return;
    }
    process.stdout.write(JSON.stringify(printableConfig(configFrom(options)), null, 2) + '\n');
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`sesd: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
