// The console in Chromium as a new user meets it: why a message was not sent, where its events were
// published, paging, many recipients, the statistics legend, and keyboard focus. Screenshots go to
// test-artifacts/console/ as in console.test.ts.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateConfigurationSetCommand,
  CreateConfigurationSetEventDestinationCommand,
  CreateEmailIdentityCommand,
  CreateEmailTemplateCommand,
  SendEmailCommand,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { smtpPassword } from '../../src/smtp/smtp-password.js';
import { buildConsole } from '../support/console-build.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { sesv2Client, startSesd, TEST_KEY, waitUntilReady } from '../support/sesd.js';
import { startSnsReceiver, type SnsReceiver } from '../support/sns-receiver.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'console');
const hasChromium = existsSync(CHROMIUM);

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

describe.skipIf(!hasChromium)('the console’s message details in Chromium', { timeout: 90_000 }, () => {
  let db: TestDatabase;
  let app: RunningApp;
  let ses: SESv2Client;
  let browser: Browser;
  let page: Page;
  let receiver: SnsReceiver | undefined;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    buildConsole();
    db = await createTestDatabase('sqlite');
    // SNS retries after 1 s (not AWS's 20 s), so the test sees a failed attempt and its retry.
    app = await startSesd(db, { SESD_REGION: 'us-west-2', SESD_DELIVERY_THREAD_NICE: '0', SESD_SNS_RETRY_DELAY: '1s' }, pino({ level: 'warn' }, pino.destination(2)));
    await waitUntilReady(app.httpUrl);
    ses = sesv2Client(app);
    // Root in CI: Chromium's own sandbox needs user namespaces it lacks there.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await receiver?.close();
    await db?.drop();
  });

  const send = async (subject: string, to: string[], configurationSet?: string) =>
    (
      await ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'shop@example.com',
          Destination: { ToAddresses: to },
          ConfigurationSetName: configurationSet,
          Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: `Text of ${subject}` } } } },
        }),
      )
    ).MessageId!;

  it('shows why a templated send with a missing variable queued no recipient', async () => {
    await ses.send(new CreateEmailTemplateCommand({ TemplateName: 'welcome', TemplateContent: { Subject: 'Welcome {{name}}', Text: 'Your code is {{code}}' } }));
    const { MessageId: id } = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'shop@example.com',
        Destination: { ToAddresses: ['carol@example.net'] },
        Content: { Template: { TemplateName: 'welcome', TemplateData: JSON.stringify({ name: 'Carol' }) } },
      }),
    );
    await page.goto(`${app.httpUrl}/#/messages/${id}`);
    const failure = page.locator('#message-events li[data-event="Rendering Failure"]');
    await failure.waitFor({ timeout: 15_000 });
    expect(await failure.textContent()).toContain("Attribute 'code' is not present");
    await shot(page, 'rendering-failure');

    // In the list its status says so too, instead of nothing.
    await page.goto(`${app.httpUrl}/#/messages`);
    const badge = page.locator(`tr[data-id="${id}"] [data-status="failure"]`);
    await badge.waitFor({ timeout: 15_000 });
    expect(await badge.textContent()).toBe('Rendering Failure');
  });

  it('marks a message a recipient complained about in the list, live', async () => {
    await page.goto(`${app.httpUrl}/#/messages`);
    await page.waitForSelector('#live.on');
    const id = await send('Complaint test', ['complaint@simulator.amazonses.com']);
    // Its delivery stays `delivered`: only the Complaint event tells.
    await page.locator(`tr[data-id="${id}"] [data-status="complained"]`).waitFor({ timeout: 45_000 });
    expect(await page.locator(`tr[data-id="${id}"] [data-status="delivered"]`).count()).toBe(1);
  });

  it('lists each attempt to publish a message’s events to its SNS topic and to deliver them to its subscriber, as they happen', async () => {
    const sns = new SNSClient({ endpoint: app.httpUrl, region: 'us-west-2', credentials: TEST_KEY });
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'ses-events' }));
    receiver = await startSnsReceiver();
    const { SubscriptionArn: pending } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: `${receiver.url}/ses` }));
    expect(pending).toBe('pending confirmation');
    const [confirmation] = await receiver.waitFor('/ses', 1, 'SubscriptionConfirmation');
    expect((await fetch((JSON.parse(confirmation!.body) as { SubscribeURL: string }).SubscribeURL)).status).toBe(200);
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'tracked' }));
    await ses.send(
      new CreateConfigurationSetEventDestinationCommand({
        ConfigurationSetName: 'tracked',
        EventDestinationName: 'to-sns',
        EventDestination: { Enabled: true, MatchingEventTypes: ['SEND', 'BOUNCE'], SnsDestination: { TopicArn } },
      }),
    );
    // SES's "Successfully validated SNS topic" notice comes first; then the application fails the
    // next notification, and sesd retries it.
    await receiver.waitFor('/ses', 1, 'Notification');
    receiver.answer('/ses', [500]);
    const id = await send('Bounce with notifications', ['bounce@simulator.amazonses.com'], 'tracked');
    // Opened at once: the Bounce is published after the page has loaded, and appears without a reload.
    await page.goto(`${app.httpUrl}/#/messages/${id}`);
    const bounce = page.locator('#publications tr[data-publication="Bounce"]');
    await bounce.waitFor({ timeout: 45_000 });
    const text = await bounce.textContent();
    expect(text).toContain('configuration-set/tracked/to-sns');
    expect(text).toContain(TopicArn);
    expect(await bounce.locator('td:last-child > [data-status]').getAttribute('data-status')).toBe('published');
    expect(await page.locator('#publications tr[data-publication="Send"]').count()).toBe(1);
    // The subscriber's answers, without a reload: 500 to one of the two notifications (Send and
    // Bounce are published nearly together), then 200 on its retry; 200 to the other.
    const retried = page.locator('#publications tr', { has: page.locator('li[data-outcome="retry"]') });
    await retried.waitFor({ timeout: 15_000 });
    expect(await retried.locator('li[data-outcome="retry"]').textContent()).toContain('HTTP 500');
    await retried.locator('li[data-outcome="delivered"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator('#publications li[data-outcome="delivered"]').count(), { timeout: 15_000 }).toBe(2);
    await shot(page, 'publications');
  });

  it('offers Older messages only while there are older ones', async () => {
    for (let i = 0; i < 55; i += 11) await Promise.all(Array.from({ length: 11 }, (_, j) => send(`Paged ${i + j}`, ['pat@example.net'])));
    await page.goto(`${app.httpUrl}/#/messages?q=${encodeURIComponent('subject:Paged')}`);
    const rows = page.locator('#message-rows tr');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(50);
    const older = page.getByRole('button', { name: 'Older messages' });
    expect(await older.isVisible()).toBe(true);
    await older.click();
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(55);
    // The last page: the button is hidden (CSS that gave buttons a display once overrode `hidden`).
    expect(await older.isVisible()).toBe(false);
  });

  it('folds the timelines of many recipients, keeping a bounce open', async () => {
    const to = [...Array.from({ length: 11 }, (_, i) => `reader${i}@example.net`), 'bounce@simulator.amazonses.com'];
    const id = await send('Newsletter', to);
    await page.goto(`${app.httpUrl}/#/messages/${id}`);
    await page.locator('details.recipient[data-recipient="bounce@simulator.amazonses.com"][open] li[data-event="Bounce"]').waitFor({ timeout: 45_000 });
    await page.locator('details.recipient[data-recipient="reader0@example.net"] [data-status="delivered"]').waitFor({ timeout: 45_000 });
    expect(await page.locator('details.recipient').count()).toBe(12);
    expect(await page.locator('details.recipient[open]').count()).toBe(1);
    // Opened by the reader, it stays open when the page redraws.
    await page.click('details.recipient[data-recipient="reader0@example.net"] summary');
    expect(await page.locator('details.recipient[data-recipient="reader0@example.net"] li[data-event="Delivery"]').isVisible()).toBe(true);
    await shot(page, 'many-recipients');
  });

  it('colours the statistics legend and keeps the time axis inside the chart', async () => {
    await page.goto(`${app.httpUrl}/#/statistics`);
    await page.waitForSelector('body[data-ready="statistics"] .legend .swatch');
    // The page's CSP refuses style="" attributes: the colours must come through anyway.
    const colours = (await page.evaluate(`[...document.querySelectorAll('.legend .swatch')].map((s) => getComputedStyle(s).backgroundColor)`)) as string[];
    expect(colours).toHaveLength(6);
    for (const c of colours) expect(c).not.toBe('rgba(0, 0, 0, 0)');
    const overflow = (await page.evaluate(
      `[...document.querySelectorAll('svg.chart text')].filter((t) => { const b = t.getBBox(); return b.x < 0 || b.x + b.width > 900; }).map((t) => t.textContent)`,
    )) as string[];
    expect(overflow).toEqual([]);
    await shot(page, 'statistics');
  });

  it('moves focus to the new page’s heading when a link is followed with the keyboard', async () => {
    const id = await send('Keyboard user', ['kim@example.net']);
    await page.goto(`${app.httpUrl}/#/messages`);
    const link = page.locator(`tr[data-id="${id}"] a`);
    await link.waitFor({ timeout: 15_000 });
    await link.focus();
    await page.keyboard.press('Enter');
    await page.locator('h1', { hasText: 'Keyboard user' }).waitFor();
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Keyboard user');
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('Messages');
    await page.locator('nav a[data-nav="queue"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('body[data-ready="queue"]');
    expect(await page.evaluate('document.activeElement && document.activeElement.tagName')).toBe('H1');
    expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('Queue');
  });

  it("moves between a message's tabs with the arrow keys, Home and End, one tab in the Tab order", async () => {
    const id = await send('Tabs by keyboard', ['tab@example.net']);
    await page.goto(`${app.httpUrl}/#/messages/${id}`);
    const selected = () => page.locator('[role="tab"][aria-selected="true"]').textContent();
    const tabs = page.locator('[role="tab"]');
    await tabs.first().waitFor({ timeout: 15_000 });
    expect(await tabs.allTextContents()).toEqual(['Text', 'Headers', 'Raw']);
    expect(await page.locator('[role="tab"][tabindex="0"]').count()).toBe(1);
    await page.locator('[role="tab"][aria-selected="true"]').focus();
    await page.keyboard.press('ArrowRight');
    expect(await selected()).toBe('Headers');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Headers');
    await page.locator('#tab-panel table.kv').waitFor();
    await page.keyboard.press('End');
    expect(await selected()).toBe('Raw');
    await page.keyboard.press('ArrowRight'); // wraps to the first
    expect(await selected()).toBe('Text');
    await page.keyboard.press('ArrowLeft'); // and back to the last
    expect(await selected()).toBe('Raw');
    await page.keyboard.press('Home');
    expect(await selected()).toBe('Text');
    expect(await page.locator('#tab-panel').getAttribute('aria-labelledby')).toBe('tab-text');
    expect(await page.locator('#tab-panel pre').textContent()).toContain('Text of Tabs by keyboard');
  });

  it('says a message does not exist, with a way back to the list', async () => {
    await page.goto(`${app.httpUrl}/#/messages/0100000000000000-00000000-0000-0000-0000-000000000000-000000`);
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 15_000 });
    expect(await alert.textContent()).toContain('does not exist');
    await page.getByRole('link', { name: '← Messages' }).click();
    await page.locator('h1', { hasText: 'Messages' }).waitFor();
  });

  it('shows no secret on any page or in the API it reads', async () => {
    // Asked for by everything above: a domain with an Easy DKIM key, SNS (signing key), the access key.
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'shop.example' }));
    const secrets = [TEST_KEY.secretAccessKey, smtpPassword(TEST_KEY.secretAccessKey, 'us-west-2'), 'PRIVATE KEY'];
    const seen: string[] = [];
    page.on('response', (r) => void r.text().then((t) => seen.push(t), () => undefined));
    for (const hash of ['#/messages', '#/identities', '#/configuration-sets', '#/suppression', '#/queue', '#/statistics']) {
      await page.goto(`${app.httpUrl}/${hash}`);
      await page.waitForSelector(`body[data-ready="${hash.slice(2)}"]`);
      seen.push(await page.content());
    }
    const { messages } = (await (await fetch(`${app.httpUrl}/_sesd/api/messages?limit=500`)).json()) as { messages: { id: string }[] };
    for (const m of messages.slice(0, 20)) seen.push(await (await fetch(`${app.httpUrl}/_sesd/api/messages/${m.id}`)).text());
    page.removeAllListeners('response');
    // The identities page's answer was read (with the domain's public DKIM key, not its private one).
    expect(seen.some((t) => t.includes('"identity":"shop.example"') && t.includes('v=DKIM1'))).toBe(true);
    for (const secret of secrets) expect(seen.filter((t) => t.includes(secret))).toEqual([]);
  });

  // Last: it deletes every message.
  it('says the list is empty after Clear all', async () => {
    await page.goto(`${app.httpUrl}/#/messages`);
    await page.locator('#message-rows tr').first().waitFor({ timeout: 15_000 });
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Clear all' }).click();
    await expect.poll(() => page.locator('#message-rows tr').count(), { timeout: 15_000 }).toBe(0);
    await page.getByText('No messages yet: send one and it appears here.').waitFor({ timeout: 5_000 });
    expect(await page.getByRole('button', { name: 'Older messages' }).isVisible()).toBe(false);
  });
});
