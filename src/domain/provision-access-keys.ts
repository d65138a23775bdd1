// Access keys at start: keys listed in SESD_ACCESS_KEYS are (re)provisioned; on a first start with
// no keys at all, one key for the default account is created and its secret written to a
// credentials file in the data dir (mode 600) — never to the log.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, parseAccessKeyList, type KeyPair } from './access-keys.js';

export interface AccessKeyStore {
  putAccessKey(key: KeyPair): Promise<void>;
  countAccessKeys(): Promise<number>;
}

export interface ProvisionedKeys {
  /** Keys taken from the configured list. */
  provisioned: string[];
  /** The key created on first start, if any. */
  created?: { accessKeyId: string; accountId: string; credentialsFile: string };
  /** Where a created key's secret was written (exists after the first start). */
  credentialsFile: string;
}

export async function provisionAccessKeys(store: AccessKeyStore, opts: { list: string; dataDir: string }): Promise<ProvisionedKeys> {
  const listed = parseAccessKeyList(opts.list);
  for (const key of listed) await store.putAccessKey(key);
  const credentialsFile = join(opts.dataDir, 'credentials');
  const result: ProvisionedKeys = { provisioned: listed.map((k) => k.accessKeyId), credentialsFile };
  if (listed.length === 0 && (await store.countAccessKeys()) === 0) {
    const key = generateKeyPair();
    await store.putAccessKey(key);
    writeCredentialsFile(credentialsFile, key);
    result.created = { accessKeyId: key.accessKeyId, accountId: key.accountId, credentialsFile };
  }
  return result;
}

/** An AWS shared-credentials file, usable as AWS_SHARED_CREDENTIALS_FILE with profile `sesd`. */
export function writeCredentialsFile(path: string, key: KeyPair): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const text = `# sesd access key for account ${key.accountId}\n[sesd]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`;
  writeFileSync(path, text, { mode: 0o600 });
}

export function credentialsFileExists(dataDir: string): boolean {
  return existsSync(join(dataDir, 'credentials'));
}
