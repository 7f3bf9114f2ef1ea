// Helpers of the connector form: starting from a network's template, and the warning under the
// trigger events about names this container has never seen.
import { get } from '/admin/assets/api.js';
import { h, field, select } from '/admin/assets/dom.js';

/** A card to start a new connector from a network's or tracker's template. `onUse(body)` gets
 * the connector body with the account values filled in. */
export async function templatePicker(onUse) {
  const { data } = await get('/connector-templates');
  const choice = select([['', 'Start from scratch'], ...data.map((t) => [t.id, t.name])], '', { id: 'template-choice' });
  const inputs = h('div', { class: 'row', id: 'template-fields' });
  const notes = h('p', { class: 'hint', id: 'template-notes' });
  const use = h('button', { type: 'button', id: 'use-template', disabled: true }, 'Use template');
  let values = {};
  const show = () => {
    const t = data.find((x) => x.id === choice.value);
    values = {};
    use.disabled = !t;
    notes.textContent = t?.notes ?? '';
    inputs.replaceChildren(...(t?.fields ?? []).map((f) => {
      const input = h('input', { type: 'text', required: true, placeholder: f.example, dataset: { templateField: f.key } });
      input.addEventListener('input', () => { values[f.key] = input.value.trim(); });
      return field(f.label, input, { name: `template.${f.key}` });
    }));
  };
  choice.addEventListener('change', show);
  use.addEventListener('click', () => {
    const t = data.find((x) => x.id === choice.value);
    if (!t) return;
    const missing = t.fields.filter((f) => !values[f.key]);
    inputs.querySelectorAll('[data-template-field]').forEach((input) => {
      const empty = !values[input.dataset.templateField];
      input.toggleAttribute('aria-invalid', empty);
      input.parentElement.querySelector('.error').textContent = empty ? 'Fill this in from your account.' : '';
    });
    if (missing.length) { inputs.querySelector('[aria-invalid]')?.focus(); return; }
    onUse(fill(t.connector, values));
  });
  return h('section', { class: 'card', 'aria-label': 'Start from a template', id: 'templates' },
    h('h2', {}, 'Start from a template'),
    h('div', { class: 'row' }, field('Network or tracker', choice, { name: 'template' })), notes, inputs,
    h('div', { class: 'actions' }, use));
}

function fill(value, values) {
  if (typeof value === 'string') return Object.entries(values).reduce((s, [k, v]) => s.split(`<${k}>`).join(v), value);
  if (Array.isArray(value)) return value.map((v) => fill(v, values));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, values)]));
  return value;
}

/** Keeps a note under the trigger events input: which names this container has never seen, and
 * which match a seen name only without regard to case (they still fire). */
export function triggerWarning(input, seenNames) {
  const note = h('p', { class: 'warning', id: 'trigger-warning', role: 'status', hidden: true });
  const update = () => {
    const typed = input.value.split(',').map((s) => s.trim()).filter(Boolean);
    const lines = [];
    for (const name of typed) {
      if (seenNames.includes(name)) continue;
      const other = seenNames.find((s) => s.toLowerCase() === name.toLowerCase());
      if (other) lines.push(`“${name}” matches the events named “${other}” (names match without regard to case).`);
      else lines.push(`“${name}” has not been seen in this container yet: check it against the events your site sends${seenNames.length ? ` (seen: ${seenNames.slice(0, 8).join(', ')})` : ''}.`);
    }
    note.textContent = lines.join(' ');
    note.hidden = lines.length === 0;
  };
  input.addEventListener('input', update);
  update();
  return note;
}

/** What a Test Webhook's one attempt came to, in words: the partner's status and body, or why
 * it could not be sent. `d` is the log row the API answers with. */
export function testOutcome(d) {
  const attempt = d.attempts?.[d.attempts.length - 1];
  const code = attempt?.response_code ?? d.response_code;
  const body = attempt?.response_body ?? '';
  const head = d.status === 'delivered'
    ? `Delivered: the partner answered ${code}.`
    : code != null ? `Failed: the partner answered ${code}. It is not retried.`
      : `Failed: ${attempt?.error ?? d.error ?? 'not sent'}. It is not retried.`;
  return h('div', {}, h('p', { class: d.status === 'delivered' ? 'ok' : 'error' }, head),
    body ? h('pre', { class: 'preview' }, body) : null,
    h('p', { class: 'hint' }, `${d.method} ${d.url}`));
}

/** Tracks unsaved edits of `form`: following a console link away from it asks first.
 * Returns `isDirty()`; a successful save calls `saved()`. */
export function guardUnsaved(form, question = 'This connector has unsaved changes. Leave without saving them?') {
  let dirty = false;
  const mark = () => { dirty = true; };
  form.addEventListener('input', mark);
  form.addEventListener('change', mark);
  const isDirty = () => dirty && form.isConnected;
  const onLink = (e) => {
    const link = e.target.closest?.('a[href^="#"]');
    if (!link || !isDirty() || form.contains(link)) return;
    if (!confirm(question)) { e.preventDefault(); e.stopPropagation(); }
  };
  // Closing the tab or reloading asks too (the browser words that question itself).
  const onUnload = (e) => { if (isDirty()) { e.preventDefault(); e.returnValue = ''; } };
  document.addEventListener('click', onLink, true);
  window.addEventListener('beforeunload', onUnload);
  return { isDirty, saved: () => { dirty = false; } };
}
