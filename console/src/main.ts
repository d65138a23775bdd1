// The console's entry: a hash router over the pages; each page may return a function that stops
// its live updates when another page opens.
import { getSession } from './api.js';
import { errorBox, h } from './dom.js';
import { messagePage } from './message.js';
import { messagesPage } from './messages.js';
import { configurationSetsPage, identitiesPage, queuePage, suppressionPage } from './resources.js';
import { statisticsPage } from './statistics.js';

let stop: (() => void) | void = undefined;
let navigation = 0;

async function route(moved = false): Promise<void> {
  const main = document.getElementById('main')!;
  const current = ++navigation;
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const params = new URLSearchParams(query);
  const [page = 'messages', id] = path.split('/');
  stop?.();
  stop = undefined;
  for (const a of document.querySelectorAll('[data-nav]')) {
    const current = a.getAttribute('data-nav') === (page || 'messages');
    a.classList.toggle('current', current);
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  // A page that finished loading after the next navigation began is stopped at once (its live
  // updates would otherwise stay connected).
  const keep = (stopPage: () => void) => (current === navigation ? (stop = stopPage) : stopPage());
  try {
    if ((page === 'messages' || page === '') && id) keep(await messagePage(main, decodeURIComponent(id)));
    else if (page === 'messages' || page === '') keep(await messagesPage(main, params));
    else if (page === 'identities') await identitiesPage(main, params);
    else if (page === 'suppression') await suppressionPage(main, params);
    else if (page === 'configuration-sets') await configurationSetsPage(main, params);
    else if (page === 'queue') await queuePage(main);
    else if (page === 'statistics') await statisticsPage(main, params);
    else main.replaceChildren(errorBox(`No page ${page}.`));
  } catch (err) {
    // A message that is gone (deleted, or a stale link) leaves a way back, not only the error.
    main.replaceChildren(...((page === 'messages' || page === '') && id ? [h('p', {}, h('a', { href: '#/messages' }, '← Messages'))] : []), errorBox(err));
  }
  if (current !== navigation) return;
  // The link that was followed is gone with the old page: without this, keyboard and screen-reader
  // focus falls back to the top of the document. Not on the first load (the address bar keeps it).
  if (moved) {
    const heading = main.querySelector('h1') ?? main;
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
  document.body.dataset.ready = page || 'messages';
}

/** Log out ends the session on the server; it is shown only when there is a password to log in with. */
async function showLogout(): Promise<void> {
  if ((await getSession()).loginRequired) document.getElementById('logout')!.hidden = false;
}

window.addEventListener('hashchange', () => void route(true));
void route();
void showLogout().catch(() => undefined);
