// The webhook log of one connector: newest first, paginated, with replay.
import { get, post } from '/admin/assets/api.js';
import { h, when, emptyRow, toast } from '/admin/assets/dom.js';
import { deliveryDetails, reevaluateButton, logFilters, filterQuery, csvButton } from '/admin/assets/log_tools.js';

const PAGE = 20;

export async function drawLog(section, connector, { waitForNew = false, before = null, filter = section.filter ?? {} } = {}) {
  section.filter = filter;
  const query = `/connectors/${connector.id}/deliveries?limit=${PAGE}${before ? `&before=${encodeURIComponent(before)}` : ''}${filterQuery(filter)}`;
  let page = await get(query);
  if (waitForNew) {
    const known = section.dataset.newest;
    for (let i = 0; i < 30 && (page.data[0]?.id === known || ['queued', 'retrying'].includes(page.data[0]?.status)); i++) {
      await new Promise((r) => setTimeout(r, 500));
      page = await get(query);
    }
  }
  if (!before) section.dataset.newest = page.data[0]?.id ?? '';
  const rows = page.data.map((d) => h('tr', { dataset: { delivery: d.id } },
    h('td', {}, when(d.time)),
    h('td', {}, d.method ?? ''),
    h('td', { class: 'url' }, d.url ?? ''),
    h('td', { class: 'code' }, d.response_code == null ? '—' : String(d.response_code)),
    h('td', {}, h('span', { class: `badge ${d.status}` }, d.status)),
    h('td', {}, d.provenance ?? ''),
    h('td', {}, String(d.attempt ?? '')),
    h('td', {}, d.reason_message ?? d.reason ?? d.error ?? ''),
    h('td', {}, ['delivered', 'failed', 'test'].includes(d.status)
      ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Replay delivery ${d.id}`, onclick: async () => {
        if (!confirm(`Send this delivery to the partner again?\n\n${d.method ?? ''} ${d.url ?? ''}\n\nThe partner receives the same idempotency key.`)) return;
        try { await post(`/deliveries/${d.id}/replay`); toast('Replay queued'); await drawLog(section, connector, { waitForNew: true }); } catch (err) { toast(err.message); }
      } }, 'Replay') : reevaluateButton(d, () => drawLog(section, connector, { waitForNew: true }))),
    h('td', {}, deliveryDetails(d))));
  const next = page.next_before ?? null;
  section.replaceChildren(
    h('div', { class: 'row' }, h('h2', {}, 'Webhook log'),
      h('div', { class: 'actions' }, csvButton(page.data, connector),
        h('button', { type: 'button', class: 'secondary', onclick: () => drawLog(section, connector) }, 'Refresh'))),
    logFilters(filter, (next) => drawLog(section, connector, { filter: next })),
    h('div', { class: 'scroll' }, h('table', { id: 'webhook-log' }, h('thead', {}, h('tr', {}, ...['Time', 'Method', 'Full URL', 'Response', 'Status', 'Provenance', 'Attempt', 'Why / error', '', 'Details'].map((t) => h('th', {}, t)))),
      h('tbody', {}, rows.length ? rows : emptyRow(10, 'No deliveries yet. Use Test webhook, or wait for a trigger event.')))),
    h('div', { class: 'pager' },
      before ? h('button', { type: 'button', class: 'secondary', onclick: () => drawLog(section, connector) }, 'Newest') : null,
      next ? h('button', { type: 'button', class: 'secondary', onclick: () => drawLog(section, connector, { before: next }) }, 'Older') : null));
}
