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
    timeline: TimelineEntry[];
  }[];
  /** Every event of the message; the only timeline of one that has no recipients (Rendering Failure). */
  events: TimelineEntry[];
  /** Each attempt to publish one of its events to a destination (SNS topic, EventBridge, ...). */
  publications: {
    eventId: number;
    eventType: string;
    destination: string;
    kind: string;
    target: string;
    attempt: number;
    status: string;
    statusCode?: number;
    latencyMs: number;
    error?: string;
    remoteId?: string;
    /** For a topic of sesd's own SNS: each attempt to deliver it to a subscription. */
    subscriberAttempts?: { subscriptionArn: string; attempt: number; at: number; outcome: string; statusCode: number | null; latencyMs: number; error: string | null }[];
    at: number;
  }[];
  pendingEvents: number;
}

interface TimelineEntry {
  type: string;
  at: number;
  detail?: string;
  kind?: string;
}

export async function messagePage(main: HTMLElement, id: string): Promise<() => void> {
  const [detail, session] = await Promise.all([get<Detail>(`/messages/${encodeURIComponent(id)}`), getSession()]);
  const m = detail.message;
  const base = `/messages/${encodeURIComponent(id)}`;
  const body = h('div', { class: 'tab-body', id: 'tab-panel', role: 'tabpanel', tabindex: 0 });
  const tabs: [string, () => Node | Promise<Node>][] = [];
  if (detail.hasHtml) tabs.push(['HTML', () => preview(base)]);
  if (detail.text !== null) tabs.push(['Text', () => h('pre', { class: 'text' }, detail.text)]);
  tabs.push([
    'Headers',
    () =>
      detail.headers.length === 0
        ? h('p', { class: 'muted' }, 'No headers: nothing was composed for this message (see its events above).')
        : h('table', { class: 'kv' }, detail.headers.map((x) => h('tr', {}, h('th', {}, x.name), h('td', {}, x.value)))),
  ]);
  tabs.push(['Raw', async () => h('pre', { class: 'text' }, await (await fetch(url(`${base}/raw`))).text())]);
  // The WAI-ARIA tabs pattern: one tab in the Tab order (the selected one), arrow keys, Home and
  // End move between tabs and select them, and the panel is labelled by its tab.
  const tabBar = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Message content', onkeydown: (e: Event) => void onTabKey(e as KeyboardEvent) });
  const tabButtons = tabs.map(([name], i) =>
    h('button', { type: 'button', role: 'tab', id: `tab-${name.toLowerCase()}`, 'aria-controls': 'tab-panel', 'data-tab': name, onclick: () => void show(i) }, name),
  );
  tabBar.append(...tabButtons);
  let shown = 0;
  const show = async (i: number) => {
    shown = i;
    for (const [j, b] of tabButtons.entries()) {
      b.setAttribute('aria-selected', String(i === j));
      b.tabIndex = i === j ? 0 : -1;
    }
    body.setAttribute('aria-labelledby', tabButtons[i]!.id);
    try {
      body.replaceChildren(await tabs[i]![1]());
    } catch (err) {
      body.replaceChildren(errorBox(err));
    }
  };
  const onTabKey = async (e: KeyboardEvent) => {
    const last = tabButtons.length - 1;
    const next = { ArrowRight: shown === last ? 0 : shown + 1, ArrowLeft: shown === 0 ? last : shown - 1, Home: 0, End: last }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    tabButtons[next]!.focus();
    await show(next);
  };

  const to = (k: 'ToAddresses' | 'CcAddresses' | 'BccAddresses') => (m.destination[k] ?? []).join(', ');
  const opened = new Map<string, boolean>();
  const recipients = h('div', { id: 'recipients' }, recipientList(detail, opened));
  const publications = h('div', { id: 'publications' }, publicationList(detail));
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
    h('section', {}, h('h2', {}, 'Event publishing'), publications),
    h('section', {}, h('h2', {}, 'Content'), tabBar, body),
  );
  if (tabs.length) await show(0);

  // The timeline grows as delivery goes on. Events are published after the status change that made
  // them, which the live feed does not announce: while some are pending, the page asks again.
  let poll: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const refresh = async () => {
    clearTimeout(poll);
    const fresh = await get<Detail>(base).catch(() => undefined);
    if (stopped) return;
    if (fresh) {
      recipients.replaceChildren(recipientList(fresh, opened));
      publications.replaceChildren(publicationList(fresh));
    }
    if (fresh && stillMoving(fresh)) poll = setTimeout(() => void refresh(), 2000);
  };
  if (stillMoving(detail)) poll = setTimeout(() => void refresh(), 2000);
  const stopFeed = onFeed(
    { account: m.accountId, region: m.region },
    (kind, data) => {
      // A message whose first poll already saw it change (a quick bounce) comes as `message`, not `status`.
      if ((kind === 'status' || kind === 'message') && (data as MessageSummary).id === id) void refresh();
    },
    () => void refresh(),
  );
  return () => {
    stopped = true;
    clearTimeout(poll);
    stopFeed();
  };
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

function timeline(entries: TimelineEntry[]): HTMLElement {
  return h(
    'ol',
    { class: 'timeline' },
    entries.map((e) => h('li', { 'data-event': e.type }, h('time', { class: 'when', datetime: new Date(e.at).toISOString() }, time(e.at)), h('strong', {}, e.type), e.kind ? ` (${e.kind})` : '', e.detail ? h('div', { class: 'mono small' }, e.detail) : null)),
  );
}

