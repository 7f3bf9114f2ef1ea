// One container: install snippets, connectors, API keys, webhook activity, a person's data and settings.
import { get, post, del } from '/admin/assets/api.js';
import { h, setCrumbs, field, showError, checkForm, copy, when, emptyRow, toast } from '/admin/assets/dom.js';
import { containerForm, installSnippet, installCheck } from '/admin/assets/containers.js';
import { privacySection } from '/admin/assets/privacy.js';
import { webhookDocs, useKey } from '/admin/assets/webhook_docs.js';

export async function renderContainer(app, id) {
  const container = await get(`/containers/${id}`);
  setCrumbs({ text: 'Containers', href: '#/' }, { text: container.name });
  const connectors = h('section', { class: 'card', 'aria-label': 'Connectors' });
  const keys = h('section', { class: 'card', 'aria-label': 'API keys' });
  const activity = h('section', { class: 'card', 'aria-label': 'Webhook activity' });
  const docs = h('section', { class: 'card', 'aria-label': 'Send conversions from your server', id: 'webhook-docs' });
  const check = h('section', { class: 'card', 'aria-label': 'Install check', id: 'install-check' });
  app.replaceChildren(
    h('h1', {}, container.name),
    h('p', {}, h('a', { href: `#/containers/${container.id}/conversions`, id: 'conversions-link' }, 'Conversions and their status'),
      ' · ', h('a', { href: `#/containers/${container.id}/overview`, id: 'overview-link' }, 'Overview: events per day')),
    h('section', { class: 'card', 'aria-label': 'Install' }, h('h2', {}, 'Install'), await installSnippet(container)),
    check, connectors, keys, docs, activity, privacySection(container),
    h('section', { class: 'card', 'aria-label': 'Settings' }, h('h2', {}, 'Settings'),
      containerForm(container, () => renderContainer(app, id))));
  await Promise.all([installCheck(check, container), drawConnectors(connectors, container), drawKeys(keys, container), drawActivity(activity, container), webhookDocs(docs, container)]);
}

const CONNECTOR_PAGE = 20;

async function drawConnectors(section, container, after = null, previous = [], previousUnreadable = []) {
  const query = `/containers/${container.id}/connectors?limit=${CONNECTOR_PAGE}${after ? `&after=${encodeURIComponent(after)}` : ''}`;
  const page = await get(query);
  const data = [...previous, ...page.data];
  const rows = data.map((c) => h('tr', {},
    h('td', {}, h('a', { href: `#/connectors/${c.id}` }, c.name)),
    h('td', {}, h('span', { class: `badge ${c.mode}` }, c.mode)),
    h('td', {}, c.trigger_events.join(', ') || '—'),
    h('td', {}, [c.webhook.enabled ? 'Webhook' : null, c.pixel.enabled ? (c.pixel.refused ? 'Pixel (refused: edit it)' : 'Pixel') : null].filter(Boolean).join(' + ') || '—')));
  // Saved under a rule since tightened: its postbacks are logged as failed until it is replaced.
  const unreadable = [...previousUnreadable, ...page.unreadable];
  const broken = unreadable.map((c) => h('tr', { class: 'unreadable' },
    h('td', {}, c.name),
    h('td', {}, h('span', { class: 'badge failed' }, 'unreadable')),
    h('td', { colspan: 2 }, `${c.reason}. Its postbacks are logged as failed: create it again and delete this one. `,
      h('button', { type: 'button', class: 'secondary', onclick: async () => {
        if (!confirm(`Delete the connector "${c.name}"?`)) return;
        await del(`/connectors/${c.id}`);
        toast('Connector deleted');
        drawConnectors(section, container);
      } }, 'Delete'))));
  section.replaceChildren(
    h('div', { class: 'row' }, h('h2', {}, 'Connectors'),
      h('div', { class: 'actions' }, h('a', { href: `#/containers/${container.id}/explain`, class: 'button secondary', id: 'why-not' }, 'Why didn’t it fire?'),
        h('a', { href: `#/containers/${container.id}/connectors/new`, class: 'button', id: 'new-connector' }, 'Add connector'))),
    h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Mode'), h('th', {}, 'Trigger events'), h('th', {}, 'Sends'))),
      h('tbody', {}, rows.length || broken.length ? [...rows, ...broken] : emptyRow(4, 'No connectors yet. Add one for each partner or pixel.'))),
    ...(page.next_after ? [h('div', { class: 'pager' }, h('button', { type: 'button', class: 'secondary',
      onclick: () => drawConnectors(section, container, page.next_after, data, unreadable) }, 'Show more connectors'))] : []));
}

