// Daily counts in the container's time zone, drawn as small stacked-bar charts (inline SVG, no
// library) with the numbers beside them: a connector's reconciliation (every triggered postback
// accounted for) and the container overview (events per day by status).
import { get } from '/admin/assets/api.js';
import { h, setCrumbs, emptyRow } from '/admin/assets/dom.js';

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element; attributes only, never markup. */
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** The parts of a reconciliation day, in stacking order, with their colours. */
const DELIVERY_SERIES = [
  ['delivered', 'Delivered', '#1f7a3a'],
  ['test', 'Test mode', '#6b7280'],
  ['skipped', 'Skipped', '#b7791f'],
  ['failed', 'Failed', '#c0392b'],
  ['parked', 'Parked', '#7c3aed'],
  ['in_flight', 'In flight', '#2563eb'],
];

const EVENT_SERIES = [
  ['received', 'Received', '#2563eb'],
  ['approved', 'Approved', '#1f7a3a'],
  ['rejected', 'Rejected', '#b7791f'],
  ['reversed', 'Reversed', '#c0392b'],
];

const skippedTotal = (d) => Object.values(d.skipped ?? {}).reduce((a, b) => a + b, 0);
const valueOf = (d, key) => (key === 'skipped' && typeof d.skipped === 'object' ? skippedTotal(d) : d[key] ?? 0);

/**
 * A stacked bar per day. Every segment has a `<title>` (its day, part and count), and the chart
 * as a whole is labelled; the same numbers are in the table beside it.
 */
export function stackedBars(days, series, label) {
  const width = 600;
  const height = 160;
  const bottom = 2;
  const max = Math.max(1, ...days.map((d) => series.reduce((sum, [key]) => sum + valueOf(d, key), 0)));
  const step = width / Math.max(1, days.length);
  const bar = Math.max(2, step * 0.7);
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, class: 'daily-chart',
    preserveAspectRatio: 'none', width: '100%', height });
  svg.append(s('title', {}, label));
  days.forEach((d, i) => {
    let y = height - bottom;
    const x = i * step + (step - bar) / 2;
    const group = s('g', { 'data-day': d.day });
    for (const [key, name, colour] of series) {
      const n = valueOf(d, key);
      if (!n) continue;
      const tall = (n / max) * (height - bottom - 4);
      y -= tall;
      group.append(s('rect', { x: x.toFixed(1), y: y.toFixed(1), width: bar.toFixed(1), height: tall.toFixed(1), fill: colour,
        'data-part': key }, s('title', {}, `${d.day}: ${n} ${name.toLowerCase()}`)));
    }
    svg.append(group);
  });
  return svg;
}

/** The chart with its first and last day under it (HTML, so the text never stretches). */
function chart(days, series, label) {
  return h('figure', {}, stackedBars(days, series, label),
    h('figcaption', { class: 'chart-axis' }, h('span', {}, days[0]?.day ?? ''), h('span', {}, days.at(-1)?.day ?? '')),
    legend(series));
}

/** The colour key of a chart. */
function legend(series) {
  return h('ul', { class: 'legend' }, series.map(([, name, colour]) => h('li', {},
    s('svg', { width: 12, height: 12, 'aria-hidden': 'true' }, s('rect', { width: 12, height: 12, fill: colour })), ` ${name}`)));
}

/** The sum of each figure over the range. */
function totals(days, keys) {
  const sum = Object.fromEntries(keys.map((k) => [k, 0]));
  const reasons = {};
  for (const d of days) {
    for (const k of keys) sum[k] += valueOf(d, k);
    for (const [r, n] of Object.entries(typeof d.skipped === 'object' ? d.skipped : {})) reasons[r] = (reasons[r] ?? 0) + n;
  }
  return { sum, reasons };
}

