// A container's conversions: each with its status and the controls that change it (approve,
// reject, reverse, with a reason), filtered by status, newest first.
import { get, post } from '/admin/assets/api.js';
import { h, setCrumbs, when, emptyRow, toast } from '/admin/assets/dom.js';

const PAGE = 50;
// What each status may become (the lifecycle's transitions); reversed is final.
const NEXT = { received: ['approved', 'rejected', 'reversed'], approved: ['rejected', 'reversed'], rejected: ['approved'], reversed: [] };
const VERB = { approved: 'Approve', rejected: 'Reject', reversed: 'Reverse' };

export async function renderConversions(app, containerId, status = '') {
  const container = await get(`/containers/${containerId}`);
  setCrumbs({ text: 'Containers', href: '#/' }, { text: container.name, href: `#/containers/${containerId}` }, { text: 'Conversions' });
  const list = h('section', { class: 'card', 'aria-label': 'Conversions' });
  const filter = h('select', { id: 'status-filter', 'aria-label': 'Status' },
    ...['', 'received', 'approved', 'rejected', 'reversed'].map((s) => h('option', { value: s, selected: s === status }, s || 'Any status')));
  filter.addEventListener('change', () => drawConversions(list, containerId, filter.value));
  const reason = h('input', { id: 'status-reason', type: 'text', maxlength: 256, placeholder: 'e.g. refunded order' });
  app.replaceChildren(h('h1', {}, `Conversions of ${container.name}`),
    h('div', { class: 'row' }, h('label', { for: 'status-filter' }, 'Status'), filter,
      h('label', { for: 'status-reason' }, 'Reason for a change (optional)'), reason), list);
  await drawConversions(list, containerId, status);
}

async function drawConversions(section, containerId, status) {
  const page = await get(`/containers/${containerId}/events?limit=${PAGE}${status ? `&status=${status}` : ''}`);
  const rows = page.data.map((e) => h('tr', { dataset: { event: e.event_id } },
    h('td', {}, when(e.created_at)),
    h('td', {}, e.event_id),
    h('td', {}, e.name),
    h('td', {}, e.value == null ? '—' : `${e.value} ${e.currency ?? ''}`),
    h('td', {}, e.provenance),
    h('td', {}, h('span', { class: `badge ${e.status}` }, e.status)),
    h('td', { class: 'actions' }, ...NEXT[e.status].map((next) => h('button', {
      type: 'button', class: next === 'approved' ? '' : 'secondary',
      'aria-label': `${VERB[next]} ${e.event_id}`,
      onclick: async () => {
        const reason = document.getElementById('status-reason')?.value.trim() ?? '';
        try {
          await post(`/events/${e.id}/status`, { status: next, reason: reason || null });
          toast(`${e.event_id} is ${next}`);
          await drawConversions(section, containerId, status);
        } catch (err) { toast(err.message); }
      },
    }, VERB[next])))));
  section.replaceChildren(
    h('table', { id: 'conversions' }, h('thead', {}, h('tr', {}, ...['Time', 'Event id', 'Name', 'Value', 'Provenance', 'Status', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, rows.length ? rows : emptyRow(7, 'No conversions with this status.'))));
}
