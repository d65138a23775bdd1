// Access key pairs in AWS's shape: a 20-character id starting with AKIA and a 40-character secret.
import { randomBytes, randomInt } from 'node:crypto';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export const DEFAULT_ACCOUNT_ID = '000000000000';

export interface KeyPair {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export function generateKeyPair(accountId = DEFAULT_ACCOUNT_ID): KeyPair {
  let id = 'AKIA';
  for (let i = 0; i < 16; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  const secret = randomBytes(30).toString('base64').replace(/\+/g, 'a').replace(/\//g, 'b');
  return { accountId, accessKeyId: id, secretAccessKey: secret };
}

export function isAccountId(value: string): boolean {
  return /^\d{12}$/.test(value);
}

/** Parses `AKID:SECRET[,ACCOUNT/AKID:SECRET...]` (SESD_ACCESS_KEYS). */
export function parseAccessKeyList(list: string): KeyPair[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^(?:(\d{12})\/)?([A-Za-z0-9_-]{3,128}):(.+)$/.exec(entry);
      if (!m) throw new Error(`access key entry must be AKID:SECRET or ACCOUNT/AKID:SECRET (12-digit account): ${entry.split(':')[0]}:***`);
      return { accountId: m[1] ?? DEFAULT_ACCOUNT_ID, accessKeyId: m[2]!, secretAccessKey: m[3]! };
    });
}
