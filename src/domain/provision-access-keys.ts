// Access keys at start. Keys listed in SESD_ACCESS_KEYS are (re)provisioned and managed by that list:
// a key provisioned from it earlier and no longer listed is removed. On a first start with no keys
// at all, one key for the default account is created and its secret written to a credentials file
// in the data dir (mode 600) — never to the log. Keys made with `sesd keys` are left alone.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, parseAccessKeyList, type KeyPair } from './access-keys.js';

export type AccessKeySource = 'env' | 'cli' | 'generated';

export interface AccessKeyStore {
  putAccessKey(key: KeyPair, source: AccessKeySource): Promise<void>;
  countAccessKeys(): Promise<number>;
  deleteAccessKeysNotIn(source: AccessKeySource, keep: readonly string[]): Promise<string[]>;
}

export interface ProvisionedKeys {
  /** Keys taken from the configured list. */
  provisioned: string[];
  /** Keys provisioned from an earlier list and no longer in it: removed now. */
  removed: string[];
  /** The key created on first start, if any. */
  created?: { accessKeyId: string; accountId: string; credentialsFile: string };
  /** Where a created key's secret was written (exists after the first start). */
  credentialsFile: string;
}

export const CREDENTIALS_PROFILE = 'sesd';

export async function provisionAccessKeys(store: AccessKeyStore, opts: { list: string; dataDir: string }): Promise<ProvisionedKeys> {
  const listed = parseAccessKeyList(opts.list);
  for (const key of listed) await store.putAccessKey(key, 'env');
  const removed = await store.deleteAccessKeysNotIn('env', listed.map((k) => k.accessKeyId));
  const credentialsFile = credentialsFilePath(opts.dataDir);
  const result: ProvisionedKeys = { provisioned: listed.map((k) => k.accessKeyId), removed, credentialsFile };
  if (listed.length === 0 && (await store.countAccessKeys()) === 0) {
    const key = generateKeyPair();
    await store.putAccessKey(key, 'generated');
    writeCredentialsFile(credentialsFile, key);
    result.created = { accessKeyId: key.accessKeyId, accountId: key.accountId, credentialsFile };
  }
  return result;
}

export function credentialsFilePath(dataDir: string): string {
  return join(dataDir, 'credentials');
}

/** An AWS shared-credentials file, usable as AWS_SHARED_CREDENTIALS_FILE with profile `sesd`. */
export function writeCredentialsFile(path: string, key: KeyPair): void {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  const text = `# sesd access key for account ${key.accountId}\n[${CREDENTIALS_PROFILE}]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`;
  writeFileSync(path, text, { mode: 0o600 });
}

/** The access key id of the credentials file's `sesd` profile, if the file exists. */
export function credentialsFileKeyId(dataDir: string): string | undefined {
  const path = credentialsFilePath(dataDir);
  if (!existsSync(path)) return undefined;
  return /^aws_access_key_id\s*=\s*(\S+)/m.exec(readFileSync(path, 'utf8'))?.[1];
}
