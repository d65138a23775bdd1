// Easy DKIM tokens → identity, so sesd's authoritative DNS listener finds the key of
// `TOKEN.<dkim.cnameDomain>` with one indexed read (the tokens are also kept, as JSON, on the
// identity row). Existing Easy DKIM identities are indexed here. Also the custom MAIL FROM domain's
// status (its MX record checked like the DKIM records).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('easy_dkim_tokens')
    .addColumn('token', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(12)', (c) => c.notNull())
    .addColumn('region', 'varchar(32)', (c) => c.notNull())
    .addColumn('identity', 'text', (c) => c.notNull())
    .execute();
  // Deleting or re-keying an identity removes its tokens by identity.
  await db.schema.createIndex('easy_dkim_tokens_identity').on('easy_dkim_tokens').columns(['account_id', 'region', 'identity']).execute();

  await db.schema.alterTable('identities').addColumn('mail_from_status', 'varchar(32)', (c) => c.notNull().defaultTo('PENDING')).execute();

  const { rows } = await sql<{ account_id: string; region: string; identity: string; dkim_tokens: string }>`
    select account_id, region, identity, dkim_tokens from identities where dkim_origin = 'AWS_SES'`.execute(db);
  for (const row of rows) {
    for (const token of JSON.parse(row.dkim_tokens) as string[]) {
      await sql`insert into easy_dkim_tokens (token, account_id, region, identity) values (${token}, ${row.account_id}, ${row.region}, ${row.identity})`.execute(db);
    }
  }
}
