// The why-not explorer: find a container's events by order id, click id or email, and see for
// each connector whether it fired, why not in plain words, and what to change.
import { get } from '/admin/assets/api.js';
import { h, setCrumbs, field, select, when, emptyRow } from '/admin/assets/dom.js';
import { reevaluateButton } from '/admin/assets/log_tools.js';

/** Verdicts that are not a skipped delivery, so there is nothing to re-evaluate. */
const NOT_SKIPPED = ['delivered', 'pending', 'failed', 'test_mode', 'not_triggered', 'nothing_enabled', 'not_recorded', 'pixel_only'];

const KINDS = [['event_id', 'Order or conversion id'], ['click_id', 'Click id'], ['email', 'Email']];

export async function renderExplain(app, containerId) {
  const container = await get(`/containers/${containerId}`);
  setCrumbs({ text: 'Containers', href: '#/' }, { text: container.name, href: `#/containers/${containerId}` }, { text: 'Why not?' });
  const kind = select(KINDS, 'event_id', { id: 'explain-kind' });
  const value = h('input', { type: 'search', id: 'explain-value', required: true, maxlength: 256, placeholder: 'SO-1001' });
  const results = h('div', { id: 'explain-results', 'aria-live': 'polite' });
  const form = h('form', { class: 'card', 'aria-label': 'Find an event', role: 'search' },
    h('p', { class: 'hint' }, 'Find a conversion and see, for each connector, whether it fired, why not, and what to change.'),
    h('div', { class: 'row' }, field('Search by', kind, { name: 'kind' }), field('Value', value, { name: 'value' }),
      h('button', { type: 'submit', id: 'explain-search' }, 'Explain')),
    h('div', { class: 'error', dataset: { errorFor: '_form' }, role: 'alert' }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    form.querySelector('[data-error-for="_form"]').textContent = '';
    results.replaceChildren(h('p', { class: 'hint' }, 'Searching…'));
    try {
      const answer = await get(`/containers/${containerId}/explain?${kind.value}=${encodeURIComponent(value.value.trim())}`);
      const again = () => form.requestSubmit();
      results.replaceChildren(...(answer.events.length ? answer.events.map((ev) => eventCard(ev, again))
        : [h('p', { class: 'card', id: 'explain-none' }, 'No event of this container matches. Check the value, or that the shop sent the conversion to this container.')]));
    } catch (err) {
      results.replaceChildren();
      form.querySelector('[data-error-for="_form"]').textContent = err.message;
    }
  });
  app.replaceChildren(h('h1', {}, 'Why didn’t a connector fire?'), form, results);
  value.focus();
}

function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== '')
    .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function eventCard(e, again) {
  const clicks = e.clicks.map((c) => h('li', {}, h('code', {}, `${c.param}=${c.value}`), ' ',
    c.carried ? '(sent with the event)' : `(landing, ${when(c.at)})`));
  const rows = e.connectors.map((c) => h('tr', { dataset: { connector: c.connector_id, code: c.code } },
    h('th', { scope: 'row' }, h('a', { href: `#/connectors/${c.connector_id}` }, c.name), ' ', h('span', { class: `badge ${c.mode}` }, c.mode)),
    h('td', {}, h('span', { class: `badge ${c.fired ? 'delivered' : 'skipped'}` }, c.fired ? 'fired' : 'not fired')),
    h('td', { class: 'reason' }, c.reason),
    h('td', { class: 'fix' }, c.fix ?? '—', ' ', c.delivery_id && !NOT_SKIPPED.includes(c.code)
      ? reevaluateButton({ id: c.delivery_id, status: 'skipped', event_row_id: e.row_id, kind: 'event' }, again) : null)));
  return h('section', { class: 'card explained', 'aria-label': `Event ${e.event_id}`, dataset: { event: e.event_id } },
    h('h2', {}, `${e.name} · ${e.event_id}`),
    facts([
      ['When', when(e.created_at)],
      ['Value', e.value == null ? null : `${e.value} ${e.currency ?? ''}`],
      ['Provenance', `${e.provenance} (through ${e.source}${e.topic ? `/${e.topic}` : ''})`],
      ['Status', e.status],
      ['Confirmed', e.confirmed_at ? when(e.confirmed_at) : null],
      ['Consent to advertising', e.consent_advertising ? 'yes' : 'refused'],
      ['Visitor', e.visitor_id ? `${e.visitor_id} (matched by ${e.matched_by ?? '—'})` : 'no visitor matched'],
    ]),
    e.match_hint ? h('p', { class: 'warning', role: 'note' }, e.match_hint) : null,
    h('h3', {}, 'Clicks'), clicks.length ? h('ul', { class: 'clicks' }, clicks) : h('p', { class: 'hint' }, 'No clicks known for this event.'),
    h('h3', {}, 'Connectors'),
    h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {}, ...['Connector', 'Fired', 'Why', 'What to change'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.length ? rows : emptyRow(4, 'This container has no connectors.')))));
}
