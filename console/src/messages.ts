// The message list: newest first, searched with the search syntax, paged by cursor, and kept live
// by the server's event stream (new messages appear on top, statuses change in place).
import { get, getSession, send, type MessageSummary } from './api.js';
import { badge, errorBox, h, time } from './dom.js';
import { onFeed } from './live.js';

interface Page {
  messages: MessageSummary[];
  nextCursor?: string;
}

export async function messagesPage(main: HTMLElement, params: URLSearchParams): Promise<() => void> {
  const q = params.get('q') ?? '';
  const account = params.get('account') ?? '';
  const region = params.get('region') ?? '';
  const session = await getSession();
  const search = h('input', { type: 'search', name: 'q', value: q, placeholder: 'from: to: subject: tag:name=value set: status: before: after: or words', 'aria-label': 'Search', class: 'grow' });
  const accountInput = h('input', { name: 'account', value: account, placeholder: 'account', size: 13, 'aria-label': 'Account' });
  const regionInput = h('input', { name: 'region', value: region, placeholder: 'region', size: 10, 'aria-label': 'Region' });
  const form = h(
    'form',
    {
      class: 'toolbar',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const next = new URLSearchParams();
        if (search.value.trim()) next.set('q', search.value.trim());
        if (accountInput.value.trim()) next.set('account', accountInput.value.trim());
        if (regionInput.value.trim()) next.set('region', regionInput.value.trim());
        location.hash = `#/messages${next.size ? `?${next}` : ''}`;
      },
    },
    search,
    accountInput,
    regionInput,
    h('button', { type: 'submit' }, 'Search'),
    session.deliveryMode === 'capture' ? h('button', { type: 'button', class: 'danger', onclick: () => void clearAll() }, 'Clear all') : null,
  );
  const tbody = h('tbody', { id: 'message-rows' });
  const more = h('button', { type: 'button', hidden: true }, 'Older messages');
  const status = h('p', { class: 'muted' });
  main.replaceChildren(
    h('h1', {}, 'Messages'),
    form,
    h('table', { class: 'list', id: 'messages' }, h('thead', {}, h('tr', {}, h('th', {}, 'Time'), h('th', {}, 'From'), h('th', {}, 'To'), h('th', {}, 'Subject'), h('th', {}, 'Status'))), tbody),
    status,
    more,
  );

  const shown = new Map<string, HTMLTableRowElement>();
  const query = { q, account, region };
  let cursor: string | undefined;
  const load = async () => {
    try {
      const page = await get<Page>('/messages', { ...query, cursor });
      for (const m of page.messages) if (!shown.has(m.id)) tbody.appendChild(track(m));
      cursor = page.nextCursor;
      more.hidden = !cursor;
      status.textContent = shown.size === 0 ? (q ? 'No message matches this search.' : 'No messages yet: send one and it appears here.') : '';
    } catch (err) {
      status.replaceChildren(errorBox(err));
    }
  };
  more.addEventListener('click', () => void load());
  const track = (m: MessageSummary) => {
    const tr = row(m);
    shown.set(m.id, tr);
    return tr;
  };
  /** Redraws a shown message with what the server says now (its statuses change in place). */
  const update = (m: MessageSummary) => {
    const old = shown.get(m.id);
    if (old) old.replaceWith(track(m));
  };

  // A new message is shown at once when there is no search; with a search, the first page is asked
  // again (one bounded query) so only matching messages appear. So it is when the stream
  // (re)connects: what changed while it was down was announced to no one, so the rows already
  // shown are redrawn from that page too, not only the new ones added.
  let refresh: ReturnType<typeof setTimeout> | undefined;
  const refreshTop = () => {
    clearTimeout(refresh);
    refresh = setTimeout(async () => {
      const page = await get<Page>('/messages', query).catch(() => undefined);
      for (const m of [...(page?.messages ?? [])].reverse()) {
        if (shown.has(m.id)) update(m);
        else tbody.prepend(track(m));
      }
      if (shown.size) status.textContent = '';
    }, 250);
  };
  const stop = onFeed({ account, region }, (kind, data) => {
    if (kind === 'message') {
      // A message already shown is announced again after the server's feed restarts (no console
      // listened for a moment): it carries the statuses of now.
      const m = data as MessageSummary;
      if (shown.has(m.id)) update(m);
      else if (q) refreshTop();
      else {
        tbody.prepend(track(m));
        status.textContent = '';
      }
    } else if (kind === 'status') {
      update(data as MessageSummary);
    } else if (kind === 'deleted') {
      const id = (data as { id: string | null }).id;
      for (const [key, tr] of shown) {
        if (id === null || key === id) {
          tr.remove();
          shown.delete(key);
        }
      }
      // After Clear all the table would stand empty with no word of why.
      if (id === null) {
        cursor = undefined;
        more.hidden = true;
      }
      if (shown.size === 0 && more.hidden) status.textContent = q ? 'No message matches this search.' : 'No messages yet: send one and it appears here.';
    }
  }, refreshTop);

  async function clearAll() {
    if (!confirm('Delete every stored message? This cannot be undone.')) return;
    try {
      await send('DELETE', '/messages');
    } catch (err) {
      status.replaceChildren(errorBox(err));
    }
  }

  await load();
  return () => {
    clearTimeout(refresh);
    stop();
  };
}

function row(m: MessageSummary): HTMLTableRowElement {
  const to = [...(m.destination.ToAddresses ?? []), ...(m.destination.CcAddresses ?? []), ...(m.destination.BccAddresses ?? [])];
  const open = () => (location.hash = `#/messages/${encodeURIComponent(m.id)}`);
  return h(
    'tr',
    { 'data-id': m.id, class: 'link', onclick: open },
    h('td', { class: 'nowrap' }, time(m.createdAt)),
    h('td', {}, m.fromHeader ?? m.envelopeFrom),
    h('td', {}, to.length > 2 ? `${to.slice(0, 2).join(', ')} +${to.length - 2}` : to.join(', ')),
    h('td', {}, h('a', { href: `#/messages/${encodeURIComponent(m.id)}` }, m.subject || '(no subject)'), m.tags.length ? h('span', { class: 'tags' }, m.tags.map((t) => h('span', { class: 'tag' }, `${t.Name}=${t.Value}`))) : null),
    h(
      'td',
      {},
      Object.entries(m.statuses).map(([s, n]) => badge(s, n)),
      // Not delivery statuses, but what a reader scans the list for: why nothing was sent, a complaint.
      m.failure ? h('span', { class: 'badge s-failed', 'data-status': 'failure' }, m.failure) : null,
      m.complaints ? badge('complained', m.complaints) : null,
    ),
  );
}
