// The console in a real browser (Debian's Chromium, driven by playwright-core) against a started
// sesd. Screenshots go to test-artifacts/console/ (see the README).
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { CreateEmailIdentityCommand, SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { sesv2Client, startSesd, waitUntilReady } from '../support/sesd.js';
import { buildConsole } from '../support/console-build.js';
import { settled } from '../support/delivery-sesd.js';
import { spawnSesd, type SesdProcess } from '../support/sesd-process.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'console');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`[sesd tests] console browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

async function launch(): Promise<Browser> {
  // Root in CI and on the team's machines: Chromium's own sandbox needs user namespaces it lacks there.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

describe.skipIf(!hasChromium)('the console in Chromium', { timeout: 60_000 }, () => {
  let db: TestDatabase;
  let app: RunningApp;
  let ses: SESv2Client;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    buildConsole();
    db = await createTestDatabase('sqlite');
    // Delivery at normal priority: on a saturated machine a niced delivery thread can wait a long time.
    // Warnings and errors on stderr: a background failure (delivery, the live feed) then shows in
    // the test's output next to the assertion it broke.
    app = await startSesd(db, { SESD_REGION: 'us-west-2', SESD_DELIVERY_THREAD_NICE: '0' }, pino({ level: 'warn' }, pino.destination(2)));
    // The first test waits for a delivery: its time should not include the delivery thread's start.
    await waitUntilReady(app.httpUrl);
    ses = sesv2Client(app);
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.drop();
  });

  const send = async (subject: string, to: string, extra: { html?: string; tags?: { Name: string; Value: string }[] } = {}) =>
    (
      await ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'Shop <shop@example.com>',
          Destination: { ToAddresses: [to] },
          Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: `Text of ${subject}` }, ...(extra.html ? { Html: { Data: extra.html } } : {}) } } },
          EmailTags: extra.tags,
        }),
      )
    ).MessageId!;

  it('shows a message sent through the AWS SDK in the open list without a reload', async () => {
    await page.goto(`${app.httpUrl}/`);
    await page.waitForSelector('body[data-ready="messages"]');
    await page.waitForSelector('#live.on');
    const id = await send('Your order has shipped', 'carol@example.net', { tags: [{ Name: 'kind', Value: 'shipping' }] });
    const row = page.locator(`tr[data-id="${id}"]`);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain('Your order has shipped');
    await page
      .locator(`tr[data-id="${id}"] [data-status="delivered"]`)
      .waitFor({ timeout: 45_000 })
      .catch(async (err: Error) => {
        // Which side is behind: the store (not delivered yet) or the page (not told).
        const stored = await (await fetch(`${app.httpUrl}/_sesd/api/messages/${id}`)).text();
        throw new Error(`${err.message}\nthe row shows: ${await row.textContent()}\nsesd has: ${stored.slice(0, 2000)}`);
      });
    await shot(page, 'messages');
  });

  it('renders a message’s HTML in the sandboxed preview', async () => {
    const id = await send('Welcome aboard', 'dave@example.net', { html: '<h1 id="greeting" style="color:#0969da">Hello from the preview</h1><p>Thanks for joining.</p>' });
    await page.goto(`${app.httpUrl}/#/messages/${id}`);
    const heading = page.frameLocator('iframe.preview').locator('#greeting');
    await heading.waitFor();
    expect(await heading.textContent()).toBe('Hello from the preview');
    expect(await page.locator('iframe.preview').getAttribute('sandbox')).toBe('');
    await shot(page, 'message');
  });

  it('does not run a <script> in a message’s HTML', async () => {
    const html =
      '<p id="body">Scripted</p><script>document.body.setAttribute("data-ran", "1"); try { parent.sesdHacked = 1 } catch (e) {} ' +
      'parent.postMessage("ran", "*"); fetch("/_sesd/api/messages", { method: "DELETE" });</script><img src="x" onerror="document.body.setAttribute(\'data-ran\', \'2\')">';
    const id = await send('Scripted mail', 'eve@example.net', { html });
    await page.goto(`${app.httpUrl}/`);
    // Browser-side code as text: this file is type-checked for Node, not the DOM.
    await page.evaluate(`window.received = []; window.addEventListener('message', (e) => window.received.push(e.data));`);
    await page.goto(`${app.httpUrl}/#/messages/${id}`);
    const frame = page.frameLocator('iframe.preview');
    await frame.locator('#body').waitFor();
    await page.waitForTimeout(500);
    expect(await frame.locator('body').getAttribute('data-ran')).toBeNull();
    expect(await page.evaluate('typeof window.sesdHacked')).toBe('undefined');
    expect(await page.evaluate('window.received')).toEqual([]);
    expect((await fetch(`${app.httpUrl}/_sesd/api/messages/${id}`)).status).toBe(200);
  });

  it('shows the Bounce of a simulator bounce in the recipient’s timeline', async () => {
    const id = await send('Bounce test', 'bounce@simulator.amazonses.com');
    await page.goto(`${app.httpUrl}/#/messages/${id}`);
    const bounce = page.locator('.recipient[data-recipient="bounce@simulator.amazonses.com"] li[data-event="Bounce"]');
    await bounce.waitFor({ timeout: 45_000 });
    expect(await bounce.textContent()).toContain('Permanent');
    await shot(page, 'bounce-timeline');
  });

  it('finds messages by to: and tag:', async () => {
    await send('Invoice 1', 'frank@example.net', { tags: [{ Name: 'kind', Value: 'invoice' }] });
    await send('Invoice 2', 'grace@example.net', { tags: [{ Name: 'kind', Value: 'invoice' }] });
    await page.goto(`${app.httpUrl}/`);
    await page.fill('input[name="q"]', 'to:frank@example.net');
    await page.press('input[name="q"]', 'Enter');
    // No waitForFunction with a string: the console's CSP (script-src 'self') refuses its eval.
    await page.waitForURL(/to(%3A|:)frank/);
    // The new page replaces the old list: wait for the one matching row, not any row.
    await expect.poll(() => page.locator('#message-rows tr').count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator('#message-rows tr').allTextContents()).toEqual([expect.stringContaining('Invoice 1')]);
    await page.fill('input[name="q"]', 'tag:kind=invoice');
    await page.press('input[name="q"]', 'Enter');
    await expect.poll(() => page.locator('#message-rows tr').count(), { timeout: 15_000 }).toBe(2);
    const subjects = await page.locator('#message-rows tr td:nth-child(4) a').allTextContents();
    expect(subjects).toEqual(['Invoice 2', 'Invoice 1']);
    await shot(page, 'search');
  });

  it('shows a domain’s DKIM records on the identities page', async () => {
    const created = await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'shop.example' }));
    const tokens = created.DkimAttributes!.Tokens!;
    await page.goto(`${app.httpUrl}/#/identities`);
    const rows = page.locator('section[data-identity="shop.example"] tr[data-record-type="CNAME"]');
    await rows.first().waitFor({ timeout: 15_000 });
    const texts = await rows.allTextContents();
    expect(texts).toHaveLength(3);
    for (const [i, token] of tokens.entries()) {
      expect(texts[i]).toContain(`${token}._domainkey.shop.example`);
      expect(texts[i]).toContain(`${token}.dkim.sesd.local`);
    }
    await shot(page, 'identities');
  });
});

