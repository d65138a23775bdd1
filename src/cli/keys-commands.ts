// `sesd keys create|list|delete|rotate` and `sesd smtp-password`. Keys provisioned from
// SESD_ACCESS_KEYS are managed by that list: they are changed there, not here.
import type { Command } from 'commander';
import { generateKeyPair, isAccountId, DEFAULT_ACCOUNT_ID, type KeyPair } from '../domain/access-keys.js';
import { credentialsFileKeyId, credentialsFilePath, writeCredentialsFile } from '../domain/provision-access-keys.js';
import { smtpPassword } from '../smtp/smtp-password.js';
import { STORE_KEYS, withConfigOptions } from './config-options.js';
import { withStore } from './store-command.js';

const note = (line: string) => process.stderr.write(`sesd: ${line}\n`);
// A running sesd caches a key it has seen for a minute (src/api/key-lookup.ts).
const CACHE_NOTE = 'a running sesd may accept it for up to a minute more';

function printKey(key: KeyPair): void {
  process.stdout.write(`AccountId=${key.accountId}\nAccessKeyId=${key.accessKeyId}\nSecretAccessKey=${key.secretAccessKey}\n`);
}

export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('manage access keys (create, list, delete, rotate)');

  withConfigOptions(
    keys
      .command('create')
      .description('create an access key pair and print it')
      .option('--account <id>', '12-digit account id', DEFAULT_ACCOUNT_ID),
    { shown: STORE_KEYS },
  ).action(async (options: Record<string, unknown>) => {
    const accountId = String(options.account);
    if (!isAccountId(accountId)) throw new Error(`account id must be 12 digits: ${accountId}`);
    await withStore(options, async (store) => {
      const key = generateKeyPair(accountId);
      await store.accounts.putAccessKey(key, 'cli');
      printKey(key);
    });
  });

  withConfigOptions(keys.command('list').description('list the access keys (ids, accounts, where each came from; never secrets)').option('--json', 'print JSON'), {
    shown: STORE_KEYS,
  }).action(async (options: Record<string, unknown>) => {
    await withStore(options, async (store, config) => {
      const list = await store.accounts.listAccessKeys();
      const fileKey = credentialsFileKeyId(config.dataDir);
      const rows = list.map((k) => ({ ...k, createdAt: new Date(k.createdAt).toISOString(), credentialsFile: k.accessKeyId === fileKey }));
      if (options.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      const source = { env: 'SESD_ACCESS_KEYS', cli: 'sesd keys', generated: 'first start' };
      const table = [
        ['ACCESS KEY ID', 'ACCOUNT', 'SOURCE', 'CREATED', ''],
        ...rows.map((r) => [r.accessKeyId, r.accountId, source[r.source], r.createdAt, r.credentialsFile ? credentialsFilePath(config.dataDir) : '']),
      ];
      const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
      for (const row of table) process.stdout.write(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd() + '\n');
    });
  });

  withConfigOptions(keys.command('delete').description('delete an access key: requests and SMTP logins with it are refused').argument('<access-key-id>'), {
    shown: STORE_KEYS,
  }).action(async (accessKeyId: string, options: Record<string, unknown>) => {
    await withStore(options, async (store, config) => {
      const existing = (await store.accounts.listAccessKeys()).find((k) => k.accessKeyId === accessKeyId);
      if (!existing) throw new Error(`no access key ${accessKeyId} in ${store.location} (see \`sesd keys list\`)`);
      await store.accounts.deleteAccessKey(accessKeyId);
      process.stdout.write(`deleted ${accessKeyId} (account ${existing.accountId})\n`);
      note(CACHE_NOTE);
      if (existing.source === 'env') note(`${accessKeyId} is provisioned from SESD_ACCESS_KEYS: remove it there, or the next start brings it back`);
      if (credentialsFileKeyId(config.dataDir) === accessKeyId) note(`${credentialsFilePath(config.dataDir)} still names this key; \`sesd keys rotate\` would have replaced it`);
    });
  });

  withConfigOptions(
    keys
      .command('rotate')
      .description('replace a key with a new one for the same account (default: the key in the data dir\'s credentials file, which is rewritten)')
      .argument('[access-key-id]')
      .option('--delete-old', 'delete the old key now (default: keep it until you run `sesd keys delete`)'),
    { shown: STORE_KEYS },
  ).action(async (given: string | undefined, options: Record<string, unknown>) => {
    await withStore(options, async (store, config) => {
      const fileKey = credentialsFileKeyId(config.dataDir);
      const accessKeyId = given ?? fileKey;
      if (!accessKeyId) throw new Error(`no access key given and no ${credentialsFilePath(config.dataDir)}: name the key to rotate (see \`sesd keys list\`)`);
      const old = (await store.accounts.listAccessKeys()).find((k) => k.accessKeyId === accessKeyId);
      if (!old) throw new Error(`no access key ${accessKeyId} in ${store.location} (see \`sesd keys list\`)`);
      if (old.source === 'env') throw new Error(`${accessKeyId} is provisioned from SESD_ACCESS_KEYS: rotate it there (add the new key, restart, then remove the old one)`);
      const key = generateKeyPair(old.accountId);
      await store.accounts.putAccessKey(key, old.source);
      if (accessKeyId === fileKey) {
        writeCredentialsFile(credentialsFilePath(config.dataDir), key);
        note(`${credentialsFilePath(config.dataDir)} now holds ${key.accessKeyId}`);
      }
      if (options.deleteOld) {
        await store.accounts.deleteAccessKey(accessKeyId);
        note(`deleted ${accessKeyId}; ${CACHE_NOTE}`);
      } else {
        note(`${accessKeyId} still works: delete it with \`sesd keys delete ${accessKeyId}\` once your apps use the new key`);
      }
      printKey(key);
    });
  });

  withConfigOptions(
    program
      .command('smtp-password')
      .description("print an access key's SES SMTP password for the configured region (default: the key in the data dir's credentials file)")
      .argument('[access-key-id]'),
    { shown: [...STORE_KEYS, 'region'] },
  ).action(async (given: string | undefined, options: Record<string, unknown>) => {
    await withStore(options, async (store, config) => {
      const accessKeyId = given ?? credentialsFileKeyId(config.dataDir);
      if (!accessKeyId) throw new Error(`no access key given and no ${credentialsFilePath(config.dataDir)}: name one (see \`sesd keys list\`)`);
      const key = await store.accounts.findAccessKey(accessKeyId);
      if (!key) throw new Error(`no access key ${accessKeyId} in ${store.location}`);
      process.stdout.write(`${smtpPassword(key.secretAccessKey, config.region)}\n`);
    });
  });
}
