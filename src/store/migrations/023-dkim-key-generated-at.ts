// When an identity's current DKIM key was generated (Easy DKIM) or imported (BYODKIM): GetEmailIdentity's
// LastKeyGenerationTimestamp, which a key rotation changes while the identity's creation does not.
// Identities with keys until now had them from their creation, so that is their key's time.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('identities').addColumn('dkim_key_generated_at', 'bigint').execute();
  await sql`update identities set dkim_key_generated_at = created_at where dkim_private_key is not null`.execute(db);
}
