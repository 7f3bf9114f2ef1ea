// Containers: list, create and edit (retention included), with the t.js install snippets and the install check.
import { get, post, patch } from '/admin/assets/api.js';
import { h, setCrumbs, field, checkbox, showError, checkForm, copy, when, emptyRow, toast } from '/admin/assets/dom.js';
import { guardUnsaved } from '/admin/assets/templates.js';

const PAGE = 25;

export async function renderContainers(app) {
  setCrumbs({ text: 'Containers' });
  const { data } = await get('/containers?limit=500');
  let page = 0;
  const tbody = h('tbody');
  const pager = h('div', { class: 'pager' });
  const draw = () => {
    const rows = data.slice(page * PAGE, (page + 1) * PAGE);
    tbody.replaceChildren(...(rows.length ? rows.map((c) => h('tr', {},
      h('td', {}, h('a', { href: `#/containers/${c.id}` }, c.name)),
      h('td', {}, c.cookie_domain), h('td', {}, c.id), h('td', {}, when(c.created_at)))) : [emptyRow(4, 'No containers yet. Create one for each site.')]));
    pager.replaceChildren(
      h('button', { type: 'button', class: 'secondary', disabled: page === 0, onclick: () => { page--; draw(); } }, 'Previous'),
      h('button', { type: 'button', class: 'secondary', disabled: (page + 1) * PAGE >= data.length, onclick: () => { page++; draw(); } }, 'Next'));
  };
  draw();
  app.replaceChildren(h('section', { class: 'card' },
    h('div', { class: 'row' }, h('h1', {}, 'Containers'), h('a', { href: '#/containers/new', class: 'button', id: 'new-container' }, 'New container')),
    h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Cookie domain'), h('th', {}, 'Id'), h('th', {}, 'Created'))), tbody),
    pager));
}

const KINDS = [['events', 'Events'], ['clicks', 'Clicks'], ['identities', 'Identities'], ['visitors', 'Visitors'],
  ['deliveries', 'Webhook log'], ['activity', 'Webhook activity']];

const lines = (text) => text.split('\n').map((s) => s.trim()).filter(Boolean);

/** The container form, for a new container (`container` null) or an existing one. */
export function containerForm(container, onSaved) {
  const name = h('input', { type: 'text', value: container?.name ?? '', required: true });
  const domain = h('input', { type: 'text', value: container?.cookie_domain ?? '', placeholder: 'shop.com', required: true,
    pattern: '\\.?[^\\s\\/:.@]+(\\.[^\\s\\/:.@]+)+\\.?', dataset: { patternMessage: 'Must be a host name such as shop.com: no https:// and no path.' } });
  const origins = h('textarea', { rows: 3, placeholder: 'https://www.shop.com' }, (container?.allowed_origins ?? []).join('\n'));
  const redirects = h('textarea', { rows: 2, placeholder: 'partner-landing.example' }, (container?.redirect_domains ?? []).join('\n'));
  const consent = checkbox('Require a consent signal before setting cookies', container?.require_consent ?? false, 'require_consent');
  const compat = checkbox('Set the _fbc and _gcl_aw compatibility cookies', container?.compat_cookies ?? true, 'compat_cookies');
  // Checked by the server against the runtime's time zone data; the browser's own list helps pick.
  const zone = h('input', { type: 'text', value: container?.time_zone ?? 'UTC', list: 'time-zones', autocomplete: 'off', spellcheck: 'false' });
  const zones = h('datalist', { id: 'time-zones' }, (Intl.supportedValuesOf?.('timeZone') ?? []).map((z) => h('option', { value: z })));
  const retention = Object.fromEntries(KINDS.map(([kind]) => [kind,
    h('input', { type: 'number', min: 1, max: 3650, value: container?.retention_days?.[kind] ?? '', placeholder: 'default' })]));
  const form = h('form', { 'aria-label': container ? 'Container settings' : 'New container', novalidate: true },
    h('div', { class: 'error', dataset: { errorFor: '_form' }, role: 'alert' }),
    field('Name', name, { name: 'name' }),
    field('Cookie domain', domain, { name: 'cookie_domain', hint: 'the registrable domain the cookies go on' }),
    field('Allowed origins', origins, { name: 'allowed_origins', hint: 'one per line' }),
    field('Redirect domains', redirects, { name: 'redirect_domains', hint: 'extra hosts /c may redirect to, one per line' }),
    consent.el, h('div', { class: 'error', dataset: { errorFor: 'require_consent' } }),
    compat.el, h('div', { class: 'error', dataset: { errorFor: 'compat_cookies' } }),
    field('Time zone', zone, { name: 'time_zone', hint: 'where a day starts in reconciliation and the overview, e.g. Europe/Helsinki' }), zones,
    h('fieldset', { class: 'retention' }, h('legend', {}, 'Retention (days)'),
      h('p', { class: 'hint' }, 'How long each kind of data is kept. Clicks are never purged inside a connector\'s attribution window; pending deliveries and delivered markers are never purged.'),
      h('div', { class: 'row' }, ...KINDS.map(([kind, label]) => field(label, retention[kind], { name: `retention_days.${kind}` })))),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, container ? 'Save settings' : 'Create container')));
  const unsaved = guardUnsaved(form, 'These container settings have unsaved changes. Leave without saving them?');
  // An origin is a scheme and a host only: the API would refuse the first bad line alone.
  const badOrigins = () => {
    const bad = lines(origins.value).filter((o) => !/^https?:\/\/[^/?#\s]+$/i.test(o));
    return bad.length ? [[origins, `Each line must be an origin such as https://www.shop.com (no path): ${bad.join(', ')}`]] : [];
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!checkForm(form, badOrigins)) return;
    const body = { name: name.value, cookie_domain: domain.value, allowed_origins: lines(origins.value),
      redirect_domains: lines(redirects.value), require_consent: consent.input.checked, compat_cookies: compat.input.checked,
      time_zone: zone.value.trim() || null,
      retention_days: Object.fromEntries(KINDS.map(([kind]) => [kind, retention[kind].value === '' ? null : Number(retention[kind].value)])) };
    try {
      const saved = container ? await patch(`/containers/${container.id}`, body) : await post('/containers', body);
      unsaved.saved();
      toast(container ? 'Settings saved' : 'Container created');
      onSaved(saved);
    } catch (err) { showError(form, err); }
  });
  return form;
}

