// The connector page's secret and recovery tools: "Rotate secret" (a new or generated whsec_
// secret; the previous one keeps signing every request for the overlap, whose end is shown) and
// "Recover deliveries since…" (re-queues every failed, dead-lettered or parked delivery since a
// time, each once, keeping its idempotency key; the count answered is shown).
import { post } from '/admin/assets/api.js';
import { h, field, when, copy, showError, clearErrors } from '/admin/assets/dom.js';

/** A new Standard Webhooks secret: `whsec_` and base64 of 32 random bytes. */
function generatedSecret() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

/** The datetime-local value for `date` in the browser's time zone, to the minute. */
function localInput(date) {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function rotateForm(connector, onChange) {
  const secret = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', required: true,
    placeholder: 'whsec_…' });
  const overlap = h('input', { type: 'number', min: '0', max: '168', step: '1', value: '24', required: true });
  const result = h('p', { id: 'rotate-result', role: 'status', 'aria-live': 'polite' });
  const form = h('form', { 'aria-label': 'Rotate secret', novalidate: true },
    h('h3', {}, 'Rotate secret'),
    h('p', { class: 'hint' },
      'Give the new secret to the partner. For the overlap every request is signed with both secrets, so the partner can switch whenever it likes within it.'),
    h('div', { class: 'error', dataset: { errorFor: '_form' }, role: 'alert' }),
    field('New signing secret', secret, { name: 'signing_secret' }),
    h('div', { class: 'actions' },
      h('button', { type: 'button', id: 'generate-secret', class: 'secondary', onclick: () => { secret.value = generatedSecret(); } }, 'Generate a secret'),
      h('button', { type: 'button', class: 'secondary', onclick: () => secret.value && copy(secret.value, 'Secret copied') }, 'Copy')),
    field('Overlap (hours)', overlap, { name: 'overlap_hours', hint: '0 to 168; both secrets sign every request until then' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'rotate-secret' }, 'Rotate secret')),
    result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const hours = Number(overlap.value);
    if (!confirm(`Rotate the signing secret of "${connector.name}"? The current secret keeps signing for ${hours} hours.`)) return;
    try {
      const res = await post(`/connectors/${connector.id}/rotate-secret`, { signing_secret: secret.value.trim(), overlap_hours: hours });
      result.className = 'ok';
      result.textContent = res.previous_signs_until
        ? `Rotated. The previous secret also signs every request until ${when(res.previous_signs_until)}.`
        : 'Rotated. There was no previous secret, so only the new one signs.';
      await onChange();
    } catch (err) { showError(form, err); }
  });
  return form;
}

function recoverForm(connector, onChange) {
  const since = h('input', { type: 'datetime-local', required: true, value: localInput(new Date(Date.now() - 24 * 3600_000)) });
  const result = h('p', { id: 'recover-result', role: 'status', 'aria-live': 'polite' });
  const form = h('form', { 'aria-label': 'Recover deliveries', novalidate: true },
    h('h3', {}, 'Recover deliveries'),
    h('p', { class: 'hint' }, 'After an outage: send again every failed, dead-lettered or parked delivery since a time, each once, with its idempotency key.'),
    h('div', { class: 'error', dataset: { errorFor: '_form' }, role: 'alert' }),
    field('Recover deliveries since', since, { name: 'since', hint: 'your local time' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'recover-deliveries' }, 'Recover deliveries')),
    result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const start = new Date(since.value);
    if (Number.isNaN(start.getTime())) { showError(form, { field: 'since', message: 'Choose a date and time.' }); return; }
    if (!confirm(`Send again every failed or parked delivery of "${connector.name}" since ${start.toLocaleString()}?`)) return;
    try {
      const res = await post(`/connectors/${connector.id}/recover`, { since: start.toISOString() });
      result.className = 'ok';
      result.textContent = `${res.requeued} ${res.requeued === 1 ? 'delivery' : 'deliveries'} queued again.${res.more ? ' More remain: recover again.' : ''}`;
      await onChange();
    } catch (err) { showError(form, err); }
  });
  return form;
}

/** The card for a saved `connector`; `onChange` redraws what the action changed (the log). */
export function secretTools(connector, onChange) {
  return h('section', { class: 'card', 'aria-label': 'Secret and recovery' },
    h('h2', {}, 'Secret and recovery'), rotateForm(connector, onChange), recoverForm(connector, onChange));
}
