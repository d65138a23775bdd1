// Adds every configuration key as a flag to a command, so flags, env and file share one schema.
import { Command, Option } from 'commander';
import { CONFIG_KEYS } from '../config/schema.js';
import { loadConfig, type Config } from '../config/load-config.js';

export function withConfigOptions(command: Command): Command {
  command.addOption(new Option('--config <file>', 'JSON config file (also SESD_CONFIG)'));
  for (const key of CONFIG_KEYS) {
    command.addOption(new Option(key.flag, `${key.description} [${key.env}]`));
  }
  return command;
}

export function configFrom(options: Record<string, unknown>): Config {
  return loadConfig({ flags: options, file: options.config as string | undefined });
}
