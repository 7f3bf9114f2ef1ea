// DOM helpers. Values only ever become text nodes or attribute values: never innerHTML.
let idCounter = 0;

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export const uid = (prefix) => `${prefix}-${++idCounter}`;

/** A labelled input with a slot for the API's error on this field (`data-field`). */
export function field(label, input, { hint, name } = {}) {
  const id = input.id || uid('f');
  input.id = id;
  if (name) input.dataset.field = name;
  const errorId = `${id}-error`;
  input.setAttribute('aria-describedby', errorId);
  return h('div', { class: 'field' },
    h('label', { for: id }, label, hint ? h('span', { class: 'hint' }, ` ${hint}`) : null),
    input,
    h('div', { class: 'error', id: errorId, role: 'alert', dataset: { errorFor: name ?? '' } }));
}

export function checkbox(label, checked, name) {
  const input = h('input', { type: 'checkbox', id: uid('c'), checked, dataset: { field: name ?? '' } });
  return { input, el: h('label', { class: 'check', for: input.id }, input, label) };
}

export function select(options, value, attrs = {}) {
  return h('select', attrs, options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
}

/** Shows an API error next to the field it names, or at the top of the form. */
export function showError(form, err) {
  clearErrors(form);
  const target = err.field
    ? form.querySelector(`[data-error-for="${CSS.escape(err.field)}"]`)
      ?? form.querySelector(`[data-error-for="${CSS.escape(err.field.replace(/\[\d+\].*$/, ''))}"]`)
    : null;
  const slot = target ?? form.querySelector('[data-error-for="_form"]');
  if (slot) slot.textContent = err.field && !target ? `${err.field}: ${err.message}` : err.message;
  const input = err.field ? form.querySelector(`[data-field="${CSS.escape(err.field)}"]`) : null;
  if (input) { input.setAttribute('aria-invalid', 'true'); input.focus(); }
}

export function clearErrors(form) {
  form.querySelectorAll('[data-error-for]').forEach((e) => { e.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
}

export function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove('show'), 2500);
}

export async function copy(text, what = 'Copied') {
  try { await navigator.clipboard.writeText(text); toast(`${what} to the clipboard`); } catch { toast('Select the text and copy it'); }
}

export const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');

export function emptyRow(cols, text) {
  return h('tr', {}, h('td', { colspan: cols, class: 'empty' }, text));
}

/** The breadcrumb trail in the header; the last item is the current page. */
export function setCrumbs(...items) {
  document.getElementById('crumbs').replaceChildren(...items.flatMap((item, i) => [
    i ? ' / ' : '',
    item.href ? h('a', { href: item.href }, item.text) : h('span', { 'aria-current': 'page' }, item.text),
  ]));
}