describe.skipIf(!hasChromium)('the console beyond loopback', { timeout: 60_000 }, () => {
  let db: TestDatabase;
  let app: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    buildConsole();
    db = await createTestDatabase('sqlite');
    app = await startSesd(db, { SESD_HTTP_HOST: '0.0.0.0', SESD_CONSOLE_PASSWORD: 'open sesame' });
    browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.drop();
  });

  it('asks for the password, then keeps an HttpOnly SameSite=Strict session', async () => {
    // Bound to 0.0.0.0, reached through 127.0.0.1: the server is not loopback-only.
    const url = app.httpUrl.replace('0.0.0.0', '127.0.0.1');
    expect((await fetch(`${url}/_sesd/api/messages`)).status).toBe(401);
    const page = await browser.newPage();
    await page.goto(`${url}/`);
    expect(page.url()).toBe(`${url}/_sesd/console/login`);
    await shot(page, 'login');
    await page.fill('input[name="password"]', 'wrong');
    await page.click('button[type="submit"]');
    await page.waitForSelector('.error');
    await page.fill('input[name="password"]', 'open sesame');
    await page.click('button[type="submit"]');
    await page.waitForSelector('body[data-ready="messages"]');
    expect(page.url()).toBe(`${url}/`);
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'sesd_console', httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate('document.cookie')).toBe('');

    // Log out ends the session on the server: a copy of the cookie taken before no longer works.
    const copied = `${cookie!.name}=${cookie!.value}`;
    expect((await fetch(`${url}/_sesd/api/messages`, { headers: { cookie: copied } })).status).toBe(200);
    await page.click('#logout button');
    await page.waitForURL(`${url}/_sesd/console/login`);
    expect((await fetch(`${url}/_sesd/api/messages`, { headers: { cookie: copied } })).status).toBe(401);
  });
});