/** A table of the days that had something, newest first. */
function dayTable(days, columns, caption) {
  const rows = days.filter((d) => columns.some(([k]) => valueOf(d, k))).reverse().map((d) => h('tr', {},
    h('th', { scope: 'row' }, d.day), ...columns.map(([k]) => h('td', {}, String(valueOf(d, k))))));
  return h('table', { class: 'daily-table' }, h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Day'), ...columns.map(([, name]) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, rows.length ? rows : emptyRow(columns.length + 1, 'Nothing in this range.')));
}

/**
 * The connector page's reconciliation: the last 30 days in the container's time zone, a chart
 * and the totals beside it (skipped by reason), and the per-day numbers in a disclosure.
 */
export function reconciliationSection(connectorId) {
  const section = h('section', { class: 'card', 'aria-label': 'Reconciliation', id: 'reconciliation' },
    h('h2', {}, 'Reconciliation'), h('p', { class: 'hint' }, 'Loading…'));
  const draw = async () => {
    const { data, time_zone: zone } = await get(`/connectors/${connectorId}/reconciliation`);
    const { sum, reasons } = totals(data, ['triggered', ...DELIVERY_SERIES.map(([k]) => k)]);
    const balanced = sum.triggered === DELIVERY_SERIES.reduce((a, [k]) => a + sum[k], 0);
    const facts = h('dl', { class: 'facts', id: 'reconciliation-totals' },
      h('dt', {}, 'Triggered'), h('dd', {}, String(sum.triggered)),
      ...DELIVERY_SERIES.flatMap(([k, name]) => [h('dt', {}, name), h('dd', { dataset: { part: k } }, String(sum[k]))]),
      ...Object.entries(reasons).flatMap(([r, n]) => [h('dt', { class: 'sub' }, `Skipped: ${r}`), h('dd', {}, String(n))]));
    section.replaceChildren(h('h2', {}, 'Reconciliation'),
      h('p', { class: 'hint' }, `The last 30 days in ${zone}. Every postback triggered is delivered, logged in test mode, skipped (with the reason), failed, parked or still in flight${balanced ? '' : ' (these figures do not add up: report it)'}.`),
      h('div', { class: 'chart-with-numbers' },
        chart(data, DELIVERY_SERIES, `Postbacks per day, last 30 days in ${zone}`),
        facts),
      h('details', {}, h('summary', {}, 'Per day'),
        dayTable(data, [['triggered', 'Triggered'], ...DELIVERY_SERIES.map(([k, n]) => [k, n])], 'Postbacks per day')));
  };
  draw().catch((err) => section.replaceChildren(h('h2', {}, 'Reconciliation'), h('p', { class: 'error', role: 'alert' }, err.message)));
  return section;
}

/** The container overview: events per day by status over the last 30 days. */
export async function renderOverview(app, containerId) {
  const [container, daily] = await Promise.all([get(`/containers/${containerId}`), get(`/containers/${containerId}/events/daily`)]);
  setCrumbs({ text: 'Containers', href: '#/' }, { text: container.name, href: `#/containers/${containerId}` }, { text: 'Overview' });
  const { data, time_zone: zone } = daily;
  const { sum } = totals(data, ['total', ...EVENT_SERIES.map(([k]) => k)]);
  app.replaceChildren(h('h1', {}, `${container.name}: overview`),
    h('section', { class: 'card', 'aria-label': 'Events per day', id: 'events-overview' },
      h('h2', {}, 'Events per day'),
      h('p', { class: 'hint' }, `The last 30 days in ${zone} (change it in the container's settings), by each event's current status.`),
      h('div', { class: 'chart-with-numbers' },
        chart(data, EVENT_SERIES, `Events per day by status, last 30 days in ${zone}`),
        h('dl', { class: 'facts', id: 'overview-totals' }, h('dt', {}, 'Events'), h('dd', {}, String(sum.total)),
          ...EVENT_SERIES.flatMap(([k, name]) => [h('dt', {}, name), h('dd', { dataset: { part: k } }, String(sum[k]))]))),
      dayTable(data, [['total', 'Events'], ...EVENT_SERIES.map(([k, n]) => [k, n])], 'Events per day by status')),
    h('p', {}, h('a', { href: `#/containers/${containerId}/conversions` }, 'Conversions and their status')));
}
