#!/usr/bin/env node
// The `sesd` command: start the server, manage access keys and accounts, show the configuration.
import { Command } from 'commander';
import { printableConfig } from '../config/load-config.js';
import { configReference } from '../config/reference.js';
import { registerAccountCommands } from './account-commands.js';
import { configFrom, withConfigOptions } from './config-options.js';
import { registerKeysCommands } from './keys-commands.js';
import { packageVersion } from './package-info.js';
import { registerStartCommand } from './start-command.js';

const program = new Command('sesd')
  .description('Self-hosted email sending service that speaks Amazon SES')
  .version(packageVersion(), '-V, --version', 'print the version')
  .showHelpAfterError();

registerStartCommand(program);
registerKeysCommands(program);
registerAccountCommands(program);

withConfigOptions(
  program
    .command('config')
    .description('show the effective configuration')
    .option('--print', 'print the effective configuration as JSON (secrets masked; of the database URL only its password)')
    .option('--docs', 'print the configuration reference (docs/configuration.md)'),
).action((options: Record<string, unknown>) => {
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
