// GetEmailIdentity's DkimAttributes as AWS answers them (SigningHostedZone, key lengths, the key's
// generation time) and Easy DKIM key-length changes through PutEmailIdentityDkimSigningAttributes: a
// new key behind the same tokens, the same length refused. Through the real SDK client, on every database.
import {
  CreateEmailIdentityCommand,
  GetEmailIdentityCommand,
  PutEmailIdentityDkimSigningAttributesCommand,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { awsFailure, sesv2Client, startSesd } from '../support/sesd.js';

const HOSTED_ZONE = 'dkim.sesd.local'; // dkim.cnameDomain's default

/** Runs `action` and answers the window of time it ran in. */
async function timed<T>(action: () => Promise<T>): Promise<{ result: T; from: number; to: number }> {
  const from = Date.now();
  const result = await action();
  return { result, from, to: Date.now() };
}

describe.each(DIALECTS)('SES v2 DKIM attributes (%s)', (dialect) => {
  let db: TestDatabase;
  let dns: DnsServer;
  let app: RunningApp;
  let ses: SESv2Client;

  const dkimOf = async (identity: string) => (await ses.send(new GetEmailIdentityCommand({ EmailIdentity: identity }))).DkimAttributes!;
  const setKeyLength = (identity: string, length: 'RSA_1024_BIT' | 'RSA_2048_BIT') =>
    ses.send(new PutEmailIdentityDkimSigningAttributesCommand({ EmailIdentity: identity, SigningAttributesOrigin: 'AWS_SES', SigningAttributes: { NextSigningKeyLength: length } }));

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    dns = await startDnsServer();
    // Real verification, so a DKIM status that a key change kept is one DNS gave.
    app = await startSesd(db, { SESD_AUTO_VERIFY: 'false', SESD_DNS_SERVERS: dns.address, SESD_IDENTITY_RECHECK_SECONDS: '3600' });
    ses = sesv2Client(app);
  });
  afterAll(async () => {
    await app?.close();
    await dns?.close();
    await db?.drop();
  });

  it('answers an Easy DKIM domain with its hosted zone, key lengths and the time its key was generated', async () => {
    const { result: created, from, to } = await timed(() => ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'easy.example' })));
    expect(created.DkimAttributes).toMatchObject({ SigningAttributesOrigin: 'AWS_SES', SigningHostedZone: HOSTED_ZONE, CurrentSigningKeyLength: 'RSA_2048_BIT', NextSigningKeyLength: 'RSA_2048_BIT' });

    const dkim = await dkimOf('easy.example');
    expect(dkim).toMatchObject({ Status: 'PENDING', Tokens: created.DkimAttributes!.Tokens, SigningHostedZone: HOSTED_ZONE, CurrentSigningKeyLength: 'RSA_2048_BIT', NextSigningKeyLength: 'RSA_2048_BIT' });
    expect(dkim.LastKeyGenerationTimestamp!.getTime()).toBeGreaterThanOrEqual(from - 1);
    expect(dkim.LastKeyGenerationTimestamp!.getTime()).toBeLessThanOrEqual(to + 1);
  });

  it('changes the key length with a new key behind the same tokens, keeping DKIM verified, and refuses the same length', async () => {
    const created = await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'rotate.example', DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' } }));
    const tokens = created.DkimAttributes!.Tokens!;
    for (const token of tokens) dns.zone[`${token}._domainkey.rotate.example`] = { CNAME: [`${token}.${HOSTED_ZONE}`] };
    await app.identities.recheckPending(Date.now());
    const before = await dkimOf('rotate.example');
    expect(before.Status).toBe('SUCCESS');
    const oldKey = await app.store.identities.easyDkimPublicKey(tokens[0]!);

    await new Promise((resolve) => setTimeout(resolve, 5));
    const { result: changed, from, to } = await timed(() => setKeyLength('rotate.example', 'RSA_1024_BIT'));
    // The CNAMEs customers published still point at the key: the tokens and the DKIM status stay.
    expect(changed).toMatchObject({ DkimStatus: 'SUCCESS', DkimTokens: tokens, SigningHostedZone: HOSTED_ZONE });
    const after = await dkimOf('rotate.example');
    expect(after).toMatchObject({ Status: 'SUCCESS', Tokens: tokens, CurrentSigningKeyLength: 'RSA_1024_BIT', NextSigningKeyLength: 'RSA_1024_BIT' });
    expect(after.LastKeyGenerationTimestamp!.getTime()).toBeGreaterThan(before.LastKeyGenerationTimestamp!.getTime());
    expect(after.LastKeyGenerationTimestamp!.getTime()).toBeGreaterThanOrEqual(from - 1);
    expect(after.LastKeyGenerationTimestamp!.getTime()).toBeLessThanOrEqual(to + 1);
    // sesd's DNS zone answers every token with the new key.
    const newKey = await app.store.identities.easyDkimPublicKey(tokens[0]!);
    expect(newKey).toBeTruthy();
    expect(newKey).not.toBe(oldKey);

    // "You can't switch to the same key length as is already configured" (SES Developer Guide).
    expect(await awsFailure(setKeyLength('rotate.example', 'RSA_1024_BIT'))).toMatchObject({ name: 'BadRequestException', status: 400 });
    expect(await dkimOf('rotate.example')).toEqual(after);
    expect(await app.store.identities.easyDkimPublicKey(tokens[0]!)).toBe(newKey);
  });

  it('answers an identity without DKIM keys with NextSigningKeyLength RSA_1024_BIT alone, as AWS does', async () => {
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'someone@nodkim.example' }));
    expect(await dkimOf('someone@nodkim.example')).toEqual({
      SigningEnabled: false,
      Status: 'NOT_STARTED',
      Tokens: [],
      SigningAttributesOrigin: 'AWS_SES',
      NextSigningKeyLength: 'RSA_1024_BIT',
    });
  });

  it('names no hosted zone for BYODKIM, and starts Easy DKIM over with new tokens when switched back', async () => {
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'own.example' }));
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { result: external, from, to } = await timed(() =>
      ses.send(
        new PutEmailIdentityDkimSigningAttributesCommand({
          EmailIdentity: 'own.example',
          SigningAttributesOrigin: 'EXTERNAL',
          SigningAttributes: { DomainSigningSelector: 'sel1', DomainSigningPrivateKey: privateKey.export({ type: 'pkcs1', format: 'der' }).toString('base64') },
        }),
      ),
    );
    expect(external).toMatchObject({ DkimStatus: 'PENDING', DkimTokens: ['sel1'] });
    expect(external.SigningHostedZone).toBeUndefined();
    const byodkim = await dkimOf('own.example');
    expect(byodkim).toMatchObject({ SigningAttributesOrigin: 'EXTERNAL', Tokens: ['sel1'], CurrentSigningKeyLength: 'RSA_2048_BIT' });
    expect(byodkim.SigningHostedZone).toBeUndefined();
    expect(byodkim.NextSigningKeyLength).toBeUndefined();
    expect(byodkim.LastKeyGenerationTimestamp!.getTime()).toBeGreaterThanOrEqual(from - 1);
    expect(byodkim.LastKeyGenerationTimestamp!.getTime()).toBeLessThanOrEqual(to + 1);

    const easy = await setKeyLength('own.example', 'RSA_2048_BIT');
    expect(easy).toMatchObject({ DkimStatus: 'PENDING', SigningHostedZone: HOSTED_ZONE });
    expect(easy.DkimTokens).toHaveLength(3);
    expect(easy.DkimTokens).not.toContain('sel1');
  });
});
