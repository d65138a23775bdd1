// Real delivery over SMTP to servers on 127.0.0.1: relay mode to a smarthost, mx mode with a DNS
// server the test runs, DKIM checked on the receiving side with mailauth, and the faults a queue
// must survive (greylisting, unknown users, dropped connections, domains without mail servers,
// STARTTLS required but not offered). On every database.
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import type { DeliveryHooks } from '../../src/delivery/delivery-service.js';
import { defaultPolicy, type SuppressionSink } from '../../src/delivery/policy.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { messageEvents, settled, startDeliverySesd } from '../support/delivery-sesd.js';
import { testDkimKey, verifyDkim } from '../support/dkim-test-key.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { OTHER_ACCOUNT_KEY, sesv2Client } from '../support/sesd.js';

const DKIM = testDkimKey('example.com');
const ZONE = {
  'example.test': { MX: [{ preference: 20, exchange: 'mx1.example.test' }, { preference: 10, exchange: 'mx-dead.example.test' }] },
  'mx-dead.example.test': { A: ['127.0.0.2'] }, // nothing listens there: connection refused
  'mx1.example.test': { A: ['127.0.0.1'] },
  'a-only.test': { A: ['127.0.0.1'] },
  'nullmx.test': { MX: [{ preference: 0, exchange: '.' }] },
};

