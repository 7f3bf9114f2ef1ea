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

/** A labelled input with a slot for the API's error on this field (`data-field`). A required
 * input (`required`) is marked "(required)" in its label; see `setRequired`. */
export function field(label, input, { hint, name } = {}) {
  const id = input.id || uid('f');
  input.id = id;
  if (name) input.dataset.field = name;
  const errorId = `${id}-error`;
  input.setAttribute('aria-describedby', errorId);
  // Beside the label, not in it (the label stays the field's name), and seen, not read: a screen
  // reader already says "required" from the input's own attribute.
  const mark = h('span', { class: 'required-mark', id: `${id}-required`, hidden: !input.required,
    'aria-hidden': 'true', dataset: { for: id } }, '(required)');
  return h('div', { class: 'field' },
    h('div', { class: 'label-row' },
      h('label', { for: id }, label, hint ? h('span', { class: 'hint' }, ` ${hint}`) : null), mark),
    input,
    h('div', { class: 'error', id: errorId, role: 'alert', dataset: { errorFor: name ?? '' } }));
}

/** Makes `input` required or not, with the "(required)" mark of its label (for fields required
 * only while another is on, such as the webhook URL of an enabled webhook). */
export function setRequired(input, on) {
  input.required = on;
  const mark = document.getElementById(`${input.id}-required`) ?? input.closest('.field')?.querySelector('.required-mark');
  if (mark) mark.hidden = !on;
}

/** What is wrong with an input the browser's constraint checks refuse, in the console's words. */
function problemOf(input) {
  const v = input.validity;
  if (v.valueMissing) return 'Fill this in: it is required.';
  if (v.typeMismatch && input.type === 'url') return 'Must be a full URL starting with https://, such as https://partner.example/postback.';
  if (v.rangeUnderflow || v.rangeOverflow) return `Must be from ${input.min} to ${input.max}.`;
  if (v.stepMismatch || v.badInput) return 'Must be a whole number.';
  if (v.patternMismatch && input.dataset.patternMessage) return input.dataset.patternMessage;
  return input.validationMessage;
}

/** Shows `message` next to `input` (its `field` slot, else the form's) and marks it invalid. */
export function markInvalid(form, input, message) {
  input.setAttribute('aria-invalid', 'true');
  const slot = document.getElementById(`${input.id}-error`) ?? form.querySelector('[data-error-for="_form"]');
  if (slot) slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message;
}

/** Checks every field of `form` at once, before it is sent: each invalid one shows its message
 * next to it and gets `aria-invalid`, and focus moves to the first. `more()` returns further
 * `[input, message]` problems the browser cannot check. True when there is none. */
export function checkForm(form, more = () => []) {
  clearErrors(form);
  const problems = [...form.querySelectorAll('input, select, textarea')]
    .filter((input) => !input.disabled && !input.closest('[hidden]') && !input.checkValidity())
    .map((input) => [input, problemOf(input)])
    .concat(more());
  for (const [input, message] of problems) markInvalid(form, input, message);
  problems[0]?.[0].focus();
  return problems.length === 0;
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