/** Above this many recipients, each one's timeline is folded under a one-line summary. */
const FOLD_RECIPIENTS = 10;

/** `opened`: recipients whose timeline the reader opened (true) or closed (false) by hand. */
function recipientList({ recipients, events }: Detail, opened: Map<string, boolean>): Node {
  const folded = recipients.length > FOLD_RECIPIENTS;
  // A template that failed to render, or a rejected message, queued no recipient: its events are
  // all there is to say why.
  if (recipients.length === 0) {
    return h(
      'div',
      { class: 'recipient', id: 'message-events' },
      h('p', { class: 'muted' }, events.length ? 'Nothing was queued for delivery. The message’s events:' : 'No envelope recipients.'),
      events.length ? timeline(events) : null,
    );
  }
  return h(
    'div',
    {},
    recipients.map((r) => {
      const heading = [r.recipient, ' ', badge(r.status), h('span', { class: 'muted' }, ` ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`)];
      if (!folded) return h('div', { class: 'recipient', 'data-recipient': r.recipient }, h('h3', {}, heading), timeline(r.timeline));
      // Many recipients: one line each, so the content below stays within reach; those whose
      // delivery went wrong (bounced, deferred, ...) are open, and a redraw keeps what the reader
      // opened or closed.
      const details = h('details', { class: 'recipient', 'data-recipient': r.recipient, open: opened.get(r.recipient) ?? !['queued', 'delivered'].includes(r.status) });
      // A click (or Enter/Space) on the summary is the reader's choice; it runs before the toggle.
      const summary = h('summary', { onclick: () => opened.set(r.recipient, !details.open) }, h('strong', {}, heading));
      details.append(summary, timeline(r.timeline));
      return details;
    }),
  );
}

function publicationList({ publications, pendingEvents, message }: Detail): Node {
  const pending = pendingEvents > 0 && h('p', { class: 'muted', 'data-pending': pendingEvents }, `${pendingEvents} event${pendingEvents === 1 ? '' : 's'} still to publish…`);
  if (publications.length === 0) {
    return h(
      'div',
      {},
      pending,
      !pending &&
        h('p', { class: 'muted' }, message.configurationSet ? `No event of this message was published: configuration set ${message.configurationSet} has no enabled destination for them.` : 'No event of this message was published: send with a configuration set that has an event destination (SNS, EventBridge, …) to be notified.'),
    );
  }
  return h(
    'div',
    {},
    pending,
    h(
      'table',
      { class: 'list' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Time'), h('th', {}, 'Event'), h('th', {}, 'Destination'), h('th', {}, 'Attempt'), h('th', {}, 'Result'))),
      h(
        'tbody',
        {},
        publications.map((p) =>
          h(
            'tr',
            { 'data-publication': p.eventType, 'data-attempt': p.attempt },
            h('td', { class: 'nowrap' }, h('time', { datetime: new Date(p.at).toISOString() }, time(p.at))),
            h('td', {}, p.eventType),
            h('td', {}, p.destination, h('div', { class: 'mono small muted' }, `${p.kind} → ${p.target}`)),
            h('td', {}, p.attempt),
            h(
              'td',
              {},
              badge(p.status),
              ` ${p.statusCode ? `HTTP ${p.statusCode} · ` : ''}${p.latencyMs} ms`,
              p.error ? h('div', { class: 'mono small' }, p.error) : null,
              p.remoteId ? h('div', { class: 'mono small muted' }, `id ${p.remoteId}`) : null,
              p.subscriberAttempts && subscriberList(p.subscriberAttempts),
            ),
          ),
        ),
      ),
    ),
  );
}

function subscriberList(attempts: NonNullable<Detail['publications'][number]['subscriberAttempts']>): Node {
  if (attempts.length === 0) return h('div', { class: 'muted small' }, 'No delivery to a subscription yet (there is none for a topic without confirmed subscriptions, or one sesd forwards to an upstream SNS).');
  return h(
    'ul',
    { class: 'subscribers small' },
    attempts.map((a) =>
      h(
        'li',
        { 'data-subscription': a.subscriptionArn, 'data-outcome': a.outcome },
        h('time', { class: 'when', datetime: new Date(a.at).toISOString() }, time(a.at)),
        `→ ${a.subscriptionArn.split(':').slice(-2).join(':')} `,
        badge(a.outcome),
        ` attempt ${a.attempt}${a.statusCode ? ` · HTTP ${a.statusCode}` : ''} · ${a.latencyMs} ms`,
        a.error ? h('div', { class: 'mono' }, a.error) : null,
      ),
    ),
  );
}

/** How long after its last publication the page keeps asking whether subscribers got it (SNS retries). */
const SUBSCRIBER_WATCH_MS = 90_000;

/**
 * Whether the page should ask again: events still to publish, or a publication to an SNS topic
 * whose subscribers have not all answered yet (none tried, or the last try to be retried). The
 * live feed announces neither.
 */
function stillMoving(d: Detail): boolean {
  if (d.pendingEvents > 0) return true;
  const sns = d.publications.filter((p) => p.subscriberAttempts);
  const last = Math.max(0, ...sns.flatMap((p) => [p.at, ...p.subscriberAttempts!.map((a) => a.at)]));
  if (Date.now() - last > SUBSCRIBER_WATCH_MS) return false;
  return sns.some((p) => {
    const latest = new Map(p.subscriberAttempts!.map((a) => [a.subscriptionArn, a.outcome]));
    return latest.size === 0 || [...latest.values()].includes('retry');
  });
}
