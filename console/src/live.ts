// One EventSource to /_sesd/api/stream for the page that is open; the dot in the header says
// whether live updates are flowing.
type Listener = (kind: string, data: unknown) => void;

/**
 * `onOpen` runs each time the stream (re)connects: what changed before then was announced to others,
 * so a page asks again for what it shows.
 */
export function onFeed(filter: { account?: string; region?: string }, listener: Listener, onOpen?: () => void): () => void {
  const q = new URLSearchParams();
  if (filter.account) q.set('account', filter.account);
  if (filter.region) q.set('region', filter.region);
  const source = new EventSource(`/_sesd/api/stream${q.size ? `?${q}` : ''}`);
  const dot = document.getElementById('live');
  const mark = (on: boolean) => {
    if (dot) {
      dot.textContent = on ? '●' : '○';
      dot.className = on ? 'live on' : 'live';
      // The dot alone says nothing to a screen reader or on hover.
      dot.title = on ? 'Live updates: connected' : 'Live updates: not connected';
      dot.setAttribute('aria-label', dot.title);
    }
  };
  source.addEventListener('open', () => {
    mark(true);
    onOpen?.();
  });
  source.addEventListener('error', () => mark(false));
  for (const kind of ['message', 'status', 'deleted']) {
    source.addEventListener(kind, (e) => listener(kind, JSON.parse((e as MessageEvent<string>).data)));
  }
  return () => {
    source.close();
    mark(false);
  };
}
