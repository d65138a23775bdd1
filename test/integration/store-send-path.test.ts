// The statements every send runs, whose SQL the store writes by hand (src/store/raw-sql.ts), on every
// database: a group-committed batch of messages with their deliveries and events, and the reads
// of account settings, configuration sets, the suppression list and identities.
import type { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_SETTINGS, type AccountSettings } from '../../src/domain/account/account-settings.js';
import type { ConfigurationSet } from '../../src/domain/configuration-sets/configuration-set.js';
import type { Identity } from '../../src/domain/identities/identity.js';
import { AccountSettingsRepository } from '../../src/store/account-settings-repository.js';
import { CoalescedReads } from '../../src/store/coalesced-reads.js';
import type { BatchWriter } from '../../src/store/batch-writer.js';
import { ConfigurationSetsRepository } from '../../src/store/configuration-sets-repository.js';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { IdentitiesRepository } from '../../src/store/identities-repository.js';
import { keyedSelects } from '../../src/store/keyed-selects.js';
import { MessagesRepository, type NewMessage, type StoredMessage } from '../../src/store/messages-repository.js';
import { IDS_PER_STATEMENT } from '../../src/store/raw-sql.js';
import { SuppressionRepository, type SuppressedDestination } from '../../src/store/suppression-repository.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { newMessage } from '../support/new-message.js';

const scope = { accountId: '000000000000', region: 'us-east-1' };
const otherRegion = { ...scope, region: 'eu-west-1' };

const message = (id: string, createdAt: number, overrides: Partial<NewMessage>): NewMessage =>
  newMessage(id, { ...scope, fromHeader: 'Sender <from@example.com>', subject: 'subject', createdAt, ...overrides });

const stored = ({ recipients: _r, events: _e, ...m }: NewMessage): StoredMessage => m;

const identity = (name: string, overrides: Partial<Identity> = {}): Identity => ({
  ...scope,
  identity: name,
  type: name.includes('@') ? 'EMAIL_ADDRESS' : 'DOMAIN',
  verificationStatus: 'SUCCESS',
  verificationToken: `token-${name}`,
  dkim: { origin: 'AWS_SES', signingEnabled: true, status: 'PENDING', tokens: ['t1', 't2', 't3'], privateKeyPem: null, publicKey: null, keyLength: 'RSA_2048_BIT' },
  mailFrom: { domain: null, behaviorOnMxFailure: 'USE_DEFAULT_VALUE', status: 'NOT_STARTED' },
  feedbackForwarding: true,
  configurationSet: null,
  createdAt: 1_700_000_000_000,
  verifiedAt: 1_700_000_000_500,
  checkedAt: null,
  notifications: {},
  ...overrides,
});

const byAddress = (a: SuppressedDestination, b: SuppressedDestination) => a.emailAddress.localeCompare(b.emailAddress);
const byName = (a: Identity, b: Identity) => a.identity.localeCompare(b.identity);

