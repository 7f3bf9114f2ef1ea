// The postclick console: a small hash-routed app over the admin API.
import { token, get } from '/admin/assets/api.js';
import { h, setCrumbs } from '/admin/assets/dom.js';
import { renderContainers, renderContainerForm } from '/admin/assets/containers.js';
import { renderContainer } from '/admin/assets/container.js';
import { renderConnector } from '/admin/assets/connector.js';
import { renderConversions } from '/admin/assets/conversions.js';
import { renderExplain } from '/admin/assets/explain.js';
import { renderOverview } from '/admin/assets/reconciliation.js';

const app = document.getElementById('app');
const signOut = document.getElementById('sign-out');


function renderSignIn(message) {
  signOut.hidden = true;
  setCrumbs({ text: 'Sign in' });
  const input = h('input', { type: 'password', id: 'admin-token', autocomplete: 'current-password', required: true });
  const error = h('div', { class: 'error', id: 'admin-token-error', role: 'alert' }, message ?? '');
  input.setAttribute('aria-describedby', 'admin-token-error');
  const form = h('form', { class: 'card', 'aria-label': 'Sign in' },
    h('h1', {}, 'Sign in'),
    h('p', { class: 'hint' }, 'Paste the admin token (ADMIN_TOKEN). It is kept in this tab only.'),
    h('label', { for: 'admin-token' }, 'Admin token'), input, error,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Sign in')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    token.set(input.value.trim());
    try {
      await get('/containers?limit=1');
      route();
    } catch (err) {
      token.clear();
      error.textContent = err.status === 401 ? 'That token was not accepted.' : err.message;
      input.focus();
    }
  });
  app.replaceChildren(h('section', { class: 'card' }, form));
  input.focus();
}

async function route() {
  if (!token.get()) return renderSignIn();
  signOut.hidden = false;
  const path = location.hash.replace(/^#/, '') || '/';
  const parts = path.split('/').filter(Boolean);
  app.replaceChildren(h('p', { class: 'hint' }, 'Loading…'));
  try {
    if (parts.length === 0) await renderContainers(app);
    else if (parts[0] === 'containers' && parts[1] === 'new') await renderContainerForm(app, null);
    else if (parts[0] === 'containers' && parts[2] === 'connectors' && parts[3] === 'new') await renderConnector(app, { containerId: parts[1] });
    else if (parts[0] === 'containers' && parts[2] === 'conversions') await renderConversions(app, parts[1]);
    else if (parts[0] === 'containers' && parts[2] === 'explain') await renderExplain(app, parts[1]);
    else if (parts[0] === 'containers' && parts[2] === 'overview') await renderOverview(app, parts[1]);
    else if (parts[0] === 'containers' && parts[1]) await renderContainer(app, parts[1]);
    else if (parts[0] === 'connectors' && parts[1]) await renderConnector(app, { id: parts[1] });
    else app.replaceChildren(h('p', {}, 'Nothing here. ', h('a', { href: '#/' }, 'Back to containers')));
  } catch (err) {
    if (!token.get()) return renderSignIn('Your session ended: sign in again.');
    app.replaceChildren(h('section', { class: 'card' }, h('h1', {}, 'Something went wrong'), h('p', { role: 'alert' }, err.message)));
  }
  app.focus();
}

signOut.addEventListener('click', () => { token.clear(); location.hash = '#/'; renderSignIn(); });
// A 401 on any screen ends the session; on the sign-in screen the form reports it itself.
window.addEventListener('postclick:signed-out', () => {
  if (!document.getElementById('admin-token')) renderSignIn('Your session ended: sign in again.');
});
window.addEventListener('hashchange', route);
route();
