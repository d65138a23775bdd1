// One message: its HTML in a sandboxed frame (no scripts, no same-origin, served under a strict
// CSP; remote images only on request), text, headers, raw source, attachments, .eml download, and
// each recipient's delivery status with the timeline of its attempts and events.
import { get, getSession, send, url, type MessageSummary } from './api.js';
import { badge, bytes, errorBox, fill, h, time } from './dom.js';
import { onFeed } from './live.js';

interface Detail {
  message: MessageSummary;
  subject?: string;
  headers: { name: string; value: string }[];
  text: string | null;
  hasHtml: boolean;
  attachments: { index: number; filename: string | null; mimeType: string; disposition: string | null; size: number }[];
  recipients: {
    id: number;
    recipient: string;
    status: string;
    attempts: number;
    nextAttemptAt: number;
    lastResponse: string | null;
    timeline: { type: string; at: number; detail?: string; kind?: string }[];
  }[];
}

export async function messagePage(main: HTMLElement, id: string): Promise<() => void> {
  const [detail, session] = await Promise.all([get<Detail>(`/messages/${encodeURIComponent(id)}`), getSession()]);
  const m = detail.message;
  const base = `/messages/${encodeURIComponent(id)}`;
  const body = h('div', { class: 'tab-body' });
  const tabs: [string, () => Node | Promise<Node>][] = [];
  if (detail.hasHtml) tabs.push(['HTML', () => preview(base)]);
  if (detail.text !== null) tabs.push(['Text', () => h('pre', { class: 'text' }, detail.text)]);
  tabs.push(['Headers', () => h('table', { class: 'kv' }, detail.headers.map((x) => h('tr', {}, h('th', {}, x.name), h('td', {}, x.value))))]);
  tabs.push(['Raw', async () => h('pre', { class: 'text' }, await (await fetch(url(`${base}/raw`))).text())]);
  const tabBar = h('div', { class: 'tabs', role: 'tablist' });
  const show = async (i: number) => {
    for (const [j, b] of [...tabBar.children].entries()) b.setAttribute('aria-selected', String(i === j));
    try {
      body.replaceChildren(await tabs[i]![1]());
    } catch (err) {
      body.replaceChildren(errorBox(err));
    }
  };
  tabs.forEach(([name], i) => tabBar.appendChild(h('button', { type: 'button', role: 'tab', 'data-tab': name, onclick: () => void show(i) }, name)));

  const to = (k: 'ToAddresses' | 'CcAddresses' | 'BccAddresses') => (m.destination[k] ?? []).join(', ');
  const recipients = h('div', { id: 'recipients' }, recipientList(detail.recipients));
  fill(main,
    h('p', {}, h('a', { href: '#/messages' }, '← Messages')),
    h('h1', {}, detail.subject || m.subject || '(no subject)'),
    h(
      'table',
      { class: 'kv' },
      h('tr', {}, h('th', {}, 'From'), h('td', {}, m.fromHeader ?? m.envelopeFrom)),
      to('ToAddresses') && h('tr', {}, h('th', {}, 'To'), h('td', {}, to('ToAddresses'))),
      to('CcAddresses') && h('tr', {}, h('th', {}, 'Cc'), h('td', {}, to('CcAddresses'))),
      to('BccAddresses') && h('tr', {}, h('th', {}, 'Bcc'), h('td', {}, to('BccAddresses'))),
      h('tr', {}, h('th', {}, 'Accepted'), h('td', {}, `${time(m.createdAt)} via ${m.sourceApi} · account ${m.accountId} · ${m.region} · ${bytes(m.size)}`)),
      h('tr', {}, h('th', {}, 'Message ID'), h('td', { class: 'mono' }, m.id)),
      m.configurationSet && h('tr', {}, h('th', {}, 'Configuration set'), h('td', {}, m.configurationSet)),
      m.tags.length > 0 && h('tr', {}, h('th', {}, 'Tags'), h('td', {}, m.tags.map((t) => h('span', { class: 'tag' }, `${t.Name}=${t.Value}`)))),
    ),
    h(
      'p',
      { class: 'actions' },
      h('a', { class: 'button', href: url(`${base}/eml`), download: `${m.id}.eml` }, 'Download .eml'),
      session.deliveryMode === 'capture' &&
        h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: async () => {
              if (!confirm('Delete this message?')) return;
              await send('DELETE', base);
              location.hash = '#/messages';
            },
          },
          'Delete',
        ),
    ),
    detail.attachments.length > 0 &&
      h(
        'section',
        {},
        h('h2', {}, 'Attachments'),
        h('ul', { class: 'attachments' }, detail.attachments.map((a) => h('li', {}, h('a', { href: url(`${base}/attachments/${a.index}`), download: a.filename ?? '' }, a.filename ?? `part ${a.index}`), ` ${a.mimeType}, ${bytes(a.size)}${a.disposition === 'inline' ? ', inline' : ''}`))),
      ),
    h('section', {}, h('h2', {}, 'Recipients'), recipients),
    h('section', {}, h('h2', {}, 'Content'), tabBar, body),
  );
  if (tabs.length) await show(0);

  // The timeline grows as delivery goes on.
  const refresh = async () => {
    const fresh = await get<Detail>(base).catch(() => undefined);
    if (fresh) recipients.replaceChildren(recipientList(fresh.recipients));
  };
  return onFeed(
    { account: m.accountId, region: m.region },
    (kind, data) => {
      // A message whose first poll already saw it change (a quick bounce) comes as `message`, not `status`.
      if ((kind === 'status' || kind === 'message') && (data as MessageSummary).id === id) void refresh();
    },
    () => void refresh(),
  );
}

function preview(base: string): Node {
  // No allow-scripts, no allow-same-origin: the message cannot run code or reach the console.
  const frame = h('iframe', { sandbox: '', src: url(`${base}/html`), title: 'HTML preview', class: 'preview', referrerpolicy: 'no-referrer' });
  const remote = h(
    'button',
    {
      type: 'button',
      onclick: () => {
        frame.src = url(`${base}/html`, { remote: '1' });
        remote.remove();
      },
    },
    'Load remote images',
  );
  return h('div', {}, h('p', { class: 'muted' }, 'Remote images are blocked. ', remote), frame);
}

function recipientList(recipients: Detail['recipients']): Node {
  if (recipients.length === 0) return h('p', { class: 'muted' }, 'No envelope recipients.');
  return h(
    'div',
    {},
    recipients.map((r) =>
      h(
        'div',
        { class: 'recipient', 'data-recipient': r.recipient },
        h('h3', {}, r.recipient, ' ', badge(r.status), h('span', { class: 'muted' }, ` ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`)),
        h(
          'ol',
          { class: 'timeline' },
          r.timeline.map((e) => h('li', { 'data-event': e.type }, h('span', { class: 'when' }, time(e.at)), h('strong', {}, e.type), e.kind ? ` (${e.kind})` : '', e.detail ? h('div', { class: 'mono small' }, e.detail) : null)),
        ),
      ),
    ),
  );
}