describe.each(DIALECTS)('the store on the send path (%s)', (dialect) => {
  let db: TestDatabase;
  let opened: OpenedDatabase;
  /** Each batch the messages repository ran, as its statements. */
  const batches: CompiledQuery[][] = [];

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    opened = await openDatabase(db);
  });
  afterAll(async () => {
    await opened?.close();
    await db?.drop();
  });

  it('writes a group-committed batch of messages with their deliveries and events, and reads it back exactly', async () => {
    const recording: BatchWriter = {
      run: (queries) => {
        batches.push([...queries]);
        return opened.batchWriter.run(queries);
      },
      close: async () => {},
    };
    const messages = new MessagesRepository(opened.db, opened.dialect, recording);
    const t = 1_700_000_000_000;
    const many = Array.from({ length: 450 }, (_, i) => ({
      address: `r${String(i).padStart(3, '0')}@example.net`,
      status: i % 50 === 0 ? ('suppressed' as const) : i % 70 === 0 ? ('unsubscribed' as const) : ('queued' as const),
    }));
    const batch = [
      message('m-nulls', t, {
        fromHeader: null,
        subject: null,
        configurationSet: null,
        destination: { ToAddresses: many.map((r) => r.address) },
        raw: Buffer.from([0x53, 0x3a, 0x20, 0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x0d, 0x0a]),
        recipients: many,
        events: [
          { type: 'Send', payload: { eventType: 'Send', mail: { messageId: 'm-nulls', tags: {} } } },
          { type: 'Reject', payload: { eventType: 'Reject', reject: { reason: 'Bad content' } } },
        ],
      }),
      message('m-full', t + 1, {
        sourceApi: 'ses',
        envelopeFrom: 'bounce@example.com',
        subject: 'Grüße ✉ \u{1f600} \'quoted\' "double" ? $1',
        destination: { ToAddresses: ['to@example.net'], CcAddresses: ['cc@example.net'], BccAddresses: ['bcc@example.net'] },
        configurationSet: 'my-set',
        tags: [
          { Name: 'campaign', Value: 'spring' },
          { Name: 'ses:source', Value: '?' },
        ],
        raw: Buffer.concat([Buffer.from('Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n\r\n'), Buffer.alloc(70_000, 0xa5)]),
        recipients: [
          { address: 'to@example.net', status: 'queued' },
          { address: 'cc@example.net', status: 'queued' },
          { address: 'bcc@example.net', status: 'suppressed' },
        ],
        events: [
          { type: 'Send', payload: { eventType: 'Send', n: 1 } },
          { type: 'Delivery', payload: ['a', null, 2.5, { deep: { 'ü': true } }] },
          { type: 'Bounce', payload: null },
        ],
      }),
      message('m-plain', t + 1, { sourceApi: 'smtp', envelopeFrom: '' }),
    ];

    // Together, as a bulk send commits them (concurrent single inserts of small messages are grouped
    // the same way, store-compressed-raw.test.ts; a large one is compressed on the thread pool first,
    // so it may come a batch later).
    await messages.insertTogether(batch);

    // One transaction. SQLite: a value per parameter, deliveries split across statements of
    // ROWS_PER_STATEMENT (400) rows, then the rest. PostgreSQL: one statement per table whatever its
    // rows, each column's values one array parameter, a bytea column's three (raw-sql.ts packedBytes).
    expect(batches).toHaveLength(1);
    const statements = batches[0]!;
    expect(statements.map((q) => [q.sql.split(' ')[2], q.parameters.length])).toEqual(
      dialect === 'postgres'
        ? [
            ['messages', 14],
            ['message_bodies', 5],
            ['deliveries', 13],
            ['events', 6],
            ['metric_counters', 4],
          ]
        : [
            ['messages', 3 * 14],
            ['message_bodies', 3 * 3],
            ['deliveries', 400 * 11],
            ['deliveries', 54 * 11],
            ['events', 5 * 6],
            // No configuration set: the Send events have nowhere to go, are written settled, and their
            // figures (accepted messages by door, one counter here) are added in the same transaction.
            ['metric_counters', 1 * 4],
          ],
    );
    if (dialect === 'postgres') {
      // The delivery rows' columns: 454 values each, in the recipients' order.
      const deliveries = statements.find((q) => q.sql.startsWith('insert into deliveries '))!;
      expect((deliveries.parameters[0] as unknown[]).length).toBe(454);
    } else {
      for (const q of statements.filter((s) => !s.sql.includes(' on conflict '))) expect(q.sql.endsWith('?)')).toBe(true);
    }

    expect(await messages.list()).toEqual(batch.map(stored));
    const [withNulls] = await messages.list({ id: 'm-nulls' });
    expect(withNulls!.raw.equals(batch[0]!.raw)).toBe(true);
    for (const m of batch) {
      expect(await messages.recipients(m.id)).toEqual(m.recipients.map((r) => ({ recipient: r.address, status: r.status })));
      expect(await messages.events(m.id)).toEqual(m.events.map((e) => ({ ...e, createdAt: m.createdAt })));
    }

    // A batch of another shape, then one of the first shape again (its SQL text reused).
    await messages.insert(message('m-later', t + 2, {}));
    await messages.insertTogether(batch.map((m) => ({ ...m, id: `${m.id}-again`, createdAt: t + 3 })));
    expect(batches.at(-1)!.map((q) => q.sql)).toEqual(statements.map((q) => q.sql));
    // Oldest first; messages of one millisecond in the order they were stored (their keys).
    expect((await messages.list()).map((m) => m.id)).toEqual(['m-nulls', 'm-full', 'm-plain', 'm-later', 'm-nulls-again', 'm-full-again', 'm-plain-again']);
    expect(await messages.recipients('m-nulls-again')).toHaveLength(450);
  });

  it('reads account settings as written, and nothing for a scope without them', async () => {
    const settings = new AccountSettingsRepository(opened.db, opened.dialect);
    expect(await settings.get(scope)).toBeUndefined();
    const written: AccountSettings = {
      sendingEnabled: false,
      productionAccess: true,
      maxSendRate: 14,
      max24HourSend: 50_000,
      suppressedReasons: ['COMPLAINT'],
      details: { mailType: 'MARKETING', websiteUrl: 'https://example.com', additionalContactEmailAddresses: ['ops@example.com'] },
      review: { caseId: '1234567890', status: 'PENDING' },
    };
    await settings.put(scope, written);
    expect(await settings.submitDetails(scope, written.details!, written.review)).toBe(true);
    await settings.put(otherRegion, DEFAULT_ACCOUNT_SETTINGS);
    expect(await settings.get(scope)).toEqual(written);
    expect(await settings.get(otherRegion)).toEqual(DEFAULT_ACCOUNT_SETTINGS);
    expect(await settings.get({ ...scope, accountId: '111111111111' })).toBeUndefined();
  });

  it('reads a configuration set as written, and nothing for another name or scope', async () => {
    const sets = new ConfigurationSetsRepository(opened.db, opened.dialect);
    const set: ConfigurationSet = {
      ...scope,
      name: 'my-set',
      options: {
        DeliveryOptions: { TlsPolicy: 'REQUIRE', MaxDeliverySeconds: 600 },
        ReputationOptions: { ReputationMetricsEnabled: true },
        SendingOptions: { SendingEnabled: true },
        TrackingOptions: { CustomRedirectDomain: 'track.example.com' },
      },
      createdAt: 1_700_000_000_123,
    };
    expect(await sets.create(set)).toBe(true);
    expect(await sets.get(scope, 'my-set')).toEqual(set);
    expect(await sets.get(scope, 'other-set')).toBeUndefined();
    expect(await sets.get(otherRegion, 'my-set')).toBeUndefined();
  });

  it("reads the suppressed entries among any number of addresses, ignoring the domain's case (not the local part's)", async () => {
    const suppression = new SuppressionRepository(opened.db, opened.dialect);
    const bounce: SuppressedDestination = { emailAddress: 'bounce@example.net', reason: 'BOUNCE', lastUpdate: 1_700_000_000_001, messageId: 'm-1', feedbackId: null };
    const complaint: SuppressedDestination = { emailAddress: 'complaint@example.net', reason: 'COMPLAINT', lastUpdate: 1_700_000_000_002, messageId: null, feedbackId: 'f-1' };
    await suppression.put(scope, { ...bounce, emailAddress: 'bounce@Example.NET' });
    await suppression.put(scope, complaint);
    await suppression.put(otherRegion, { ...bounce, emailAddress: 'elsewhere@example.net' });

    expect(await suppression.getMany(scope, [])).toEqual([]);
    expect(await suppression.getMany(scope, ['bounce@EXAMPLE.net'])).toEqual([bounce]);
    expect(await suppression.getMany(scope, ['Bounce@example.net'])).toEqual([]);
    expect((await suppression.getMany(scope, ['nobody@example.net', 'complaint@EXAMPLE.net', 'bounce@example.net', 'elsewhere@example.net'])).sort(byAddress)).toEqual([bounce, complaint]);
    const fifty = [...Array.from({ length: 48 }, (_, i) => `n${i}@example.net`), 'bounce@example.net', 'complaint@example.net'];
    expect((await suppression.getMany(scope, fifty)).sort(byAddress)).toEqual([bounce, complaint]);
    expect(await suppression.get(scope, 'complaint@example.net')).toEqual(complaint);
  });

  it('reads the identities among any number of names, exactly as named', async () => {
    const identities = new IdentitiesRepository(opened.db, opened.dialect);
    const domain = identity('example.com', { configurationSet: 'my-set', notifications: { bounceTopic: 'arn:aws:sns:us-east-1:000000000000:b', headersInBounce: true } });
    const address = identity('Sender@example.org', {
      verificationStatus: 'PENDING',
      dkim: { origin: 'EXTERNAL', signingEnabled: false, status: 'NOT_STARTED', tokens: [], privateKeyPem: 'PEM', publicKey: 'KEY', keyLength: null },
      mailFrom: { domain: 'mail.example.org', behaviorOnMxFailure: 'REJECT_MESSAGE', status: 'FAILED' },
      feedbackForwarding: false,
      verifiedAt: null,
      checkedAt: 1_700_000_000_900,
    });
    for (const i of [domain, address, { ...domain, ...otherRegion }]) expect(await identities.create(i)).toBe(true);

    expect(await identities.getMany(scope, [])).toEqual([]);
    expect(await identities.getMany(scope, ['example.com'])).toEqual([domain]);
    expect((await identities.getMany(scope, ['Sender@example.org', 'sender@example.org', 'example.com', 'missing.example'])).sort(byName)).toEqual([address, domain].sort(byName));
    expect(await identities.getMany(otherRegion, ['example.com', 'Sender@example.org'])).toEqual([{ ...domain, ...otherRegion }]);
  });

  it('answers reads of several tables made together (coalesced into one read per scope, as the store shares them) as it answers each alone', async () => {
    // One CoalescedReads for the four repositories, as openStore makes it: on PostgreSQL a turn's
    // reads of a scope are one statement of every table's part.
    const shared = new CoalescedReads(keyedSelects(opened.db, opened.dialect));
    const identities = new IdentitiesRepository(opened.db, opened.dialect, shared);
    const suppression = new SuppressionRepository(opened.db, opened.dialect, shared);
    const settings = new AccountSettingsRepository(opened.db, opened.dialect, shared);
    const third = { accountId: '333333333333', region: 'ap-south-1' };
    await identities.create(identity('together.example', third));
    await suppression.put(third, { emailAddress: 'gone@together.example', reason: 'COMPLAINT', lastUpdate: 1_700_000_000_003, messageId: null, feedbackId: null });
    await settings.put(third, { sendingEnabled: false });
    const sets = new ConfigurationSetsRepository(opened.db, opened.dialect, shared);
    const options = { DeliveryOptions: {}, ReputationOptions: { ReputationMetricsEnabled: false }, SendingOptions: { SendingEnabled: true } };
    for (const name of ['set-a', 'set-b']) await sets.create({ ...third, name, options, createdAt: 1_700_000_000_000 });
    const destination = (name: string, type: 'SEND' | 'BOUNCE') => ({ Name: name, Enabled: true, MatchingEventTypes: [type], SnsDestination: { TopicArn: `arn:aws:sns:ap-south-1:333333333333:${name}` } });
    await sets.createEventDestination(third, 'set-a', destination('z-first', 'SEND'), 1_700_000_000_001);
    await sets.createEventDestination(third, 'set-a', destination('a-second', 'BOUNCE'), 1_700_000_000_002);
    await sets.createEventDestination(third, 'set-b', destination('only', 'SEND'), 1_700_000_000_001);
    const reads = () => [
      identities.getMany(scope, ['example.com', 'Sender@example.org']),
      identities.getMany(scope, ['sender@example.org']),
      identities.getMany(otherRegion, ['example.com']),
      identities.getMany(third, ['together.example', 'example.com']),
      suppression.getMany(scope, ['complaint@example.net', 'nobody@example.net']),
      suppression.getMany(scope, ['BOUNCE@example.net', 'bounce@example.net']),
      suppression.getMany(third, ['gone@together.example', 'bounce@example.net']),
      settings.get(scope),
      settings.get(third),
      settings.get({ accountId: '444444444444', region: 'us-east-1' }),
      sets.get(third, 'set-a'),
      sets.get(third, 'set-b'),
      sets.get(third, 'missing'),
      sets.eventDestinations(third, 'set-a'),
      sets.eventDestinations(third, 'set-b'),
      sets.eventDestinations(scope, 'set-a'),
    ];
    const alone: unknown[] = [];
    for (const read of reads()) alone.push(await read);
    const together = await Promise.all(reads());
    expect(together).toEqual(alone);
    expect(alone[3]).toMatchObject([{ identity: 'together.example' }]);
    expect(alone[6]).toMatchObject([{ emailAddress: 'gone@together.example' }]);
    expect(alone[8]).toMatchObject({ sendingEnabled: false });
    expect(alone[9]).toBeUndefined();
    expect(alone[10]).toMatchObject({ name: 'set-a' });
    expect(alone[12]).toBeUndefined();
    expect((alone[13] as { Name: string }[]).map((d) => d.Name)).toEqual(['z-first', 'a-second']);
    expect((alone[14] as { Name: string }[]).map((d) => d.Name)).toEqual(['only']);
    expect(alone[15]).toEqual([]);
  });

  it('reads more keys than one IN list holds (SQLite: statements of IDS_PER_STATEMENT keys; PostgreSQL: one array)', async () => {
    const identities = new IdentitiesRepository(opened.db, opened.dialect);
    const fourth = { accountId: '555555555555', region: 'us-east-1' };
    const names = Array.from({ length: IDS_PER_STATEMENT + 5 }, (_, i) => `n${i}.example`);
    for (const name of [names[0]!, names.at(-1)!]) await identities.create(identity(name, fourth));
    const [found, again] = await Promise.all([identities.getMany(fourth, names), identities.getMany(fourth, [names.at(-1)!])]);
    expect(found.map((i) => i.identity).sort()).toEqual([names[0], names.at(-1)].sort());
    expect(again.map((i) => i.identity)).toEqual([names.at(-1)]);
  });
});
