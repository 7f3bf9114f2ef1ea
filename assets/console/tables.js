// Editable tables for the connector form: params and headers ({name, value} rows) and renames.
import { h, uid } from '/admin/assets/dom.js';

export function pairTable(what, rows, fieldName) {
  const tbody = h('tbody');
  const addRow = (row = { name: '', value: '' }) => {
    const i = tbody.children.length;
    const nameId = uid('n');
    const valueId = uid('v');
    const tr = h('tr', {},
      h('td', {}, h('label', { for: nameId, class: 'visually-hidden' }, `${what} name`),
        h('input', { type: 'text', id: nameId, value: row.name, dataset: { field: `${fieldName}[${i}].name`, role: 'name' } })),
      h('td', {}, h('label', { for: valueId, class: 'visually-hidden' }, `${what} value`),
        h('input', { type: 'text', id: valueId, value: row.value, dataset: { field: `${fieldName}[${i}].value`, role: 'value' } })),
      h('td', {}, h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove ${what.toLowerCase()} row`,
        onclick: () => { tr.remove(); tbody.dispatchEvent(new Event('input', { bubbles: true })); } }, 'Remove')));
    tbody.append(tr);
  };
  rows.forEach(addRow);
  const el = h('div', { class: 'pairs' },
    h('h3', {}, `${what}s`),
    h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, `${what} name`), h('th', {}, `${what} value`), h('th', {}, ''))), tbody),
    h('div', { class: 'error', dataset: { errorFor: fieldName }, role: 'alert' }),
    h('button', { type: 'button', class: 'secondary', onclick: () => addRow() }, `Add ${what.toLowerCase()}`));
  const value = () => [...tbody.children].map((tr) => ({
    name: tr.querySelector('[data-role=name]').value.trim(), value: tr.querySelector('[data-role=value]').value,
  })).filter((r) => r.name || r.value);
  return { el, value };
}

export function renameTable(renames) {
  const table = pairTable('Event rename', Object.entries(renames ?? {}).map(([name, value]) => ({ name, value })), 'webhook.event_renames');
  return { el: table.el, value: () => Object.fromEntries(table.value().filter((r) => r.name).map((r) => [r.name, r.value])) };
}