export async function renderContainerForm(app) {
  setCrumbs({ text: 'Containers', href: '#/' }, { text: 'New container' });
  app.replaceChildren(h('section', { class: 'card' }, h('h1', {}, 'New container'),
    containerForm(null, (c) => { location.hash = `#/containers/${c.id}`; })));
}

const MODES = {
  subdomain: ['Tracking subdomain', 'Load t.js from the worker\'s own host (a subdomain such as t.shop.com pointed at the worker).'],
  same_origin: ['Same origin (lasts in Safari)', 'Load t.js from the site\'s own host under the same-origin path: a Worker route such as shop.com/_pc/* on Cloudflare, or the site\'s reverse proxy forwarding that path to the worker (see the README). Safari keeps these cookies for their full lifetime; a tracking subdomain on another address gets 7 days.'],
};

/** The install snippet of each mode, as the worker generates it (one source for the console and the README). */
export async function installSnippet(container) {
  const { modes, same_origin_path: path } = await get(`/containers/${container.id}/install`);
  return h('div', {}, h('p', { class: 'hint' }, 'Paste one of these into every page of the site, before </head>:'),
    ...modes.map((m, i) => h('div', { class: 'install-mode', dataset: { mode: m.mode } },
      h('h3', {}, MODES[m.mode]?.[0] ?? m.mode),
      h('p', { class: 'hint' }, (MODES[m.mode]?.[1] ?? '').replace('/_pc', path)),
      h('pre', { class: 'snippet', id: i === 0 ? 'install-snippet' : `install-snippet-${m.mode.replace('_', '-')}` }, m.html),
      h('button', { type: 'button', class: 'secondary', onclick: () => copy(m.html, 'Install snippet copied') }, 'Copy snippet'))));
}

const VERDICTS = {
  first_party: ['ok', 'Set (first-party)'],
  third_party: ['failed', 'Not set: third-party'],
  host_not_covered: ['failed', 'Not set: the host is outside the cookie domain'],
  unknown_page: ['test', 'Unknown: the page did not say where it was'],
};

/** The install check: the last page view the container saw and whether its cookies could be set. */
export async function installCheck(section, container) {
  const check = await get(`/containers/${container.id}/install-check`);
  const view = check.last_page_view;
  const [badge, verdict] = view ? (VERDICTS[view.cookie_verdict] ?? ['test', view.cookie_verdict]) : [];
  const facts = view
    ? h('dl', { class: 'facts', id: 'install-check-facts' },
      h('dt', {}, 'Last page view'), h('dd', {}, when(view.seen_at)),
      h('dt', {}, 'Page origin'), h('dd', {}, view.page_origin ?? 'unknown'),
      h('dt', {}, 'Through host'), h('dd', {}, view.host),
      h('dt', {}, 'Cookies'), h('dd', {}, h('span', { class: `badge ${badge}`, id: 'install-check-verdict' }, verdict)),
      h('dt', {}, 'Snippet should load from'), h('dd', {}, check.suggested_tracking_host))
    : h('p', { class: 'empty', id: 'install-check-never' },
      `Never seen a page view yet. Once the snippet is on a page and someone opens it, the last page view shows here. The snippet should load from ${check.suggested_tracking_host} (or the site itself under the same-origin path).`);
  // Through h(), which skips nulls: replaceChildren would write them as the text "null".
  section.replaceChildren(h('div', {},
    h('div', { class: 'row' }, h('h2', {}, 'Install check'),
      h('button', { type: 'button', class: 'secondary', onclick: () => installCheck(section, container) }, 'Check again')),
    facts,
    check.problem ? h('p', { class: 'warning', id: 'install-check-problem' }, check.problem) : null,
    view && !check.problem ? h('p', { class: 'ok', id: 'install-check-ok' }, 'The snippet is installed and its cookies are first-party.') : null));
}
