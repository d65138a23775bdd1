// The console's JSON API (/_sesd/api, docs/console-api.md) against a started sesd, on both
// databases: what scripts and the console's pages get.
import { CreateEmailIdentityCommand, PutEmailIdentityMailFromAttributesCommand, SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { sesv2Client, startSesd } from '../support/sesd.js';
import { buildConsole } from '../support/console-build.js';

interface Summary {
  id: string;
  subject: string;
  tags: { Name: string; Value: string }[];
  statuses: Record<string, number>;
}

describe.each(DIALECTS)('console API (%s)', (dialect) => {
  let db: TestDatabase;
  let dns: DnsServer;
  let app: RunningApp;
  let ses: SESv2Client;
  let api: (path: string, init?: RequestInit) => Promise<Response>;
  let csrf: string;

  beforeAll(async () => {
    buildConsole();
    db = await createTestDatabase(dialect);
    dns = await startDnsServer();
    app = await startSesd(db, { SESD_DNS_SERVERS: dns.address, SESD_IDENTITY_RECHECK_SECONDS: '3600', SESD_DELIVERY_THREAD_NICE: '0' });
    ses = sesv2Client(app);
    api = (path, init) => fetch(`${app.httpUrl}/_sesd/api${path}`, init);
    csrf = ((await (await api('/session')).json()) as { csrfToken: string }).csrfToken;
  });
  afterAll(async () => {
    await app?.close();
    await dns?.close();
    await db?.drop();
  });

  const send = (subject: string, to: string[], extra: { tags?: { Name: string; Value: string }[]; html?: string } = {}) =>
    ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'sender@example.com',
        Destination: { ToAddresses: to },
        Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: `text of ${subject}` }, ...(extra.html ? { Html: { Data: extra.html } } : {}) } } },
        EmailTags: extra.tags,
      }),
    );
  const list = async (query = '') => {
    const res = await api(`/messages${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as { messages: Summary[]; nextCursor?: string };
  };
  // Delivery runs in its own thread; on a busy machine it may take a while to settle a recipient.
  const eventually = async <T>(fn: () => Promise<T | undefined>): Promise<T> => {
    for (let i = 0; i < 450; i++) {
      const v = await fn();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('timed out');
  };

  it('gives a browser the console at /, while AWS requests to / still reach the API', async () => {
    const page = await fetch(`${app.httpUrl}/`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('/_sesd/console/app.js');
    expect((await fetch(`${app.httpUrl}/_sesd/console/app.js`)).status).toBe(200);
    for (const [path, headers] of [
      ['/?Action=GetSendQuota', { accept: 'text/html' }],
      ['/', {}],
    ] as const) {
      const aws = await fetch(`${app.httpUrl}${path}`, { headers });
      expect(aws.status).toBe(403);
      expect(await aws.text()).toContain('MissingAuthenticationToken');
    }
  });

  it('lists messages newest first in cursor pages, without their bodies', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await send(`page ${n}`, [`page${n}@example.net`])).MessageId!);
    const first = await list('?q=subject:page&limit=2');
    expect(first.messages.map((m) => m.subject)).toEqual(['page 3', 'page 2']);
    expect(first.messages[0]).not.toHaveProperty('raw');
    const second = await list(`?q=subject:page&limit=2&cursor=${first.nextCursor}`);
    expect(second.messages.map((m) => m.subject)).toEqual(['page 1']);
    expect(second.nextCursor).toBeUndefined();
  });

  it('finds messages by to:, tag:, status:, from: and free text, and rejects a bad search with 400', async () => {
    await send('for alice', ['alice@example.net'], { tags: [{ Name: 'campaign', Value: 'spring' }] });
    await send('for bob', ['bob@example.net'], { tags: [{ Name: 'campaign', Value: 'autumn' }] });
    expect((await list('?q=to:alice@example.net')).messages.map((m) => m.subject)).toEqual(['for alice']);
    expect((await list('?q=to:bob@')).messages.map((m) => m.subject)).toEqual(['for bob']);
    expect((await list('?q=tag:campaign=autumn')).messages.map((m) => m.subject)).toEqual(['for bob']);
    expect((await list('?q=tag:campaign')).messages.map((m) => m.subject)).toEqual(['for bob', 'for alice']);
    expect((await list(`?q=${encodeURIComponent('"for alice"')}`)).messages.map((m) => m.subject)).toEqual(['for alice']);
    expect((await list('?q=from:nobody@example.com')).messages).toEqual([]);
    expect((await list('?q=to:alice@example.net&account=111122223333')).messages).toEqual([]);
    const delivered = await eventually(async () => {
      const found = (await list('?q=status:delivered to:alice@example.net')).messages;
      return found.length ? found : undefined;
    });
    expect(delivered[0]!.statuses).toEqual({ delivered: 1 });
    const bad = await api('/messages?q=status:lost');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('status:lost');
    expect((await api('/messages?cursor=nonsense')).status).toBe(400);
  }, 60_000);

  it('shows one message: parts, headers, attachments, and each recipient with its timeline up to a simulator Bounce', async () => {
    const { MessageId } = await send('bounce me', ['bounce@simulator.amazonses.com'], { html: '<p>Hello <img src="https://tracker.example/x.png"></p>' });
    const detail = await eventually(async () => {
      const d = (await (await api(`/messages/${MessageId}`)).json()) as {
        text: string;
        hasHtml: boolean;
        headers: { name: string; value: string }[];
        recipients: { recipient: string; status: string; timeline: { type: string; detail?: string; kind?: string }[] }[];
      };
      return d.recipients[0]?.status === 'bounced' ? d : undefined;
    });
    expect(detail.text).toContain('text of bounce me');
    expect(detail.hasHtml).toBe(true);
    expect(detail.headers.find((h) => h.name.toLowerCase() === 'subject')?.value).toBe('bounce me');
    const timeline = detail.recipients[0]!.timeline;
    expect(timeline.map((e) => e.type)).toEqual(['Send', 'Bounce']);
    expect(timeline[1]).toMatchObject({ kind: 'Permanent / General' });
    expect(timeline[1]!.detail).toMatch(/550/);
  }, 60_000);

  it('serves the HTML under a CSP that blocks scripts and remote loads, and the raw source and .eml as downloads', async () => {
    const { MessageId } = await send('html', ['html@example.net'], { html: '<p>hi</p><script>parent.hacked = 1</script>' });
    const html = await api(`/messages/${MessageId}/html`);
    expect(html.status).toBe(200);
    const csp = html.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('img-src data: cid:;');
    expect(csp).toMatch(/sandbox$/);
    expect(csp).not.toContain('script-src');
    expect((await api(`/messages/${MessageId}/html?remote=1`)).headers.get('content-security-policy')).toContain('img-src data: cid: http: https:');
    const raw = await api(`/messages/${MessageId}/raw`);
    expect(raw.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await raw.text()).toContain('Subject: html');
    const eml = await api(`/messages/${MessageId}/eml`);
    expect(eml.headers.get('content-type')).toBe('message/rfc822');
    expect(eml.headers.get('content-disposition')).toContain(`${MessageId}.eml`);
    expect((await api('/messages/nope/raw')).status).toBe(404);
  });

  it('needs the CSRF token for changes, refuses another origin, and deletes one message', async () => {
    const { MessageId } = await send('delete me', ['delete@example.net']);
    expect((await api(`/messages/${MessageId}`, { method: 'DELETE' })).status).toBe(403);
    expect((await api(`/messages/${MessageId}`, { method: 'DELETE', headers: { 'x-sesd-csrf': 'wrong' } })).status).toBe(403);
    expect((await api(`/messages/${MessageId}`, { method: 'DELETE', headers: { 'x-sesd-csrf': csrf, origin: 'http://evil.example' } })).status).toBe(403);
    expect((await api(`/messages/${MessageId}`, { method: 'DELETE', headers: { 'x-sesd-csrf': csrf } })).status).toBe(204);
    expect((await api(`/messages/${MessageId}`)).status).toBe(404);
  });

  it('lists a domain identity with the DNS records to publish and whether DNS has them now, never its private key', async () => {
    const created = await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'console.example' }));
    await ses.send(new PutEmailIdentityMailFromAttributesCommand({ EmailIdentity: 'console.example', MailFromDomain: 'mail.console.example' }));
    const tokens = created.DkimAttributes!.Tokens!;
    dns.zone[`${tokens[0]}._domainkey.console.example`] = { CNAME: [`${tokens[0]}.dkim.sesd.local`] };
    dns.zone[`${tokens[1]}._domainkey.console.example`] = { CNAME: ['elsewhere.example'] };
    const res = await api('/identities?region=us-west-2');
    const body = await res.text();
    expect(body).not.toContain('PRIVATE KEY');
    const identity = (JSON.parse(body) as { identities: { identity: string; records: { purpose: string; type: string; name: string; value: string; seen: string }[] }[] }).identities.find(
      (i) => i.identity === 'console.example',
    )!;
    const cnames = identity.records.filter((r) => r.type === 'CNAME');
    expect(cnames.map((r) => [r.name, r.value, r.seen])).toEqual([
      [`${tokens[0]}._domainkey.console.example`, `${tokens[0]}.dkim.sesd.local`, 'found'],
      [`${tokens[1]}._domainkey.console.example`, `${tokens[1]}.dkim.sesd.local`, 'different'],
      [`${tokens[2]}._domainkey.console.example`, `${tokens[2]}.dkim.sesd.local`, 'missing'],
    ]);
    expect(identity.records.find((r) => r.purpose === 'domain-verification')).toMatchObject({ type: 'TXT', name: '_amazonses.console.example', seen: 'missing' });
    expect(identity.records.filter((r) => r.purpose.startsWith('mail-from-')).map((r) => [r.type, r.name, r.value])).toEqual([
      ['MX', 'mail.console.example', '10 sesd.test'],
      ['TXT', 'mail.console.example', 'v=spf1 a:sesd.test ~all'],
    ]);
  });

  it('adds to, lists and removes from the suppression list', async () => {
    const headers = { 'x-sesd-csrf': csrf, 'content-type': 'application/json' };
    expect((await api('/suppression', { method: 'POST', headers, body: JSON.stringify({ emailAddress: 'not an address' }) })).status).toBe(400);
    expect((await api('/suppression', { method: 'POST', headers, body: JSON.stringify({ emailAddress: 'gone@example.net', reason: 'COMPLAINT' }) })).status).toBe(200);
    const listed = (await (await api('/suppression')).json()) as { entries: { emailAddress: string; reason: string }[] };
    expect(listed.entries).toMatchObject([{ emailAddress: 'gone@example.net', reason: 'COMPLAINT' }]);
    expect((await api('/suppression/gone@example.net', { method: 'DELETE', headers: { 'x-sesd-csrf': csrf } })).status).toBe(204);
    expect((await api('/suppression/gone@example.net', { method: 'DELETE', headers: { 'x-sesd-csrf': csrf } })).status).toBe(404);
  });

  it('streams new messages and status changes as Server-Sent Events', async () => {
    const abort = new AbortController();
    const res = await api('/stream', { signal: abort.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const { MessageId } = await send('streamed', ['stream@example.net']);
    let text = '';
    const decoder = new TextDecoder();
    while (!(text.includes(`"id":"${MessageId}"`) && text.includes('"delivered":1'))) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    abort.abort();
    expect(text).toMatch(new RegExp(`event: message\\ndata: \\{"id":"${MessageId}"`));
    expect(text).toContain('"delivered":1');
  }, 60_000);

  it('counts sends and deliveries over time', async () => {
    const stats = (await (await api('/statistics?hours=1&bucket=60')).json()) as { buckets: { counts: Record<string, number> }[] };
    const total = (type: string) => stats.buckets.reduce((n, b) => n + (b.counts[type] ?? 0), 0);
    expect(total('Send')).toBeGreaterThanOrEqual(5);
    expect(total('Bounce')).toBe(1);
  });

  it('clears every message in capture mode', async () => {
    const res = await api('/messages', { method: 'DELETE', headers: { 'x-sesd-csrf': csrf } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { deleted: number }).deleted).toBeGreaterThan(0);
    expect((await list()).messages).toEqual([]);
  });
});
