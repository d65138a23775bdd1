// Rows of SES resources named within an account and region (templates, custom verification
// templates, configuration sets, contact lists): counting them for quotas and deleting one by name.
import type { Kysely } from 'kysely';
import type { Scope } from '../domain/identities/identity.js';
import type { Database } from './schema.js';

export type NamedTable = 'email_templates' | 'custom_verification_templates' | 'configuration_sets' | 'contact_lists';

// Every named table has these columns; Kysely cannot see that through a union of table names.
type NamedRows = Kysely<Record<NamedTable, { account_id: string; region: string; name: string }>>;

export async function countNamed(db: Kysely<Database>, table: NamedTable, scope: Scope): Promise<number> {
  const row = await (db as unknown as NamedRows)
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', scope.accountId)
    .where('region', '=', scope.region)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deletes the named row; false when there was none. Works inside a transaction too. */
export async function deleteNamed(db: Kysely<Database>, table: NamedTable, scope: Scope, name: string): Promise<boolean> {
  const res = await (db as unknown as NamedRows)
    .deleteFrom(table)
    .where('account_id', '=', scope.accountId)
    .where('region', '=', scope.region)
    .where('name', '=', name)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}