/**
 * A TCP proxy to `port` whose connections the test can cut, refusing new ones until it is
 * reconnected: the page's event stream is lost as when a proxy or the network drops it.
 */
async function cuttableProxy(port: number): Promise<{ url: string; cut(): void; reconnect(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    reconnect: () => void (open = true),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe.skipIf(!hasChromium)('the console’s live list across a lost stream', { timeout: 60_000 }, () => {
  let db: TestDatabase;
  let api: RunningApp;
  let proxy: Awaited<ReturnType<typeof cuttableProxy>>;
  let worker: SesdProcess | undefined;
  let browser: Browser;

  beforeAll(async () => {
    buildConsole();
    db = await createTestDatabase('sqlite');
    // An API node only: the message stays queued until the test starts a worker.
    api = await startSesd(db, { SESD_ROLE: 'api' });
    proxy = await cuttableProxy(Number(new URL(api.httpUrl).port));
    browser = await launch();
  }, 60_000);
  afterAll(async () => {
    worker?.child.kill('SIGTERM');
    await worker?.exited;
    await browser?.close();
    proxy?.cut();
    await proxy?.close();
    await api?.close();
    await db?.drop();
  });

  it('shows a status that changed while its stream was lost once it reconnects', async () => {
    const page = await browser.newPage();
    await page.goto(`${proxy.url}/`);
    await page.waitForSelector('#live.on');
    const { MessageId: id } = await sesv2Client(api).send(
      // The mailbox simulator's recipient waits for the worker (capture mode delivers others at acceptance).
      new SendEmailCommand({ FromEmailAddress: 'shop@example.com', Destination: { ToAddresses: ['success@simulator.amazonses.com'] }, Content: { Simple: { Subject: { Data: 'While offline' }, Body: { Text: { Data: 'b' } } } } }),
    );
    await page.locator(`tr[data-id="${id}"] [data-status="queued"]`).waitFor({ timeout: 15_000 });

    proxy.cut();
    await page.waitForSelector('#live:not(.on)');
    worker = await spawnSesd({ SESD_ROLE: 'worker', SESD_DATA_DIR: db.dataDir, SESD_DATABASE_URL: db.databaseUrl, SESD_QUEUE_POLL_INTERVAL: '20ms', SESD_LOG_LEVEL: 'error' });
    await settled(api, id!);
    // Longer than the server's feed looks back (5 s): only the page's own catch-up can show it.
    await page.waitForTimeout(5_500);
    proxy.reconnect();
    await page.waitForSelector('#live.on', { timeout: 15_000 });
    await page.locator(`tr[data-id="${id}"] [data-status="delivered"]`).waitFor({ timeout: 15_000 });
  });
});
