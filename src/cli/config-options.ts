// Adds the configuration keys as flags to a command, so flags, env and file share one schema.
// `sesd start` and `sesd config` show them all; the other commands show the few they use (the data
// location, the region) after their own options and accept the rest without listing them.
import { Command, Option } from 'commander';
import { CONFIG_KEYS } from '../config/schema.js';
import { loadConfig, type Config } from '../config/load-config.js';

/** The keys a command that only reads the database needs. */
export const STORE_KEYS = ['dataDir', 'databaseUrl'] as const;

export function withConfigOptions(command: Command, opts: { shown?: readonly string[] } = {}): Command {
  const group = opts.shown ? 'Where sesd keeps its data (also SESD_* variables):' : 'Server options (also SESD_* variables and the config file):';
  command.addOption(new Option('--config <file>', 'JSON config file (also SESD_CONFIG)').helpGroup(group));
  for (const key of CONFIG_KEYS) {
    const option = new Option(key.flag, `${key.description} [${key.env}]`).helpGroup(group);
    if (opts.shown && !opts.shown.includes(key.path)) option.hideHelp();
    command.addOption(option);
  }
  if (opts.shown) command.addHelpText('after', '\nEvery `sesd start` option is accepted too (see `sesd start --help`).');
  return command;
}

export function configFrom(options: Record<string, unknown>): Config {
  return loadConfig({ flags: options, file: options.config as string | undefined });
}
