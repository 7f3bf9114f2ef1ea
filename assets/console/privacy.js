// A person's data in one container: export everything held about them, or erase it.
import { get, post } from '/admin/assets/api.js';
import { h, field, select, showError, clearErrors, toast } from '/admin/assets/dom.js';

const KINDS = [['email', 'Email'], ['phone', 'Phone'], ['external_id', 'External id'], ['visitor_id', 'Visitor id']];

export function privacySection(container) {
  const kind = select(KINDS, 'email', { id: 'subject-kind' });
  const value = h('input', { type: 'text', id: 'subject-value', required: true, placeholder: 'jane@example.com' });
  const result = h('div', { id: 'subject-result', 'aria-live': 'polite' });
  const form = h('form', { 'aria-label': 'A person\'s data' },
    h('div', { class: 'error', dataset: { errorFor: '_form' }, role: 'alert' }),
    h('div', { class: 'row' }, field('Identify the person by', kind), field('Value', value, { name: 'subject' })),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', id: 'export-subject', class: 'secondary' }, 'Export data'),
      h('button', { type: 'button', id: 'erase-subject', class: 'danger', onclick: () => erase() }, 'Erase data')));
  const subject = () => ({ [kind.value]: value.value.trim() });
  const failed = (err) => {
    // The API names the identifier's field (email, phone, ...): show it on the value input.
    showError(form, err.field && KINDS.some(([k]) => k === err.field) ? Object.assign(err, { field: 'subject' }) : err);
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      const query = new URLSearchParams(subject()).toString();
      const data = await get(`/containers/${container.id}/subjects?${query}`);
      const json = JSON.stringify(data, null, 2);
      const href = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
      const counts = ['events', 'clicks', 'identities', 'deliveries'].map((k) => `${data[k].length} ${k}`).join(', ');
      result.replaceChildren(h('p', {}, `Found ${data.visitors.length} visitor(s): ${counts}.`),
        h('a', { href, download: `postclick-subject-${data.subject.hash.slice(0, 12)}.json`, class: 'button secondary' }, 'Download JSON'),
        h('pre', { class: 'snippet', id: 'subject-export' }, json));
    } catch (err) { failed(err); }
  });
  async function erase() {
    clearErrors(form);
    if (!value.value.trim()) { value.focus(); return; }
    if (!confirm(`Erase everything held about this ${kind.selectedOptions[0].text.toLowerCase()} in ${container.name}? This cannot be undone.`)) return;
    try {
      const done = await post(`/containers/${container.id}/erasures`, subject());
      toast('Data erased');
      result.replaceChildren(h('p', {}, `Erasure ${done.id} (first requested ${new Date(done.requested_at).toLocaleString()}). Removed:`),
        h('table', { id: 'erasure-removed' }, h('thead', {}, h('tr', {}, h('th', {}, 'Table'), h('th', {}, 'Rows'))),
          h('tbody', {}, ...Object.entries(done.removed).map(([table, n]) => h('tr', {}, h('td', {}, table), h('td', {}, String(n)))))));
    } catch (err) { failed(err); }
  }
  return h('section', { class: 'card', 'aria-label': 'Privacy' }, h('h2', {}, 'A person\'s data'),
    h('p', { class: 'hint' }, 'Export everything held about one person (a data subject access request), or erase it everywhere. Erasure keeps only what reconciliation counts and is recorded as a hash.'),
    form, result);
}
