// Parts of the webhook log that answer questions: each row's whole story (request, response
// body, every attempt and the next retry), and re-evaluating a skipped delivery.
import { post } from '/admin/assets/api.js';
import { h, when, toast } from '/admin/assets/dom.js';

/** An expandable cell: the request as sent, the partner's answer, and every attempt. */
export function deliveryDetails(d) {
  const attempts = (d.attempts ?? []).map((a) => h('li', {},
    `#${a.attempt} ${when(a.time)}: ${a.response_code ?? 'no answer'}${a.latency_ms != null ? ` in ${a.latency_ms} ms` : ''}${a.error ? ` (${a.error})` : ''}`,
    a.response_body ? h('pre', { class: 'preview' }, a.response_body) : null));
  return h('details', { class: 'delivery-details' },
    h('summary', {}, h('span', { class: 'visually-hidden' }, `Delivery ${d.id}: `), 'Show'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Kind'), h('dd', {}, d.kind === 'test_webhook' ? 'Test webhook (not a real conversion)' : d.kind),
      h('dt', {}, 'Request'), h('dd', {}, h('pre', { class: 'preview' }, [`${d.method ?? ''} ${d.url ?? ''}`,
        ...(d.headers ?? []).map((x) => `${x.name}: ${x.value}`), d.body ? `\n${d.body}` : ''].join('\n'))),
      h('dt', {}, 'Response'), h('dd', {}, d.response_body ? h('pre', { class: 'preview' }, d.response_body) : '—'),
      h('dt', {}, 'Next retry'), h('dd', {}, d.next_attempt_at ? when(d.next_attempt_at) : '—'),
      h('dt', {}, 'Attempts'), h('dd', {}, attempts.length ? h('ol', {}, attempts) : 'none')));
}

/** For a skipped delivery of an event: run attribution again with today's set-up. */
export function reevaluateButton(d, after) {
  if (d.status !== 'skipped' || !d.event_row_id || d.kind !== 'event') return '';
  return h('button', { type: 'button', class: 'secondary', 'aria-label': `Re-evaluate delivery ${d.id}`, onclick: async () => {
    try {
      const r = await post(`/deliveries/${d.id}/reevaluate`);
      toast(r.status === 'skipped' ? `Still skipped: ${r.reason}` : `Re-evaluated: ${r.status}`);
      await after();
    } catch (err) { toast(err.message); }
  } }, 'Re-evaluate');
}

const STATUSES = ['', 'queued', 'retrying', 'delivered', 'failed', 'test', 'skipped'];

/** The log's filter bar: status, time range and a search by order id, click id or URL text.
 * `filter` is the current one; `apply(filter)` redraws the log with a new one. */
export function logFilters(filter, apply) {
  const status = h('select', { id: 'log-status' }, STATUSES.map((s) => h('option', { value: s, selected: s === (filter.status ?? '') }, s || 'any status')));
  const local = (ms) => (ms ? new Date(ms - new Date(ms).getTimezoneOffset() * 60000).toISOString().slice(0, 16) : '');
  const since = h('input', { type: 'datetime-local', id: 'log-since', value: local(filter.since) });
  const until = h('input', { type: 'datetime-local', id: 'log-until', value: local(filter.until) });
  const q = h('input', { type: 'search', id: 'log-search', value: filter.q ?? '', maxlength: 256, placeholder: 'order id, click id or URL text' });
  const label = (text, input) => h('div', { class: 'field' }, h('label', { for: input.id }, text), input);
  const form = h('form', { class: 'row log-filters', role: 'search', 'aria-label': 'Filter the log' },
    label('Status', status), label('From', since), label('Until', until), label('Search', q),
    h('button', { type: 'submit', class: 'secondary' }, 'Filter'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const time = (input) => (input.value ? new Date(input.value).getTime() : null);
    apply({ status: status.value || null, since: time(since), until: time(until), q: q.value.trim() || null });
  });
  return form;
}

/** The filter as a query string for the log endpoint. */
export function filterQuery(filter = {}) {
  return Object.entries(filter).filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `&${k}=${encodeURIComponent(v)}`).join('');
}

/** Downloads the rows shown as CSV. */
export function csvButton(rows, connector) {
  return h('button', { type: 'button', class: 'secondary', id: 'log-csv', onclick: () => {
    const cols = ['time', 'kind', 'status', 'reason', 'method', 'url', 'response_code', 'attempt', 'next_attempt_at', 'error', 'provenance', 'id'];
    const cell = (v) => { const t = v == null ? '' : String(v); return /[",\n\r]/.test(t) || /^[=+\-@]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t; };
    const text = [cols.join(','), ...rows.map((d) => cols.map((c) => cell(d[c])).join(','))].join('\r\n');
    const a = h('a', { href: URL.createObjectURL(new Blob([text], { type: 'text/csv' })), download: `webhook-log-${connector.id}.csv` });
    document.body.append(a); a.click(); a.remove();
  } }, 'Export CSV');
}
