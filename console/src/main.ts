// The console's entry: a hash router over the pages; each page may return a function that stops
// its live updates when another page opens.
import { getSession } from './api.js';
import { errorBox } from './dom.js';
import { messagePage } from './message.js';
import { messagesPage } from './messages.js';
import { configurationSetsPage, identitiesPage, queuePage, suppressionPage } from './resources.js';
import { statisticsPage } from './statistics.js';

let stop: (() => void) | void = undefined;
let navigation = 0;

async function route(): Promise<void> {
  const main = document.getElementById('main')!;
  const current = ++navigation;
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const params = new URLSearchParams(query);
  const [page = 'messages', id] = path.split('/');
  stop?.();
  stop = undefined;
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('current', a.getAttribute('data-nav') === (page || 'messages'));
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
    main.replaceChildren(errorBox(err));
  }
  if (current === navigation) document.body.dataset.ready = page || 'messages';
}

/** Log out ends the session on the server; it is shown only when there is a password to log in with. */
async function showLogout(): Promise<void> {
  if ((await getSession()).loginRequired) document.getElementById('logout')!.hidden = false;
}

window.addEventListener('hashchange', () => void route());
void route();
void showLogout().catch(() => undefined);
