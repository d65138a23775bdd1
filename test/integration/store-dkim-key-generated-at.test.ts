// Migration 023 on every database: identities written before it had their DKIM keys since their
// creation, so that is when their key was generated; identities without keys have no such time.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { IdentitiesRepository } from '../../src/store/identities-repository.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';

const T0 = 1_700_000_000_000;
const SCOPE = { accountId: '000000000000', region: 'us-east-1' };

describe.each(DIALECTS)('DKIM key generation time (%s)', (dialect) => {
  let db: TestDatabase | undefined;
  let opened: OpenedDatabase | undefined;
  afterEach(async () => {
    await opened?.close();
    await db?.drop();
    opened = db = undefined;
  });

  it('gives identities with keys written before migration 023 their creation as the key generation time', async () => {
    db = await createTestDatabase(dialect);
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

    opened = await openDatabase(db);
    const identities = new IdentitiesRepository(opened.db, opened.dialect);
    expect((await identities.get(SCOPE, 'keyed.example'))!.dkim.keyGeneratedAt).toBe(T0);
    expect((await identities.get(SCOPE, 'someone@plain.example'))!.dkim).not.toHaveProperty('keyGeneratedAt');
  });
});
