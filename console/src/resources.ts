// Identities (with the DNS records to publish and what sesd's resolver sees now), the suppression
// list, configuration sets and the delivery queue.
import { get, send } from './api.js';
import { badge, errorBox, fill, h, time } from './dom.js';
import { scopeParams, scopePicker } from './scope.js';

interface IdentityView {
  identity: string;
  type: string;
  verificationStatus: string;
  dkim: { origin: string; status: string; signingEnabled: boolean };
  mailFrom: { domain: string | null };
  /** purpose: dkim, dkim-txt-alternative, byodkim, domain-verification, mail-from-mx or mail-from-spf. */
  records: { purpose: string; type: string; name: string; value: string; seen?: string; answers?: string[] }[];
}

export async function identitiesPage(main: HTMLElement, params: URLSearchParams): Promise<void> {
  const { scope, picker } = await scopePicker(params, 'identities');
  main.replaceChildren(h('h1', {}, 'Identities'), picker, h('p', { class: 'muted' }, 'Looking up DNS records…'));
  const { identities } = await get<{ identities: IdentityView[] }>('/identities', scopeParams(scope));
  fill(main,
    h('h1', {}, 'Identities'),
    picker,
    identities.length === 0 ? h('p', { class: 'muted' }, 'No identities in this account and region: create one with CreateEmailIdentity.') : null,
    identities.map((i) =>
      h(
        'section',
        { class: 'card identity', 'data-identity': i.identity },
        h('h2', {}, i.identity, ' ', h('span', { class: 'muted' }, i.type === 'DOMAIN' ? 'domain' : 'email address')),
        h('p', {}, 'Verification ', badge(i.verificationStatus.toLowerCase()), i.type === 'DOMAIN' ? [' · DKIM ', badge(i.dkim.status.toLowerCase()), ` (${i.dkim.origin === 'AWS_SES' ? 'Easy DKIM' : 'your own key'}, signing ${i.dkim.signingEnabled ? 'on' : 'off'})`] : null),
        i.records.length > 0 &&
          h(
            'table',
            { class: 'list records' },
            h('thead', {}, h('tr', {}, h('th', {}, 'For'), h('th', {}, 'Type'), h('th', {}, 'Name'), h('th', {}, 'Value'), h('th', {}, 'In DNS now'))),
            h(
              'tbody',
              {},
              i.records.map((r) => {
                // Easy DKIM's TXT record with the public key is an alternative to the CNAME at the same name.
                const alternative = r.purpose === 'dkim-txt-alternative';
                return h(
                  'tr',
                  { 'data-record-type': r.type, 'data-purpose': r.purpose },
                  h('td', {}, alternative ? 'dkim' : r.purpose, alternative ? h('div', { class: 'muted small' }, 'or, instead of the CNAME') : null),
                  h('td', {}, r.type),
                  h('td', { class: 'mono' }, r.name),
                  h('td', { class: 'mono value' }, alternative ? h('details', {}, h('summary', {}, 'TXT with the public key'), r.value) : r.value),
                  h('td', {}, r.seen ? badge(r.seen) : '', r.seen === 'different' || r.seen === 'error' ? h('div', { class: 'muted small mono' }, (r.answers ?? []).join(' | ')) : null),
                );
              }),
            ),
          ),
      ),
    ),
  );
}

interface Suppressed {
  emailAddress: string;
  reason: string;
  lastUpdate: number;
  messageId: string | null;
}

export async function suppressionPage(main: HTMLElement, params: URLSearchParams): Promise<void> {
  const { scope, picker } = await scopePicker(params, 'suppression');
  const { entries } = await get<{ entries: Suppressed[] }>('/suppression', scopeParams(scope));
  const address = h('input', { type: 'email', name: 'emailAddress', required: true, placeholder: 'address@example.com', 'aria-label': 'Address' });
  const reason = h('select', { name: 'reason', 'aria-label': 'Reason' }, h('option', {}, 'BOUNCE'), h('option', {}, 'COMPLAINT'));
  const note = h('div', {});
  const reload = () => suppressionPage(main, params);
  fill(main,
    h('h1', {}, 'Suppression list'),
    picker,
    h(
      'form',
      {
        class: 'toolbar',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          try {
            await send('POST', '/suppression', { emailAddress: address.value, reason: reason.value }, scopeParams(scope));
            await reload();
          } catch (err) {
            note.replaceChildren(errorBox(err));
          }
        },
      },
      address,
      reason,
      h('button', { type: 'submit' }, 'Add'),
    ),
    note,
    entries.length === 0
      ? h('p', { class: 'muted' }, 'Nobody is suppressed in this account and region.')
      : h(
          'table',
          { class: 'list' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Address'), h('th', {}, 'Reason'), h('th', {}, 'Since'), h('th', {}, ''))),
          h(
            'tbody',
            {},
            entries.map((e) =>
              h(
                'tr',
                { 'data-address': e.emailAddress },
                h('td', {}, e.emailAddress),
                h('td', {}, e.reason),
                h('td', {}, time(e.lastUpdate)),
                h(
                  'td',
                  {},
                  h(
                    'button',
                    {
                      type: 'button',
                      onclick: async () => {
                        if (!confirm(`Remove ${e.emailAddress} from the suppression list?`)) return;
                        await send('DELETE', `/suppression/${encodeURIComponent(e.emailAddress)}`, undefined, scopeParams(scope)).catch((err: unknown) => note.replaceChildren(errorBox(err)));
                        await reload();
                      },
                    },
                    'Remove',
                  ),
                ),
              ),
            ),
          ),
        ),
  );
}

