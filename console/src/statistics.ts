// Sending statistics as a chart over time: one line per event type, drawn as SVG.
import { get } from './api.js';
import { h, time } from './dom.js';

interface Stats {
  since: number;
  bucketMs: number;
  buckets: { timestamp: number; counts: Record<string, number> }[];
}

const SERIES: [string, string][] = [
  ['Send', '#2563eb'],
  ['Delivery', '#16a34a'],
  ['Bounce', '#dc2626'],
  ['Complaint', '#9333ea'],
  ['Reject', '#ea580c'],
  ['DeliveryDelay', '#ca8a04'],
];

const SVG = 'http://www.w3.org/2000/svg';

export async function statisticsPage(main: HTMLElement, params: URLSearchParams): Promise<void> {
  const hours = params.get('hours') ?? '24';
  const stats = await get<Stats>('/statistics', { hours });
  const now = Date.now();
  const points: number[] = [];
  for (let t = stats.since; t <= now; t += stats.bucketMs) points.push(t);
  const byTime = new Map(stats.buckets.map((b) => [b.timestamp, b.counts]));
  const max = Math.max(1, ...stats.buckets.flatMap((b) => Object.values(b.counts)));
  const W = 900;
  const H = 260;
  const pad = 36;
  const x = (i: number) => pad + (i * (W - 2 * pad)) / Math.max(1, points.length - 1);
  const y = (n: number) => H - pad - (n * (H - 2 * pad)) / max;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Sending statistics');
  const line = (x1: number, y1: number, x2: number, y2: number, color: string) => {
    const l = document.createElementNS(SVG, 'line');
    Object.entries({ x1, y1, x2, y2, stroke: color }).forEach(([k, v]) => l.setAttribute(k, String(v)));
    svg.appendChild(l);
  };
  const label = (tx: number, ty: number, text: string, anchor = 'middle') => {
    const t = document.createElementNS(SVG, 'text');
    Object.entries({ x: tx, y: ty, 'text-anchor': anchor, 'font-size': 11, fill: '#666' }).forEach(([k, v]) => t.setAttribute(k, String(v)));
    t.textContent = text;
    svg.appendChild(t);
  };
  line(pad, H - pad, W - pad, H - pad, '#999');
  line(pad, pad, pad, H - pad, '#999');
  label(pad - 6, y(max) + 4, String(max), 'end');
  label(pad - 6, H - pad + 4, '0', 'end');
  // Anchored inward: centred on the chart's ends, the first and last times were cut off.
  label(x(0), H - pad + 18, time(points[0] ?? stats.since), 'start');
  label(x(points.length - 1), H - pad + 18, time(points.at(-1) ?? now), 'end');
  for (const [type, color] of SERIES) {
    const path = document.createElementNS(SVG, 'polyline');
    path.setAttribute('points', points.map((t, i) => `${x(i)},${y(byTime.get(t)?.[type] ?? 0)}`).join(' '));
    path.setAttribute('fill', 'none');
    path.setAttribute('stroke', color);
    path.setAttribute('stroke-width', '2');
    path.setAttribute('data-series', type);
    svg.appendChild(path);
  }
  const totals = Object.fromEntries(SERIES.map(([type]) => [type, stats.buckets.reduce((n, b) => n + (b.counts[type] ?? 0), 0)]));
  main.replaceChildren(
    h('h1', {}, 'Sending statistics'),
    h('p', { class: 'toolbar' }, ['24', '72', '168'].map((n) => h('a', { href: `#/statistics?hours=${n}`, class: n === hours ? 'button current' : 'button' }, `${Number(n) / 24 === 1 ? '24 hours' : `${Number(n) / 24} days`}`))),
    svg,
    h('ul', { class: 'legend' }, SERIES.map(([type, color]) => h('li', { 'data-series': type }, swatch(color), `${type}: ${totals[type]}`))),
  );
}

/**
 * The page's CSP (style-src 'self') refuses a style="" attribute, so the colour is set through the
 * CSSOM, which it allows.
 */
function swatch(color: string): HTMLElement {
  const el = h('span', { class: 'swatch' });
  el.style.background = color;
  return el;
}