async function drawKeys(section, container) {
  const { data } = await get(`/containers/${container.id}/api-keys`);
  const name = h('input', { type: 'text', placeholder: 'Backend prod', required: true });
  const limit = h('input', { type: 'number', min: 1, max: 100000, value: 60, required: true });
  const shown = h('div', { 'aria-live': 'polite' });
  const form = h('form', { 'aria-label': 'Create an API key', novalidate: true },
    h('div', { class: 'error', dataset: { errorFor: '_form' }, role: 'alert' }),
    h('div', { class: 'row' }, field('Key name', name, { name: 'name' }),
      field('Requests per minute', limit, { name: 'rate_limit_per_minute' }),
      h('button', { type: 'submit' }, 'Generate key')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!checkForm(form)) return;
    try {
      const created = await post(`/containers/${container.id}/api-keys`, { name: name.value, rate_limit_per_minute: Number(limit.value) });
      await drawKeys(section, container);
      useKey(created.key);
      section.querySelector('[aria-live]').replaceChildren(h('div', { class: 'key-once', id: 'new-api-key' },
        h('p', {}, 'Copy this key now: it is shown only once.'), h('code', {}, created.key), ' ',
        h('button', { type: 'button', class: 'secondary', onclick: () => copy(created.key, 'API key copied') }, 'Copy key')));
    } catch (err) { showError(form, err); }
  });
  const rows = data.map((k) => h('tr', {},
    h('td', {}, k.name), h('td', {}, h('code', {}, `${k.prefix}…`)), h('td', {}, String(k.rate_limit_per_minute)),
    h('td', {}, when(k.created_at)), h('td', {}, when(k.last_used_at)),
    h('td', {}, k.revoked_at ? h('span', { class: 'badge failed' }, `revoked ${when(k.revoked_at)}`)
      : h('button', { type: 'button', class: 'danger', 'aria-label': `Revoke key ${k.name}`, onclick: async () => {
        if (!confirm(`Revoke the key "${k.name}"? Requests using it will get 401.`)) return;
        await del(`/api-keys/${k.id}`); toast('Key revoked'); await drawKeys(section, container);
      } }, 'Revoke'))));
  section.replaceChildren(h('h2', {}, 'API keys'),
    h('p', { class: 'hint' }, `Webhook endpoints: ${location.origin}/webhook and ${location.origin}/webhooks/custom/${container.id}/{topic}`),
    form, shown,
    h('table', {}, h('thead', {}, h('tr', {}, ...['Name', 'Prefix', 'Limit/min', 'Created', 'Last used', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, rows.length ? rows : emptyRow(6, 'No API keys yet.'))));
}

async function drawActivity(section, container) {
  const { data, unauthenticated } = await get(`/containers/${container.id}/webhook-activity`);
  const rows = data.map((a) => h('tr', {},
    h('td', {}, when(a.received_at)), h('td', {}, h('span', { class: `badge ${a.status}` }, a.status)),
    h('td', {}, a.topic ?? '—'), h('td', {}, a.provenance ?? '—'), h('td', {}, a.session_matched ? 'yes' : 'no'),
    h('td', {}, String(a.http_status ?? ''))));
  const strangers = unauthenticated?.count
    ? h('p', { class: 'hint', id: 'unauthenticated-count' }, `${unauthenticated.count} request(s) without one of this container's keys since ${when(unauthenticated.since)} were refused (counted, not listed).`)
    : null;
  section.replaceChildren(
    h('div', { class: 'row' }, h('h2', {}, 'Recent webhook activity'),
      h('button', { type: 'button', class: 'secondary', onclick: () => drawActivity(section, container) }, 'Refresh')),
    h('table', {}, h('thead', {}, h('tr', {}, ...['Time', 'Status', 'Topic', 'Provenance', 'Session matched', 'HTTP'].map((t) => h('th', {}, t)))),
      h('tbody', {}, rows.length ? rows : emptyRow(6, 'No webhook requests yet.'))), ...(strangers ? [strangers] : []));
}
