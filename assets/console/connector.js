// One connector: the whole form (webhook, pixel, click-ID matching, mode), a live preview,
// pixel approval, Test Webhook, and the webhook log.
import { get, post, patch, del } from '/admin/assets/api.js';
import { h, setCrumbs, field, checkbox, select, showError, checkForm, setRequired, copy, when, toast } from '/admin/assets/dom.js';
import { pairTable, renameTable } from '/admin/assets/tables.js';
import { drawLog } from '/admin/assets/log.js';
import { destinationLine } from '/admin/assets/destination.js';
import { secretTools } from '/admin/assets/secret_tools.js';
import { reconciliationSection } from '/admin/assets/reconciliation.js';
import { templatePicker, triggerWarning, testOutcome, guardUnsaved } from '/admin/assets/templates.js';

const SAMPLE_EVENT = { event: 'Purchase', event_id: 'preview-1', value: 49.9, currency: 'EUR',
  url: 'https://www.shop.example/checkout', attributes: { transaction_id: 'T-1001' },
  user: { email: 'jane@example.com', phone: '+15551234567', external_id: 'cust-42' },
  clicks: [{ param: 'gclid', value: 'Cj0KCQ-sample' }] };

export async function renderConnector(app, { id, containerId, draft }) {
  const connector = id ? await get(`/connectors/${id}`) : null;
  const cid = connector?.container_id ?? containerId;
  const [container, params, names] = await Promise.all([
    get(`/containers/${cid}`), get('/parameters'), get(`/containers/${cid}/event-names`).catch(() => ({ data: [] }))]);
  setCrumbs({ text: 'Containers', href: '#/' }, { text: container.name, href: `#/containers/${cid}` },
    { text: connector?.name ?? 'New connector' });

  const blank = { name: '', trigger_events: [], mode: 'test',
    webhook: { enabled: true, fire_on: 'server', method: 'GET', url: '', params: [], headers: [], event_renames: {}, signing_secret_set: false },
    pixel: { enabled: false, html: '', sandbox: true, approved_at: null },
    click_id: { enabled: false, param: '', source_param: '', source_value: '', attribution: 'last_click', window_days: 30 } };
  // A template's body fills the blank form; it is saved only when the marketer saves.
  const c = connector ?? (draft ? { ...blank, ...draft, webhook: { ...blank.webhook, ...draft.webhook },
    pixel: { ...blank.pixel, ...draft.pixel }, click_id: { ...blank.click_id, ...draft.click_id } } : blank);

  const name = h('input', { type: 'text', value: c.name, required: true });
  const triggers = h('input', { type: 'text', value: c.trigger_events.join(', '), list: 'seen-events', placeholder: 'Purchase, Lead' });
  const seen = h('datalist', { id: 'seen-events' }, (names.data ?? []).map((n) => h('option', { value: n })));
  const triggerNote = triggerWarning(triggers, names.data ?? []);
  const mode = select([['enabled', 'Enabled'], ['test', 'Test mode'], ['disabled', 'Disabled']], c.mode);

  const hookOn = checkbox('Enable webhook', c.webhook.enabled, 'webhook.enabled');
  const method = select([['GET', 'GET'], ['POST', 'POST']], c.webhook.method);
  const url = h('input', { type: 'url', value: c.webhook.url ?? '', placeholder: 'https://partner.example/postback' });
  const paramRows = pairTable('Parameter', c.webhook.params, 'webhook.params');
  const headerRows = pairTable('Header', c.webhook.headers, 'webhook.headers');
  const renames = renameTable(c.webhook.event_renames);
  const fireOn = select([['server', 'Server events only (recommended)'], ['server_and_browser', 'Server and browser events']], c.webhook.fire_on ?? 'server');
  const fireOnWarning = h('p', { class: 'warning', id: 'fire-on-warning', role: 'note' },
    'Browser events can be forged: anyone can send one, with any value, and this postback would pay for it. '
    + 'Fire on them only for a partner that expects unconfirmed events.');
  const showFireOnWarning = () => { fireOnWarning.hidden = fireOn.value !== 'server_and_browser'; };
  fireOn.addEventListener('change', showFireOnWarning);
  showFireOnWarning();
  // The secret is write-only: the API says whether one is set, never what it is.
  const secret = h('input', { type: 'text', value: '', autocomplete: 'off',
    placeholder: c.webhook.signing_secret_set ? 'set (hidden); type a new one to replace it' : 'whsec_… (optional)' });
  const removeSecret = checkbox('Remove the signing secret', false, 'webhook.signing_secret');
  removeSecret.el.hidden = !c.webhook.signing_secret_set;
  const notice = connector?.notice ? h('div', { class: 'notice', role: 'status', id: 'connector-notice' },
    h('p', {}, connector.notice.message),
    h('button', { type: 'button', class: 'secondary', onclick: async () => {
      try { await patch(`/connectors/${connector.id}`, {}); notice.remove(); } catch (err) { toast(err.message); }
    } }, 'Got it')) : null;

  const pixelOn = checkbox('Enable custom pixel', c.pixel.enabled, 'pixel.enabled');
  const html = h('textarea', { rows: 8, spellcheck: 'false' }, c.pixel.html);
  const sandbox = checkbox('Run in sandbox (recommended)', c.pixel.sandbox, 'pixel.sandbox');
  const approval = h('p', { id: 'approval-status' }, c.pixel.approved_at ? `Approved on ${when(c.pixel.approved_at)}` : 'Not approved: the pixel does not fire on live traffic.');
  // A pixel saved under earlier rules that the pixel rules now refuse: it does not fire until edited.
  const refused = c.pixel.refused
    ? h('p', { id: 'pixel-refused', class: 'error', role: 'alert' },
      `Refused by the pixel rules, so it does not fire and its approval was cleared: line ${c.pixel.refused.line}, column ${c.pixel.refused.column}: ${c.pixel.refused.message}`)
    : null;

  const clickOn = checkbox('Enable click-ID matching', c.click_id.enabled, 'click_id.enabled');
  const clickParam = h('input', { type: 'text', value: c.click_id.param ?? '', placeholder: 'click_id' });
  const sourceParam = h('input', { type: 'text', value: c.click_id.source_param ?? '', placeholder: 'utm_source (optional)' });
  const sourceValue = h('input', { type: 'text', value: c.click_id.source_value ?? '', placeholder: 'platform_x (optional)' });
  const attribution = select([['last_click', 'Last click'], ['any_click', 'Any click']], c.click_id.attribution);
  const windowDays = h('input', { type: 'number', min: 1, max: 365, value: c.click_id.window_days });

  const preview = h('pre', { class: 'preview', id: 'url-preview', 'aria-live': 'polite' }, connector ? '…' : 'Save the connector to see a preview.');
  // Each chip is a real button inside a list item, so a screen reader announces a button.
  const paramHelp = h('ul', { class: 'params-help', 'aria-label': 'Dynamic parameters' },
    params.data.map((p) => h('li', {}, h('button', { type: 'button', title: p.description, 'aria-label': `Copy {{${p.name}}}: ${p.description}`,
      onclick: () => copy(`{{${p.name}}}`, `{{${p.name}}} copied`) }, `{{${p.name}}}`))));
  const paramDetails = h('details', {}, h('summary', {}, 'View available dynamic parameters'), h('p', { class: 'hint' }, params.custom), paramHelp);

  const body = () => ({
    name: name.value,
    trigger_events: triggers.value.split(',').map((s) => s.trim()).filter(Boolean),
    mode: mode.value,
    webhook: { enabled: hookOn.input.checked, fire_on: fireOn.value, method: method.value, url: url.value.trim() || null,
      params: paramRows.value(), headers: headerRows.value(), event_renames: renames.value(),
      // Left out, the saved secret is kept; null removes it.
      ...(secret.value.trim() ? { signing_secret: secret.value.trim() } : removeSecret.input.checked ? { signing_secret: null } : {}) },
    pixel: { enabled: pixelOn.input.checked, html: html.value, sandbox: sandbox.input.checked },
    click_id: { enabled: clickOn.input.checked, param: clickParam.value.trim() || null, source_param: sourceParam.value.trim() || null,
      source_value: sourceValue.value.trim() || null, attribution: attribution.value, window_days: Number(windowDays.value) },
  });

  let timer;
  const refreshPreview = () => {
    if (!connector) return;
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        const p = await post(`/connectors/${connector.id}/preview`, { event: SAMPLE_EVENT, connector: body() });
        const unresolved = p.unresolved?.length ? `\n\nUnresolved: ${p.unresolved.join(', ')}` : '';
        preview.textContent = `${p.method} ${p.url}${p.body ? `\n\n${p.body}` : ''}${unresolved}`;
        preview.dataset.url = p.url;
      } catch (err) { preview.textContent = `Preview unavailable: ${err.message}`; }
    }, 250);
  };

  const form = h('form', { 'aria-label': 'Connector', novalidate: true },
    h('div', { class: 'error', dataset: { errorFor: '_form' }, role: 'alert' }),
    h('section', { class: 'card' }, h('h2', {}, 'Connector'),
      field('Connector name', name, { name: 'name' }),
      field('Trigger events', triggers, { name: 'trigger_events', hint: 'comma-separated; pick one this container has seen or type one' }), seen, triggerNote,
      field('Mode', mode, { name: 'mode' })),
    h('section', { class: 'card' }, h('h2', {}, 'Webhook'), hookOn.el,
      h('div', { class: 'row' }, field('Method', method, { name: 'webhook.method' }), field('Webhook URL', url, { name: 'webhook.url' })),
      field('Fire on', fireOn, { name: 'webhook.fire_on', hint: 'which events may send this postback' }), fireOnWarning,
      paramRows.el, paramDetails, headerRows.el, renames.el,
      field('Signing secret', secret, { name: 'webhook.signing_secret', hint: 'Standard Webhooks; write-only, leave empty to keep' }), removeSecret.el,
      h('h3', {}, 'URL preview'), preview),
    h('section', { class: 'card' }, h('h2', {}, 'Custom pixel'), pixelOn.el,
      field('HTML / script', html, { name: 'pixel.html', hint: 'placeholders are escaped for where they stand' }),
      sandbox.el, refused, approval),
    h('section', { class: 'card' }, h('h2', {}, 'Click-ID matching'), clickOn.el,
      h('div', { class: 'row' }, field('Click ID query parameter', clickParam, { name: 'click_id.param' }),
        field('Click source parameter', sourceParam, { name: 'click_id.source_param' }),
        field('Strict source value', sourceValue, { name: 'click_id.source_value' })),
      h('div', { class: 'row' }, field('Attribution model', attribution, { name: 'click_id.attribution' }),
        field('Attribution window (days)', windowDays, { name: 'click_id.window_days' }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'save-connector' }, connector ? 'Save connector' : 'Create connector')));
  const unsaved = guardUnsaved(form);
  // A field the API needs only while its part is on is required only then, and marked so.
  const requireWhatIsOn = () => {
    setRequired(triggers, mode.value !== 'disabled');
    setRequired(url, hookOn.input.checked);
    setRequired(html, pixelOn.input.checked);
    setRequired(clickParam, clickOn.input.checked);
  };
  requireWhatIsOn();
  form.addEventListener('change', requireWhatIsOn);
  form.addEventListener('input', refreshPreview);
  form.addEventListener('change', refreshPreview);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!checkForm(form)) return;
    try {
      const saved = connector ? await patch(`/connectors/${connector.id}`, body()) : await post(`/containers/${cid}/connectors`, body());
      unsaved.saved();
      toast(connector ? 'Connector saved' : 'Connector created');
      if (connector) await renderConnector(app, { id: saved.id }); else location.hash = `#/connectors/${saved.id}`;
    } catch (err) { showError(form, err); }
  });

  const log = h('section', { class: 'card', 'aria-label': 'Webhook log' });
  const testResult = h('div', { id: 'test-result', role: 'status', 'aria-live': 'polite' });
  const tools = connector ? h('section', { class: 'card', 'aria-label': 'Actions' }, h('h2', {}, 'Actions'),
    h('div', { class: 'actions' },
      h('button', { type: 'button', id: 'approve-pixel', class: 'secondary', onclick: async () => {
        // Approval applies to the saved pixel: with edits on screen, the marketer saves first.
        if (unsaved.isDirty()) { testResult.replaceChildren(h('p', { class: 'error', id: 'save-first' }, 'Save the connector first: approval applies to the saved pixel.')); return; }
        try { await post(`/connectors/${connector.id}/approve-pixel`); toast('Pixel approved'); await renderConnector(app, { id: connector.id }); } catch (err) { toast(err.message); }
      } }, 'Approve pixel'),
      h('button', { type: 'button', id: 'test-webhook', class: 'secondary', onclick: async (e) => {
        // Sends the form as it is on screen, saved or not, and waits for the one attempt.
        e.target.disabled = true;
        testResult.replaceChildren(h('p', { class: 'hint' }, 'Sending the test and waiting for the partner…'));
        try {
          const d = await post(`/connectors/${connector.id}/test`, { connector: body(), wait: true });
          testResult.replaceChildren(testOutcome(d));
          await drawLog(log, connector);
        } catch (err) { testResult.replaceChildren(h('p', { class: 'error' }, err.message)); if (err.field) showError(form, { ...err, field: err.field.replace(/^connector\./, '') }); }
        e.target.disabled = false;
      } }, 'Test webhook'),
      h('button', { type: 'button', class: 'danger', onclick: async () => {
        if (!confirm(`Delete the connector "${connector.name}"?`)) return;
        await del(`/connectors/${connector.id}`); location.hash = `#/containers/${cid}`;
      } }, 'Delete connector')), testResult) : null;
  const picker = connector || draft ? null : await templatePicker((body) => renderConnector(app, { containerId: cid, draft: body }));
  app.replaceChildren(...[h('h1', {}, connector?.name ?? 'New connector'), connector ? destinationLine(connector.id) : null, notice, picker, form, tools,
    connector ? reconciliationSection(connector.id) : null,
    connector ? secretTools(connector, () => drawLog(log, connector)) : null, connector ? log : null].filter(Boolean));
  if (connector) { refreshPreview(); await drawLog(log, connector); }
}
