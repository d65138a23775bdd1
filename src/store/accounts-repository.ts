// Accounts and their access keys.
import type { Kysely } from 'kysely';
import type { AccessKeySource } from '../domain/provision-access-keys.js';
import type { Database } from './schema.js';

export interface AccessKeyRecord {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
}

/** An access key as `sesd keys list` shows it: never the secret. */
export interface AccessKeyInfo {
  accessKeyId: string;
  accountId: string;
  source: AccessKeySource;
  createdAt: number;
}

export class AccountsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async ensureAccount(accountId: string): Promise<void> {
    await this.db
      .insertInto('accounts')
      .values({ id: accountId, created_at: Date.now() })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  /** Inserts the key, or gives an existing key id its new secret, account and source (re-provisioning). */
  async putAccessKey(key: AccessKeyRecord, source: AccessKeySource = 'cli'): Promise<void> {
    await this.ensureAccount(key.accountId);
    await this.db
      .insertInto('access_keys')
      .values({ access_key_id: key.accessKeyId, secret_access_key: key.secretAccessKey, account_id: key.accountId, created_at: Date.now(), source })
      .onConflict((oc) =>
        oc.column('access_key_id').doUpdateSet({ secret_access_key: key.secretAccessKey, account_id: key.accountId, source }),
      )
      .execute();
  }

  async findAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const row = await this.db
      .selectFrom('access_keys')
      .select(['access_key_id', 'secret_access_key', 'account_id'])
      .where('access_key_id', '=', accessKeyId)
      .executeTakeFirst();
    return row && { accessKeyId: row.access_key_id, secretAccessKey: row.secret_access_key, accountId: row.account_id };
  }

  async countAccessKeys(): Promise<number> {
    const row = await this.db.selectFrom('access_keys').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async listAccessKeys(): Promise<AccessKeyInfo[]> {
    const rows = await this.db
      .selectFrom('access_keys')
      .select(['access_key_id', 'account_id', 'source', 'created_at'])
      .orderBy('account_id')
      .orderBy('created_at')
      .orderBy('access_key_id')
      .execute();
    return rows.map((r) => ({ accessKeyId: r.access_key_id, accountId: r.account_id, source: r.source, createdAt: Number(r.created_at) }));
  }

  /** True when the key existed. */
  async deleteAccessKey(accessKeyId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('access_keys').where('access_key_id', '=', accessKeyId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Removes the keys of `source` whose ids are not in `keep`; returns the removed ids. */
  async deleteAccessKeysNotIn(source: AccessKeySource, keep: readonly string[]): Promise<string[]> {
    let query = this.db.deleteFrom('access_keys').where('source', '=', source);
    if (keep.length > 0) query = query.where('access_key_id', 'not in', keep);
    const removed = await query.returning('access_key_id').execute();
    return removed.map((r) => r.access_key_id).sort();
  }
}
