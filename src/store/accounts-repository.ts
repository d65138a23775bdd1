// Accounts and their access keys.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface AccessKeyRecord {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
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

  /** Inserts the key, or gives an existing key id its new secret and account (re-provisioning). */
  async putAccessKey(key: AccessKeyRecord): Promise<void> {
    await this.ensureAccount(key.accountId);
    await this.db
      .insertInto('access_keys')
      .values({ access_key_id: key.accessKeyId, secret_access_key: key.secretAccessKey, account_id: key.accountId, created_at: Date.now() })
      .onConflict((oc) =>
        oc.column('access_key_id').doUpdateSet({ secret_access_key: key.secretAccessKey, account_id: key.accountId }),
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
}
