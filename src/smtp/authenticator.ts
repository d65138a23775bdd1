// Checks SMTP credentials: the user name is an access key id, the password the SES SMTP password
// derived from that key's secret for the listener's region.
import { timingSafeEqual } from 'node:crypto';
import { smtpPassword } from './smtp-password.js';
import type { SmtpUser } from './submission.js';

export type KeyLookup = (accessKeyId: string) => Promise<{ secretAccessKey: string; accountId: string } | undefined>;

export type Authenticator = (username: string, password: string) => Promise<SmtpUser | undefined>;

export function createAuthenticator(deps: { lookupKey: KeyLookup; region: string }): Authenticator {
  return async (username, password) => {
    const key = username ? await deps.lookupKey(username) : undefined;
    if (!key) return undefined;
    const expected = Buffer.from(smtpPassword(key.secretAccessKey, deps.region));
    const given = Buffer.from(password);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return { accessKeyId: username, accountId: key.accountId };
  };
}
