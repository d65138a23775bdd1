#!/usr/bin/env node
// The `sesd` command: start the server, manage access keys, show the effective configuration.
import { Command } from 'commander';
import { startApp } from '../app.js';
import { printableConfig } from '../config/load-config.js';
import { configReference } from '../config/reference.js';
import { generateKeyPair, isAccountId, DEFAULT_ACCOUNT_ID } from '../domain/access-keys.js';
import { openStore } from '../store/store.js';
import { configFrom, withConfigOptions } from './config-options.js';

const program = new Command('sesd').description('Self-hosted email sending service that speaks Amazon SES').showHelpAfterError();

withConfigOptions(program.command('start').description('start sesd (HTTP API, capture store)')).action(async (options) => {
  const config = configFrom(options);
  const app = await startApp(config);
  const out = (line: string) => process.stdout.write(line + '\n');
  out(`sesd data: ${app.store.location} (${app.store.dialect}); delivery mode: ${config.delivery.mode}`);
  if (app.keys.created) {
    out(`sesd created access key ${app.keys.created.accessKeyId} for account ${app.keys.created.accountId};`);
    out(`     its secret is in ${app.keys.created.credentialsFile} (profile "sesd": AWS_SHARED_CREDENTIALS_FILE=${app.keys.created.credentialsFile} AWS_PROFILE=sesd)`);
  } else if (app.keys.provisioned.length > 0) {
    out(`sesd access keys from SESD_ACCESS_KEYS: ${app.keys.provisioned.join(', ')}`);
  } else {
    out(`sesd credentials: see ${app.keys.credentialsFile}, or create a key with \`sesd keys create\``);
  }
  out(`sesd listening http=${app.httpUrl}`);
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
