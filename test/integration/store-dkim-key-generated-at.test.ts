// Migration 023 on every database: identities written before it had their DKIM keys since their
// creation, so that is when their key was generated; identities without keys have no such time.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { IdentitiesRepository } from '../../src/store/identities-repository.js';
import { databasePerTest, DIALECTS } from '../support/databases.js';

const T0 = 1_700_000_000_000;
const SCOPE = { accountId: '000000000000', region: 'us-east-1' };

describe.each(DIALECTS)('DKIM key generation time (%s)', (dialect) => {
  const fixture = databasePerTest(dialect);

  it('gives identities with keys written before migration 023 their creation as the key generation time', async () => {
    const db = await fixture.database();
    const before = await openDatabase({ ...db, migrateTo: '022-console-sessions' });
    const flag = dialect === 'postgres' ? true : 1;
    for (const [identity, type, tokens, key] of [
      ['keyed.example', 'DOMAIN', '["t1","t2","t3"]', 'PEM'],
      ['someone@plain.example', 'EMAIL_ADDRESS', '[]', null],
    ] as const) {
      await sql`insert into identities (account_id, region, identity, type, verification_status, verification_token, dkim_origin,
          dkim_signing_enabled, dkim_status, dkim_tokens, dkim_private_key, dkim_public_key, dkim_key_length, mail_from_behavior,
          feedback_forwarding, tags, created_at)
        values (${SCOPE.accountId}, ${SCOPE.region}, ${identity}, ${type}, 'SUCCESS', ${`token-${identity}`}, 'AWS_SES',
          ${flag}, 'SUCCESS', ${tokens}, ${key}, ${key && 'PUBLIC'}, ${key && 'RSA_2048_BIT'}, 'USE_DEFAULT_VALUE', ${flag}, '[]', ${T0})`.execute(before.db);
    }
    await before.close();

    const opened = await fixture.open();
    const identities = new IdentitiesRepository(opened.db, opened.dialect);
    expect((await identities.get(SCOPE, 'keyed.example'))!.dkim.keyGeneratedAt).toBe(T0);
    expect((await identities.get(SCOPE, 'someone@plain.example'))!.dkim).not.toHaveProperty('keyGeneratedAt');
  });
});
