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