interface SetView {
  name: string;
  createdAt: number;
  options: Record<string, unknown>;
  eventDestinations: { Name: string; Enabled: boolean; MatchingEventTypes: string[]; [kind: string]: unknown }[];
}

export async function configurationSetsPage(main: HTMLElement, params: URLSearchParams): Promise<void> {
  const { scope, picker } = await scopePicker(params, 'configuration-sets');
  const { configurationSets } = await get<{ configurationSets: SetView[] }>('/configuration-sets', scopeParams(scope));
  fill(main,
    h('h1', {}, 'Configuration sets'),
    picker,
    configurationSets.length === 0 ? h('p', { class: 'muted' }, 'No configuration sets in this account and region.') : null,
    configurationSets.map((s) =>
      h(
        'section',
        { class: 'card', 'data-set': s.name },
        h('h2', {}, s.name),
        h('p', { class: 'muted' }, `Created ${time(s.createdAt)}`, ' · ', h('a', { href: `#/messages?q=${encodeURIComponent(`set:${s.name}`)}` }, 'its messages')),
        h('details', {}, h('summary', {}, 'Options'), h('pre', { class: 'text' }, JSON.stringify(s.options, null, 2))),
        h('h3', {}, 'Event destinations'),
        s.eventDestinations.length === 0
          ? h('p', { class: 'muted' }, 'None.')
          : h(
              'ul',
              {},
              s.eventDestinations.map((d) => {
                const kind = Object.keys(d).find((k) => k.endsWith('Destination')) ?? 'destination';
                return h('li', {}, h('strong', {}, d.Name), ` — ${kind.replace(/Destination$/, '')}${d.Enabled ? '' : ' (disabled)'}: ${d.MatchingEventTypes.join(', ')}`, h('div', { class: 'mono small' }, JSON.stringify(d[kind])));
              }),
            ),
      ),
    ),
  );
}

interface Queued {
  id: number;
  messageId: string;
  subject: string | null;
  recipient: string;
  status: string;
  attempts: number;
  nextAttemptAt: number;
  lastResponse: string | null;
  locked: boolean;
}

export async function queuePage(main: HTMLElement): Promise<void> {
  const { recipients } = await get<{ recipients: Queued[] }>('/queue');
  const note = h('div', {});
  const act = async (r: Queued, action: 'retry' | 'cancel') => {
    if (action === 'cancel' && !confirm(`Stop delivering to ${r.recipient}?`)) return;
    try {
      await send('POST', `/queue/${r.id}/${action}`);
      await queuePage(main);
    } catch (err) {
      note.replaceChildren(errorBox(err));
    }
  };
  fill(main,
    h('h1', {}, 'Queue'),
    note,
    recipients.length === 0
      ? h('p', { class: 'muted' }, 'Nothing is waiting for delivery.')
      : h(
          'table',
          { class: 'list' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Recipient'), h('th', {}, 'Message'), h('th', {}, 'Status'), h('th', {}, 'Attempts'), h('th', {}, 'Next attempt'), h('th', {}, 'Last reply'), h('th', {}, ''))),
          h(
            'tbody',
            {},
            recipients.map((r) =>
              h(
                'tr',
                { 'data-delivery': r.id },
                h('td', {}, r.recipient),
                h('td', {}, h('a', { href: `#/messages/${encodeURIComponent(r.messageId)}` }, r.subject || r.messageId)),
                h('td', {}, badge(r.status), r.locked ? ' (being delivered)' : ''),
                h('td', {}, r.attempts),
                h('td', { class: 'nowrap' }, time(r.nextAttemptAt)),
                h('td', { class: 'mono small' }, r.lastResponse ?? ''),
                h('td', { class: 'nowrap' }, h('button', { type: 'button', disabled: r.locked, onclick: () => void act(r, 'retry') }, 'Retry now'), ' ', h('button', { type: 'button', class: 'danger', disabled: r.locked, onclick: () => void act(r, 'cancel') }, 'Cancel')),
              ),
            ),
          ),
        ),
  );
}