describe.each(DIALECTS)('delivery over SMTP (%s)', (dialect) => {
  let db: TestDatabase;
  let dns: DnsServer;
  const apps: RunningApp[] = [];
  const sinks: SmtpSink[] = [];

  beforeAll(async () => {
    dns = await startDnsServer(ZONE);
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    for (const sink of sinks.splice(0)) await sink.close();
    await db?.drop();
  });
  afterAll(async () => {
    await dns?.close();
  });

  async function sesd(env: Record<string, string>, hooks: DeliveryHooks = {}): Promise<RunningApp> {
    db = await createTestDatabase(dialect);
    // The receiving servers here are on 127.0.0.1, which mx mode reaches only when allowed.
    const app = await startDeliverySesd(db, { SESD_DNS_SERVERS: dns.address, SESD_DELIVERY_ALLOW_PRIVATE_ADDRESSES: 'true', ...env }, { dkimKeys: { keyFor: (_a, _r, domain) => (domain === 'example.com' ? DKIM.key : undefined) }, ...hooks });
    apps.push(app);
    return app;
  }

  async function sink(opts: Parameters<typeof startSmtpSink>[0] = {}): Promise<SmtpSink> {
    const s = await startSmtpSink(opts);
    sinks.push(s);
    return s;
  }

  async function send(app: RunningApp, to: string[], credentials?: typeof OTHER_ACCOUNT_KEY): Promise<string> {
    const out = await sesv2Client(app, credentials).send(
      new SendEmailCommand({
        FromEmailAddress: 'Sender <sender@example.com>',
        Destination: { ToAddresses: to },
        Content: { Simple: { Subject: { Data: 'Grüße' }, Body: { Text: { Data: 'Hello  there, \n\nsecond paragraph\n\n\n' }, Html: { Data: '<p>Hello</p>' } } } },
      }),
    );
    return out.MessageId!;
  }

  it('relays through a smarthost with AUTH over STARTTLS; the message carries Feedback-ID and a DKIM signature that verifies', async () => {
    const smarthost = await sink({ auth: { user: 'relay-user', pass: 'relay-pass' } });
    const app = await sesd({ SESD_DELIVERY_MODE: 'relay', SESD_RELAY_URL: `smtp://relay-user:relay-pass@127.0.0.1:${smarthost.port}?tls.rejectUnauthorized=false` });
    const id = await send(app, ['a@example.net', 'b@example.net']);
    const [received] = await smarthost.waitFor(1);
    expect(received).toMatchObject({ mailFrom: `${id}@sesd.test`, rcptTo: ['a@example.net', 'b@example.net'], secure: true, user: 'relay-user', clientHostname: 'sesd.test' });
    expect(received!.raw.toString()).toMatch(/^Feedback-ID: 1\.us-west-2\.[A-Za-z0-9_-]+:sesd$/m);
    expect(received!.raw.toString()).toMatch(new RegExp(`^Message-ID:\\s+<${id}@sesd\\.test>`, 'm'));
    expect(await verifyDkim(received!.raw, DKIM)).toEqual([{ result: 'pass', domain: 'example.com', comment: undefined }]);
    const e = await settled(app, id);
    expect(e.recipients.map((r) => r.status)).toEqual(['delivered', 'delivered']);
    expect(e.events.filter((x) => x.type === 'Delivery').map((x) => x.payload.delivery!.smtpResponse)).toEqual([expect.stringMatching(/^250 /), expect.stringMatching(/^250 /)]);
  });

  it('defers, with a DeliveryDelay event, when the relay URL requires STARTTLS and the smarthost does not offer it', async () => {
    const smarthost = await sink({ noTls: true });
    const app = await sesd({ SESD_DELIVERY_MODE: 'relay', SESD_RELAY_URL: `smtp://127.0.0.1:${smarthost.port}?requireTLS=true`, SESD_RETRY_SCHEDULE: '1h' });
    const id = await send(app, ['a@example.net']);
    const e = await until(app, id, (x) => x.events.some((ev) => ev.type === 'DeliveryDelay'));
    expect(e.recipients[0]!.status).toBe('deferred');
    expect(e.events[1]!.payload.deliveryDelay).toMatchObject({ delayType: 'TransientCommunicationFailure', delayedRecipients: [{ emailAddress: 'a@example.net' }] });
    expect(smarthost.messages).toEqual([]);
  });

  it('delivers to the MX hosts in preference order, moving past one that refuses connections, and signs with DKIM', async () => {
    const mx = await sink();
    const app = await sesd({ SESD_DELIVERY_MODE: 'mx', SESD_MX_PORT: String(mx.port) });
    const id = await send(app, ['rcpt@example.test']);
    const [received] = await mx.waitFor(1);
    expect(received).toMatchObject({ mailFrom: `${id}@sesd.test`, rcptTo: ['rcpt@example.test'], secure: true, clientHostname: 'sesd.test' });
    expect((await verifyDkim(received!.raw, DKIM))[0]!.result).toBe('pass');
    const e = await settled(app, id);
    expect(e.events.map((x) => x.type)).toEqual(['Send', 'Delivery']);
    expect(e.events[1]!.payload.delivery).toMatchObject({ remoteMtaIp: '127.0.0.1', reportingMTA: 'sesd.test' });
  });

  it('does not deliver to loopback or private addresses unless allowed: a literal or an MX inside the network bounces', async () => {
    const mx = await sink();
    const app = await sesd({ SESD_DELIVERY_MODE: 'mx', SESD_MX_PORT: String(mx.port), SESD_DELIVERY_ALLOW_PRIVATE_ADDRESSES: 'false' });
    const literal = await send(app, ['x@[127.0.0.1]']);
    const internal = await send(app, ['rcpt@example.test']);
    for (const id of [literal, internal]) {
      const e = await settled(app, id);
      expect(e.recipients[0]!.status).toBe('bounced');
      expect(e.events[1]!.payload.bounce).toMatchObject({ bounceType: 'Permanent', bouncedRecipients: [{ status: '5.4.4', diagnosticCode: expect.stringContaining('resolves only to non-public addresses') }] });
    }
    expect(mx.messages).toHaveLength(0);
  });

  it('uses the A record of a domain without MX records, and bounces a domain with a null MX', async () => {
    const mx = await sink();
    const app = await sesd({ SESD_DELIVERY_MODE: 'mx', SESD_MX_PORT: String(mx.port) });
    const direct = await send(app, ['x@a-only.test']);
    const nullMx = await send(app, ['x@nullmx.test']);
    expect((await settled(app, direct)).recipients[0]!.status).toBe('delivered');
    const e = await settled(app, nullMx);
    expect(e.events[1]!.payload.bounce).toMatchObject({ bounceType: 'Permanent', bouncedRecipients: [{ status: '5.1.10' }] });
  });

  describe('faults (mx, retry schedule 100ms,200ms, lifetime 3s)', () => {
    const FAST = { SESD_DELIVERY_MODE: 'mx', SESD_RETRY_SCHEDULE: '100ms,200ms', SESD_MESSAGE_LIFETIME: '3s' };

    it('delivers once after two 451 replies, with two DeliveryDelay events', async () => {
      let tries = 0;
      const mx = await sink({ onRcpt: () => (++tries <= 2 ? { code: 451, message: '4.7.1 Greylisted, try again later' } : undefined) });
      const app = await sesd({ ...FAST, SESD_MX_PORT: String(mx.port) });
      const id = await send(app, ['grey@example.test']);
      const e = await settled(app, id);
      expect(e.events.map((x) => x.type)).toEqual(['Send', 'DeliveryDelay', 'DeliveryDelay', 'Delivery']);
      expect(e.events[1]!.payload.deliveryDelay).toMatchObject({
        delayType: 'RecipientServerError',
        delayedRecipients: [{ emailAddress: 'grey@example.test', status: '4.7.1', diagnosticCode: 'smtp; 451 4.7.1 Greylisted, try again later' }],
      });
      expect(mx.messages).toHaveLength(1);
    });

    it('bounces a 550 5.1.1 at once (Permanent, NoEmail) and adds the address to the suppression list', async () => {
      const calls: unknown[] = [];
      const suppression: SuppressionSink = { shouldSuppress: async (_s, _c, reason) => reason === 'BOUNCE', suppress: async (scope, entry) => void calls.push({ scope, entry }) };
      const mx = await sink({ onRcpt: () => ({ code: 550, message: '5.1.1 <nobody@example.test>: Recipient address rejected: User unknown' }) });
      const app = await sesd({ ...FAST, SESD_MX_PORT: String(mx.port) }, { suppression });
      const id = await send(app, ['nobody@example.test']);
      const e = await settled(app, id);
      expect(e.events.map((x) => x.type)).toEqual(['Send', 'Bounce']);
      expect(e.events[1]!.payload.bounce).toMatchObject({
        bounceType: 'Permanent',
        bounceSubType: 'NoEmail',
        bouncedRecipients: [{ emailAddress: 'nobody@example.test', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown' }],
        // The server that refused it, for identity notifications (SES's bounce object has it there).
        remoteMtaIp: '127.0.0.1',
      });
      expect(calls).toEqual([{ scope: { accountId: '000000000000', region: 'us-west-2' }, entry: { address: 'nobody@example.test', reason: 'BOUNCE', messageId: id, feedbackId: e.events[1]!.payload.bounce!.feedbackId } }]);
    });

    it('retries a message whose connection dropped in the middle of DATA, and delivers it once', async () => {
      let drops = 0;
      const mx = await sink({ onData: () => (++drops === 1 ? 'drop' : undefined) });
      const app = await sesd({ ...FAST, SESD_MX_PORT: String(mx.port) });
      const id = await send(app, ['dropped@example.test']);
      const e = await settled(app, id);
      expect(e.events.map((x) => x.type)).toEqual(['Send', 'DeliveryDelay', 'Delivery']);
      expect(e.events[1]!.payload.deliveryDelay).toMatchObject({ delayType: 'TransientCommunicationFailure' });
      expect(mx.messages).toHaveLength(1);
    });

    it('bounces (Transient) a domain with no MX and no A record once the lifetime has run out', async () => {
      const app = await sesd({ ...FAST, SESD_MX_PORT: '9' });
      const started = Date.now();
      const id = await send(app, ['someone@nowhere.test']);
      const e = await settled(app, id, 15_000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
      const types = e.events.map((x) => x.type);
      expect(types[0]).toBe('Send');
      expect(types.at(-1)).toBe('Bounce');
      expect(types.filter((t) => t === 'DeliveryDelay').length).toBeGreaterThanOrEqual(2);
      expect(e.events.at(-1)!.payload.bounce).toMatchObject({ bounceType: 'Transient', bounceSubType: 'General', bouncedRecipients: [{ status: '4.4.4' }] });
      expect(e.events[1]!.payload.deliveryDelay).toMatchObject({ delayType: 'Undetermined' });
    });

    // The policy hook answers for the configuration set's TlsPolicy; here it says REQUIRE for one account.
    it('defers when the TLS policy is REQUIRE and the receiver offers no STARTTLS', async () => {
      const mx = await sink({ noTls: true });
      const app = await sesd({ ...FAST, SESD_MX_PORT: String(mx.port), SESD_MESSAGE_LIFETIME: '1h', SESD_RETRY_SCHEDULE: '1h' }, {
        policy: { ...defaultPolicy, requireTls: async (scope) => scope.accountId === OTHER_ACCOUNT_KEY.accountId },
      });
      const strict = await send(app, ['a@example.test'], OTHER_ACCOUNT_KEY);
      const relaxed = await send(app, ['b@example.test']);
      expect((await settled(app, relaxed)).recipients[0]!.status).toBe('delivered');
      const e = await until(app, strict, (x) => x.recipients[0]!.status === 'deferred');
      expect(e.events[1]!.payload.deliveryDelay).toMatchObject({ delayType: 'TransientCommunicationFailure' });
      expect(mx.messages.map((m) => m.rcptTo)).toEqual([['b@example.test']]);
    });
  });
});

async function until(app: RunningApp, id: string, done: (e: Awaited<ReturnType<typeof messageEvents>>) => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const e = await messageEvents(app, id);
    if (done(e)) return messageEvents(app, id);
    if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(e)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
