// The console, driven in real headless Chromium: a marketer's walk through every screen.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, ADMIN_TOKEN, admin, sql, sqlText, unique } from '../harness/app.mjs';
import { consoleSession } from '../harness/console_session.mjs';
import { pollUntil } from '../harness/poll.mjs';

const session = consoleSession();
const { shot } = session;
let page;
let receiver;
before(async () => ({ page, receiver } = await session.ready));

/** Every visible form control has an accessible label. */
async function assertLabelled(screen) {
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden' && el.offsetParent !== null)
    .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')))
    .map((el) => el.outerHTML.slice(0, 120)));
  assert.deepEqual(unlabelled, [], `${screen}: inputs without a label`);
}

/** Tabbing from the top of the page reaches the element matching `selector`. */
async function assertKeyboardReachable(selector, screen) {
  await page.evaluate(() => document.activeElement?.blur());
  await page.locator('body').focus();
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
  }
  assert.fail(`${screen}: ${selector} is not reachable with the keyboard`);
}

test('a marketer signs in, sets up a container and a connector, tests it and manages keys', async () => {
  // Sign in: a wrong token is refused, the right one is kept in sessionStorage only.
  await page.goto(`${BASE}/admin`);
  await assertLabelled('sign in');
  await shot('01-sign-in');
  await page.getByLabel('Admin token').fill('wrong-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('That token was not accepted.').waitFor();
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Containers' }).waitFor();
  assert.ok(!page.url().includes(ADMIN_TOKEN), 'the token never appears in a URL');
  assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing in localStorage');
  await assertKeyboardReachable('#new-container', 'containers');
  await shot('02-containers');

  // Create a container through the form; a bad domain is shown next to its field.
  await page.click('#new-container');
  const name = unique('Console shop ');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel(/Cookie domain/).fill('https://bad/');
  await page.getByRole('button', { name: 'Create container' }).click();
  const domainError = page.locator('[data-error-for="cookie_domain"]');
  await domainError.waitFor();
  assert.match(await domainError.textContent(), /host name/);
  await assertLabelled('new container');
  await shot('03-new-container-error');
  await page.getByLabel(/Cookie domain/).fill('console-shop.example');
  await page.getByLabel(/Allowed origins/).fill('https://www.console-shop.example');
  await page.getByRole('button', { name: 'Create container' }).click();
  await page.getByRole('heading', { name }).waitFor();
  const containerId = page.url().split('/').pop();
  assert.match(containerId, /^ctr_/);
  assert.match(await page.locator('#install-snippet').textContent(), new RegExp(`/t.js\\?id=${containerId}`));
  assert.deepEqual(sql(`SELECT cookie_domain FROM containers WHERE id = ${sqlText(containerId)}`), [{ cookie_domain: 'console-shop.example' }]);
  await assertLabelled('container');
  await assertKeyboardReachable('#new-connector', 'container');
  await shot('04-container');

  // Create a connector through the form.
  await page.click('#new-connector');
  await page.getByLabel('Connector name').fill('Affiliate Network X');
  await page.getByLabel(/Trigger events/).fill('Purchase');
  await page.getByLabel('Mode', { exact: true }).selectOption('enabled');
  await page.getByLabel('Webhook URL').fill(`${receiver.url}/pb`);
  // Fire on: server events by default; opting in to browser events shows a plain warning.
  const fireOn = page.getByLabel('Fire on');
  assert.equal(await fireOn.inputValue(), 'server');
  assert.equal(await page.locator('#fire-on-warning').isVisible(), false);
  await fireOn.selectOption('server_and_browser');
  assert.match(await page.locator('#fire-on-warning').textContent(), /can be forged/);
  await fireOn.selectOption('server');
  assert.equal(await page.locator('#fire-on-warning').isVisible(), false);
  await page.getByRole('button', { name: 'Add parameter' }).click();
  await page.getByLabel('Parameter name').first().fill('value');
  await page.getByLabel('Parameter value').first().fill('{{VALUE}}');
  await assertLabelled('new connector');
  await shot('05-new-connector');
  await page.click('#save-connector');
  await page.getByRole('heading', { name: 'Affiliate Network X' }).waitFor();
  const connectorId = page.url().split('/').pop();
  assert.match(connectorId, /^con_/);

  // The URL preview follows the typed params.
  const preview = page.locator('#url-preview');
  await pollUntil(async () => (await preview.textContent()).includes('value=49.9'), { what: 'the preview of value' });
  await page.getByRole('button', { name: 'Add parameter' }).click();
  await page.getByLabel('Parameter name').nth(1).fill('order');
  await page.getByLabel('Parameter value').nth(1).fill('{{TRANSACTION_ID}}');
  await pollUntil(async () => (await preview.textContent()).includes('order=T-1001'), { what: 'the preview to follow a typed param' });
  // Saving re-renders the form from the stored connector: wait until the old form is gone, or
  // the pixel typed next lands in a form that is about to be replaced.
  const savedForm = await page.$('#save-connector');
  await page.click('#save-connector');
  await page.waitForFunction((button) => !button.isConnected, savedForm);
  await page.getByRole('heading', { name: 'Affiliate Network X' }).waitFor();

  // Paste a pixel, save, approve; the approval date shows.
  await page.getByLabel('Enable custom pixel').check();
  await page.getByLabel(/HTML \/ script/).fill('<img src="https://px.example/c?v={{VALUE}}" alt="">');
  await page.click('#save-connector');
  await pollUntil(async () => (await admin.getConnector(connectorId)).json.pixel.enabled, { what: 'the pixel to be saved' });
  await page.getByText('Connector saved').waitFor();
  await page.click('#approve-pixel');
  await page.getByText(/^Approved on /).waitFor();
  assert.equal(await page.getByLabel('Enable custom pixel').isChecked(), true);
  const saved = (await admin.getConnector(connectorId)).json;
  assert.equal(saved.pixel.html, '<img src="https://px.example/c?v={{VALUE}}" alt="">');
  assert.ok(saved.pixel.approved_at);
  await shot('06-connector');

  // Test Webhook reaches the receiver and the log shows its response code.
  receiver.script('/pb', { status: 202, body: 'accepted' });
  await page.click('#test-webhook');
  await pollUntil(() => receiver.received('/pb').length > 0, { what: 'the test webhook at the receiver' });
  const row = page.locator('#webhook-log tbody tr').first();
  await pollUntil(async () => (await row.locator('td.code').textContent()) === '202', { what: 'the response code in the log' });
  assert.match(await row.locator('td.url').textContent(), new RegExp(`${receiver.url}/pb\\?value=`));
  await assertKeyboardReachable('#test-webhook', 'connector');
  await shot('07-webhook-log');

  // API keys: created once with a copy button, listed by prefix only, revoked.
  await page.goto(`${BASE}/admin#/containers/${containerId}`);
  await page.getByLabel('Key name').fill('Backend prod');
  await page.getByRole('button', { name: 'Generate key' }).click();
  const key = (await page.locator('#new-api-key code').textContent()).trim();
  assert.match(key, /^pck_/);
  await shot('08-api-key-created');
  await page.reload();
  await page.getByRole('heading', { name: 'API keys' }).waitFor();
  assert.ok(!(await page.content()).includes(key), 'the key is shown only once');
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Revoke key Backend prod' }).click();
  await page.getByText(/^revoked /).waitFor();
  const rows = sql(`SELECT revoked_at FROM api_keys WHERE container_id = ${sqlText(containerId)}`);
  assert.equal(rows.length, 1);
  assert.ok(rows[0].revoked_at > 0);
  await shot('09-api-key-revoked');

  // Long lists are paginated: a container with more connectors than a page shows "Show more".
  for (let i = 0; i < 20; i++) {
    const res = await admin.createConnector(containerId, { name: `Extra ${String(i).padStart(2, '0')}`, mode: 'disabled' });
    assert.equal(res.status, 201, res.text);
  }
  await page.reload();
  const connectorRows = page.locator('section[aria-label="Connectors"] tbody tr');
  await pollUntil(async () => (await connectorRows.count()) === 20, { what: 'the first page of connectors' });
  await page.getByRole('button', { name: 'Show more connectors' }).click();
  await pollUntil(async () => (await connectorRows.count()) === 21, { what: 'the second page of connectors' });
  assert.equal(await page.getByRole('button', { name: 'Show more connectors' }).count(), 0);
  await shot('10-connectors-paginated');
});
