// Access key lookup for SigV4, cached: it runs on every request. A key changed by another process
// (`sesd keys create`, another node) is seen within the cache lifetime.
import type { AccountsRepository } from '../store/accounts-repository.js';
import type { SigningKeyInfo } from '../protocol/sigv4.js';

const FOUND_TTL_MS = 60_000;
const MISSING_TTL_MS = 2_000;
const MAX_ENTRIES = 10_000;

export function cachedKeyLookup(accounts: AccountsRepository, now = () => Date.now()) {
  const cache = new Map<string, { value: SigningKeyInfo | undefined; expires: number }>();
  return async (accessKeyId: string): Promise<SigningKeyInfo | undefined> => {
    const hit = cache.get(accessKeyId);
    if (hit && hit.expires > now()) return hit.value;
    const key = await accounts.findAccessKey(accessKeyId);
    const value = key && { secretAccessKey: key.secretAccessKey, accountId: key.accountId };
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(accessKeyId, { value, expires: now() + (value ? FOUND_TTL_MS : MISSING_TTL_MS) });
    return value;
  };
}
