// Open and click tracking as SES does it: a configuration set with an OPEN/CLICK event destination
// makes each recipient's HTML carry signed tracking links and an open image; fetching them answers
// the image / the redirect and records Open and Click events, seen through GetMessageInsights.
// Delivered through a real SMTP relay on 127.0.0.1, on every database.
import {
  CreateConfigurationSetCommand,
  CreateEmailTemplateCommand,
  CreateConfigurationSetEventDestinationCommand,
  CreateEmailIdentityCommand,
  GetMessageInsightsCommand,
  PutConfigurationSetTrackingOptionsCommand,
  PutEmailIdentityConfigurationSetAttributesCommand,
  SendEmailCommand,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { messageEvents, settled, startDeliverySesd } from '../support/delivery-sesd.js';
import { awsFailure, capturedMessages, sesClient, sesv2Client } from '../support/sesd.js';
import { startSmtpSink, type ReceivedMessage, type SmtpSink } from '../support/smtp-sink.js';

const HTML =
  `<html><body><p>Hello &amp; welcome. <a href="https://shop.example/sale?a=1&amp;b=2" ses:tags="campaign:spring;slot:top">Sale</a> ` +
  `<a ses:no-track href="https://shop.example/prefs">Preferences</a> <a href="mailto:help@shop.example">Help</a></p></body></html>`;
const TEXT = 'Sale: https://shop.example/sale';

const htmlOf = async (m: ReceivedMessage | Buffer) => (await PostalMime.parse('raw' in m ? m.raw : m)).html ?? '';
const textOf = async (m: ReceivedMessage) => (await PostalMime.parse(m.raw)).text ?? '';
const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
const pixelOf = (html: string) => /<img alt="" src="([^"]+)"/.exec(html)?.[1];

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(DIALECTS)('open and click tracking (%s)', { timeout: 60_000 }, (dialect) => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let app: RunningApp;
  let ses: SESv2Client;

  const send = async (set: string | undefined, to: string[], html = HTML) => {
    sink.messages.length = 0;
    const { MessageId } = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'news@example.com',
        Destination: { ToAddresses: to },
        ConfigurationSetName: set,
        Content: { Simple: { Subject: { Data: 'Spring' }, Body: { Html: { Data: html }, Text: { Data: TEXT } } } },
      }),
    );
    await settled(app, MessageId!, 30_000);
    return { messageId: MessageId!, received: await sink.waitFor(set === 'tracked' ? to.length : 1, 30_000) };
  };
  const insights = async (messageId: string) =>
    Object.fromEntries(((await ses.send(new GetMessageInsightsCommand({ MessageId: messageId }))).Insights ?? []).map((i) => [i.Destination!, i.Events!.map((e) => e.Type)]));

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    sink = await startSmtpSink({ noTls: true });
    app = await startDeliverySesd(db, { SESD_DELIVERY_MODE: 'relay', SESD_RELAY_URL: `smtp://127.0.0.1:${sink.port}` });
    ses = sesv2Client(app);
    for (const [name, types] of [
      ['tracked', ['OPEN', 'CLICK'] as const],
      ['untracked', ['DELIVERY', 'BOUNCE'] as const],
    ] as const) {
      await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: name }));
      await ses.send(
        new CreateConfigurationSetEventDestinationCommand({
          ConfigurationSetName: name,
          EventDestinationName: 'bus',
          EventDestination: { Enabled: true, MatchingEventTypes: [...types], EventBridgeDestination: { EventBusArn: 'arn:aws:events:us-west-2:000000000000:event-bus/default' } },
        }),
      );
    }
  });
  afterAll(async () => {
    await app?.close();
    await sink?.close();
    await db?.drop();
  });

  it("rewrites each recipient's HTML links and adds the open image; text and ses:no-track links stay as written", async () => {
    const { messageId, received } = await send('tracked', ['a@example.net', 'b@example.net']);
    for (const m of received) {
      expect(m.rcptTo).toHaveLength(1);
      const html = await htmlOf(m);
      const [sale, prefs, help] = hrefs(html);
      expect(sale).toMatch(new RegExp(`^${app.httpUrl}/_sesd/track/click/`));
      expect([prefs, help]).toEqual(['https://shop.example/prefs', 'mailto:help@shop.example']);
      expect(pixelOf(html)).toMatch(new RegExp(`^${app.httpUrl}/_sesd/track/open/`));
      expect(html).not.toMatch(/ses:(tags|no-track)/);
      expect(html).toContain('<p>Hello &amp; welcome. <a href="');
      expect((await textOf(m)).trim()).toBe(TEXT);
    }
    // Each recipient has links of their own.
    const [a, b] = await Promise.all(received.map(htmlOf));
    expect(hrefs(a!)[0]).not.toBe(hrefs(b!)[0]);
    // The stored copy (/_aws/ses) is the first recipient's, as sent.
    const [captured] = await capturedMessages(app, `?id=${messageId}`);
    const first = received.find((m) => m.rcptTo[0] === 'a@example.net')!;
    // (the inspection endpoint leaves out the part's final line break)
    expect(captured!.Body.html_part).toBe((await htmlOf(first)).replace(/\r?\n$/, ''));
  });

  it('a click redirects to the original link and an open answers a GIF; each is an event, every repeat counted', async () => {
    const { messageId, received } = await send('tracked', ['a@example.net', 'b@example.net']);
    const byRecipient = new Map(await Promise.all(received.map(async (m) => [m.rcptTo[0]!, await htmlOf(m)] as const)));

    // A link checker's HEAD counts nothing (b's link: b then shows no click).
    expect((await fetch(hrefs(byRecipient.get('b@example.net')!)[0]!, { method: 'HEAD', redirect: 'manual' })).status).toBe(302);
    for (let i = 0; i < 2; i++) {
      const click = await fetch(hrefs(byRecipient.get('a@example.net')!)[0]!, { redirect: 'manual', headers: { 'user-agent': 'TestMail/1.0' } });
      expect(click.status).toBe(302);
      expect(click.headers.get('location')).toBe('https://shop.example/sale?a=1&b=2');
    }
    for (let i = 0; i < 3; i++) {
      const open = await fetch(pixelOf(byRecipient.get('b@example.net')!)!.replaceAll('&amp;', '&'));
      expect(open.status).toBe(200);
      expect(open.headers.get('content-type')).toBe('image/gif');
      expect((await open.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }

    // SES counts each open and each click, repeats included.
    const count = (types: string[], type: string) => types.filter((t) => t === type).length;
    const types = await until(async () => (await messageEvents(app, messageId)).events.map((e) => e.type), (t) => count(t, 'Click') >= 2 && count(t, 'Open') >= 3);
    expect([count(types, 'Click'), count(types, 'Open')]).toEqual([2, 3]);
    // GetMessageInsights leaves out the deliveries, opens and clicks of mail to several recipients (SES's
    // API reference, InsightsEvent); one recipient's are shown in the next test.
    expect(await insights(messageId)).toEqual({ 'a@example.net': ['SEND'], 'b@example.net': ['SEND'] });

    const { events } = await messageEvents(app, messageId);
    const clickEvent = events.find((e) => e.type === 'Click')!.payload;
    expect(clickEvent.click).toMatchObject({ link: 'https://shop.example/sale?a=1&b=2', linkTags: { campaign: ['spring'], slot: ['top'] }, userAgent: 'TestMail/1.0', ipAddress: '127.0.0.1' });
    expect(clickEvent.mail).toEqual(events.find((e) => e.type === 'Send')!.payload.mail);
    expect(events.find((e) => e.type === 'Open')!.payload.open).toMatchObject({ ipAddress: '127.0.0.1', timestamp: expect.any(String) });
  });

  it('{{ses:openTracker}} places the open image (the others removed); a link that is not RFC 3986 is not tracked; ses:tags keeps SES\'s characters only', async () => {
    const html =
      `<html><body>{{ses:openTracker}}<p>Hi <a href="http://www.example.com/path/to/page?name=John Doe">raw space</a> ` +
      `<a href="https://shop.example/sale" ses:tags="campaign:spring-2024;bad key:x;slot:top.left;Ok_1:Yes">Sale</a>{{ses:openTracker}}</p></body></html>`;
    const { messageId, received } = await send('tracked', ['g@example.net'], html);
    const body = await htmlOf(received[0]!);
    expect(body).not.toContain('openTracker');
    expect(body).toMatch(new RegExp(`^<html><body><img alt="" src="${app.httpUrl}/_sesd/track/open/[^"]+"[^>]*/><p>Hi `));
    expect(body.match(/<img /g)).toHaveLength(1);
    const [rawSpace, sale] = hrefs(body);
    expect(rawSpace).toBe('http://www.example.com/path/to/page?name=John Doe');
    expect(sale).toMatch(new RegExp(`^${app.httpUrl}/_sesd/track/click/`));

    expect((await fetch(sale!, { redirect: 'manual' })).status).toBe(302);
    const events = await until(
      async () => (await messageEvents(app, messageId)).events,
      (e) => e.some((x) => x.type === 'Click'),
    );
    expect(events.find((e) => e.type === 'Click')!.payload.click).toMatchObject({ link: 'https://shop.example/sale', linkTags: { campaign: ['spring-2024'], Ok_1: ['Yes'] } });
    expect(Object.keys(events.find((e) => e.type === 'Click')!.payload.click!.linkTags as object)).toEqual(['campaign', 'Ok_1']);
    // Mail to one recipient: its delivery and click show in GetMessageInsights.
    expect(await until(() => insights(messageId), (i) => i['g@example.net']?.includes('CLICK') ?? false)).toEqual({ 'g@example.net': ['SEND', 'DELIVERY', 'CLICK'] });
  });

  it('a template keeps {{ses:openTracker}} for the image (it is not template data), and untracked mail loses it', async () => {
    await ses.send(
      new CreateEmailTemplateCommand({ TemplateName: 'with-tracker', TemplateContent: { Subject: 'Hi {{name}}', Html: '<html><body>{{ses:openTracker}}<p>Hi {{name}}</p></body></html>' } }),
    );
    sink.messages.length = 0;
    const { MessageId } = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'news@example.com',
        Destination: { ToAddresses: ['t@example.net'] },
        ConfigurationSetName: 'tracked',
        Content: { Template: { TemplateName: 'with-tracker', TemplateData: '{"name":"Ann"}' } },
      }),
    );
    await settled(app, MessageId!, 30_000);
    const [templated] = await sink.waitFor(1, 30_000);
    expect(await htmlOf(templated!)).toMatch(new RegExp(`^<html><body><img alt="" src="${app.httpUrl}/_sesd/track/open/[^"]+"[^>]*/><p>Hi Ann</p>`));

    const { received } = await send('untracked', ['u@example.net'], '<html><body>{{ses:openTracker}}<p>Hi</p></body></html>');
    expect((await htmlOf(received[0]!)).trimEnd()).toBe('<html><body><p>Hi</p></body></html>');
  });

  it('a forged or edited token gets 404 and records nothing', async () => {
    const { messageId, received } = await send('tracked', ['c@example.net']);
    const link = hrefs(await htmlOf(received[0]!))[0]!;
    const token = link.split('/').at(-1)!;
    const [payload, sig] = token.split('.') as [string, string];
    const fields = JSON.parse(Buffer.from(payload, 'base64url').toString()) as unknown[];
    fields[3] = 'https://evil.example/';
    const edited = `${Buffer.from(JSON.stringify(fields)).toString('base64url')}.${sig}`;
    for (const url of [link.replace(token, edited), link.replace(token, `${payload}.${'A'.repeat(43)}`), `${app.httpUrl}/_sesd/track/open/${payload}.${sig}`]) {
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).toBe(404);
      expect(res.headers.get('location')).toBeNull();
    }
    await new Promise((r) => setTimeout(r, 600)); // past the recorder's flush
    expect((await messageEvents(app, messageId)).events.map((e) => e.type)).toEqual(['Send', 'Delivery']);
  });

  it('tracks raw mail too (SES v1 SendRawEmail): each recipient gets their own HTML part, the text part is as sent', async () => {
    sink.messages.length = 0;
    const raw = await new MailComposer({ from: 'news@example.com', to: 'e@example.net, f@example.net', subject: 'raw', text: TEXT, html: HTML, headers: { 'X-SES-CONFIGURATION-SET': 'tracked' } })
      .compile()
      .build();
    const { MessageId } = await sesClient(app).send(new SendRawEmailCommand({ RawMessage: { Data: raw } }));
    await settled(app, MessageId!, 30_000);
    const received = await sink.waitFor(2, 30_000);
    const links = new Set<string>();
    for (const m of received) {
      const html = await htmlOf(m);
      links.add(hrefs(html)[0]!);
      expect(hrefs(html)[0]).toMatch(new RegExp(`^${app.httpUrl}/_sesd/track/click/`));
      expect(hrefs(html).slice(1)).toEqual(['https://shop.example/prefs', 'mailto:help@shop.example']);
      expect(pixelOf(html)).toBeDefined();
      expect((await textOf(m)).trim()).toBe(TEXT);
    }
    expect(links.size).toBe(2);
  });

  it('tracks large HTML (rewritten in the tracking thread) as small: composed and raw, each recipient their own links', async () => {
    // Over OFF_THREAD_BYTES: a paragraph of filler after the links.
    const large = HTML.replace('</body>', `<p>${'filler words '.repeat(100_000)}</p></body>`);
    const check = async (received: ReceivedMessage[]) => {
      const links = new Set<string>();
      for (const m of received) {
        const html = await htmlOf(m);
        expect(html.length).toBeGreaterThan(1_200_000);
        expect(hrefs(html)[0]).toMatch(new RegExp(`^${app.httpUrl}/_sesd/track/click/`));
        expect(hrefs(html).slice(1)).toEqual(['https://shop.example/prefs', 'mailto:help@shop.example']);
        expect(pixelOf(html)).toBeDefined();
        links.add(hrefs(html)[0]!);
      }
      expect(links.size).toBe(2);
    };
    await check((await send('tracked', ['g@example.net', 'h@example.net'], large)).received);

    sink.messages.length = 0;
    const raw = await new MailComposer({ from: 'news@example.com', to: 'i@example.net, j@example.net', subject: 'raw', text: TEXT, html: large, headers: { 'X-SES-CONFIGURATION-SET': 'tracked' } })
      .compile()
      .build();
    const { MessageId } = await sesClient(app).send(new SendRawEmailCommand({ RawMessage: { Data: raw } }));
    await settled(app, MessageId!, 30_000);
    await check(await sink.waitFor(2, 30_000));
  });

  it('tracking off (no OPEN/CLICK destination): the message is sent once, its HTML exactly as given', async () => {
    const { received } = await send('untracked', ['a@example.net', 'b@example.net']);
    expect(received).toHaveLength(1);
    expect(received[0]!.rcptTo.sort()).toEqual(['a@example.net', 'b@example.net']);
    expect((await htmlOf(received[0]!)).replace(/\r?\n$/, '')).toBe(HTML);
  });

  it("tracks a send that names no configuration set when the sending identity's default set tracks", async () => {
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'news@example.com' })); // auto-verified in tests
    await ses.send(new PutEmailIdentityConfigurationSetAttributesCommand({ EmailIdentity: 'news@example.com', ConfigurationSetName: 'tracked' }));
    try {
      sink.messages.length = 0;
      const { MessageId } = await ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'news@example.com',
          Destination: { ToAddresses: ['e@example.net', 'f@example.net'] },
          Content: { Simple: { Subject: { Data: 'Spring' }, Body: { Html: { Data: HTML }, Text: { Data: TEXT } } } },
        }),
      );
      await settled(app, MessageId!, 30_000);
      const received = await sink.waitFor(2, 30_000);
      for (const m of received) {
        expect(m.rcptTo).toHaveLength(1);
        expect(hrefs(await htmlOf(m))[0]).toMatch(new RegExp(`^${app.httpUrl}/_sesd/track/click/`));
      }
    } finally {
      await ses.send(new PutEmailIdentityConfigurationSetAttributesCommand({ EmailIdentity: 'news@example.com' }));
    }
  });

  it('a custom redirect domain must be a verified identity; links then use it with the HttpsPolicy scheme', async () => {
    expect(
      await awsFailure(ses.send(new PutConfigurationSetTrackingOptionsCommand({ ConfigurationSetName: 'tracked', CustomRedirectDomain: 'click.unverified.example' }))),
    ).toEqual({ name: 'BadRequestException', message: 'Domain <click.unverified.example> is not verified under this account.', status: 400 });

    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'click.example.com' })); // auto-verified in tests
    await ses.send(new PutConfigurationSetTrackingOptionsCommand({ ConfigurationSetName: 'tracked', CustomRedirectDomain: 'click.example.com', HttpsPolicy: 'REQUIRE' }));
    const { received } = await send('tracked', ['d@example.net']);
    const html = await htmlOf(received[0]!);
    expect(hrefs(html)[0]).toMatch(/^https:\/\/click\.example\.com\/_sesd\/track\/click\//);
    expect(pixelOf(html)).toMatch(/^https:\/\/click\.example\.com\/_sesd\/track\/open\//);
    // The domain points at sesd: the same path on sesd's listener redirects.
    const res = await fetch(`${app.httpUrl}${new URL(hrefs(html)[0]!).pathname}`, { redirect: 'manual' });
    expect(res.headers.get('location')).toBe('https://shop.example/sale?a=1&b=2');
    await ses.send(new PutConfigurationSetTrackingOptionsCommand({ ConfigurationSetName: 'tracked' }));
  });
});
