// A first-time marketer's whole story in real headless Chromium: a connector from a network
// template, a purchase sent with the curl the console shows, which fires it; a purchase without
// a click, which the why-not explorer explains; a truthful Test Webhook. axe-core checks every
// screen, and each is shot for review.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BASE, admin, unique } from '../harness/app.mjs';
import { consoleSession, signIn } from '../harness/console_session.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { customWebhook } from '../harness/webhooks.mjs';
import { collect } from '../harness/tracking.mjs';

// screen(): axe-core, no sideways scrolling at the viewport's width, and a screenshot for review.
const session = consoleSession({ shotPrefix: 'story-' });
const { screen } = session;
let page;
let receiver;
before(async () => ({ page, receiver } = await session.ready));

test('a marketer sets up a template connector, fires it with the console\'s curl, and the explorer explains a skipped purchase', async () => {
  const container = (await admin.createContainer({ name: unique('Story shop '), cookie_domain: 'story-shop.example',
    allowed_origins: ['https://www.story-shop.example'] })).json;
  await signIn(page);
  await screen('01-containers');

  // A connector from the generic S2S template: the account value filled in, then saved enabled.
  await page.goto(`${BASE}/admin#/containers/${container.id}/connectors/new`);
  await page.getByLabel('Network or tracker').selectOption('generic_s2s');
  await page.getByRole('button', { name: 'Use template' }).click();
  assert.match(await page.locator('[data-template-field="postback_url"] ~ .error').textContent(), /Fill this in/,
    'an account value left empty is named next to its field');
  await page.locator('[data-template-field="postback_url"]').fill(`${receiver.url}/story`);
  await screen('02-template');
  await page.getByRole('button', { name: 'Use template' }).click();
  // The form is drawn again from the template, without the picker.
  await page.locator('#templates').waitFor({ state: 'detached' });
  assert.equal(await page.getByLabel('Webhook URL').inputValue(), `${receiver.url}/story`);
  assert.equal(await page.getByLabel('Click ID query parameter').inputValue(), 'click_id');
  // A trigger spelled in another case than any seen name still fires; one never seen is flagged.
  await page.getByLabel(/Trigger events/).fill('Purchase, Purchased');
  assert.match(await page.locator('#trigger-warning').textContent(), /“Purchased” has not been seen/);
  await page.getByLabel(/Trigger events/).fill('Purchase');
  await page.getByLabel('Mode', { exact: true }).selectOption('enabled');
  await screen('03-connector-from-template');
  await page.click('#save-connector');
  await page.getByRole('heading', { name: 'Partner postback' }).waitFor();
  // Unsaved edits: approving asks to save first, and leaving through a link asks before going.
  await page.getByLabel('Connector name').fill('Partner postback (edited)');
  await page.click('#approve-pixel');
  await page.locator('#save-first').waitFor();
  let asked = null;
  page.once('dialog', (dialog) => { asked = dialog.message(); dialog.dismiss(); });
  await page.getByRole('link', { name: 'Containers' }).click();
  assert.match(asked ?? '', /unsaved changes/);
  await page.getByLabel('Connector name').fill('Partner postback');
  const editedForm = await page.$('#save-connector');
  await page.click('#save-connector');
  await page.waitForFunction((button) => !button.isConnected, editedForm);
  await page.getByRole('heading', { name: 'Partner postback' }).waitFor();
  const connectorId = page.url().split('/').pop();

  // Test Webhook: sends the form on screen and tells the partner's real answer.
  receiver.script('/story', { status: 400, body: 'unknown click id' });
  await page.click('#test-webhook');
  await page.locator('#test-result').getByText('Failed: the partner answered 400. It is not retried.').waitFor();
  assert.match(await page.locator('#test-result pre').textContent(), /unknown click id/);
  await screen('04-test-webhook');
  receiver.script('/story', { status: 200, body: 'ok' });
  const testRows = (await admin.deliveries(connectorId)).json.data;
  assert.equal(testRows.length, 1);
  assert.equal(testRows[0].attempt, 1, 'one attempt');
  assert.equal(testRows[0].status, 'failed');
  assert.equal(testRows[0].kind, 'test_webhook');

  // Keys: the docs carry the key just made, and its curl fires the connector.
  await page.goto(`${BASE}/admin#/containers/${container.id}`);
  await page.getByLabel('Key name').fill('Shop backend');
  await page.getByRole('button', { name: 'Generate key' }).click();
  const key = (await page.locator('#new-api-key code').textContent()).trim();
  const curl = await page.locator('#webhook-curl').textContent();
  assert.ok(curl.includes(key), 'the example carries the key just created');
  assert.ok(curl.includes(`/webhooks/custom/${container.id}/purchase`));
  assert.ok(curl.includes('"click_id":"CLICK_ID_FROM_THE_LANDING_URL"'), curl);
  await screen('05-keys-and-curl');
  const { stdout } = await promisify(execFile)('sh', ['-c', curl.replace('CLICK_ID_FROM_THE_LANDING_URL', 'clk-from-curl')]);
  assert.equal(JSON.parse(stdout).status, 'accepted', stdout);
  const got = await pollUntil(() => receiver.received('/story').find((r) => r.query.get('click_id') === 'clk-from-curl'),
    { what: 'the postback the curl fired' });
  assert.equal(got.query.get('order_id'), 'SO-1001');
  assert.equal(got.query.get('amount'), '49.9');

  // A purchase without any click: skipped, and the explorer says why and what to change.
  const order = unique('SO-');
  assert.equal((await customWebhook(container.id, 'purchase', { conversion_id: order, value: 12, currency: 'EUR' }, { key })).status, 200);
  await pollUntil(async () => (await admin.deliveries(connectorId)).json.data.some((d) => d.status === 'skipped'), { what: 'the skipped purchase' });
  await page.click('#why-not');
  await page.getByLabel('Value').fill(order);
  await page.getByRole('button', { name: 'Explain' }).click();
  const row = page.locator(`#explain-results tr[data-connector="${connectorId}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute('data-code'), 'no_click');
  assert.match(await row.locator('.reason').textContent(), /no click with this connector's click ID parameter/);
  assert.match(await row.locator('.fix').textContent(), /click_id/);
  await screen('06-why-not');

  // Paused while a purchase with a click came in: skipped, then re-evaluated once enabled again.
  assert.equal((await admin.patchConnector(connectorId, { mode: 'disabled' })).status, 200);
  const paused = unique('SO-');
  await customWebhook(container.id, 'purchase', { conversion_id: paused, value: 30, currency: 'EUR', click_id: 'clk-paused' }, { key });
  await pollUntil(async () => (await admin.deliveries(connectorId)).json.data.some((d) => d.reason === 'disabled'), { what: 'the paused purchase' });
  await page.getByLabel('Value').fill(paused);
  await page.getByRole('button', { name: 'Explain' }).click();
  await pollUntil(async () => (await row.getAttribute('data-code')) === 'disabled', { what: 'the disabled verdict' });
  assert.match(await row.locator('.fix').textContent(), /Set the connector's mode to Enabled/);
  assert.equal((await admin.patchConnector(connectorId, { mode: 'enabled' })).status, 200);
  await row.getByRole('button', { name: /Re-evaluate/ }).click();
  await pollUntil(() => receiver.received('/story').find((r) => r.query.get('click_id') === 'clk-paused'), { what: 'the re-evaluated postback' });
  // The explorer searches again after re-evaluating; asked once more, it shows the delivery.
  await pollUntil(async () => {
    if ((await row.getAttribute('data-code')) === 'delivered') return true;
    await page.getByRole('button', { name: 'Explain' }).click();
    return false;
  }, { intervalMs: 500, what: 'the explorer to show it fired' });
  await screen('07-reevaluated');

  // The log: expandable rows, replay asks first.
  await page.goto(`${BASE}/admin#/connectors/${connectorId}`);
  const first = page.locator('#webhook-log tbody tr').first();
  await first.locator('summary').click();
  assert.match(await first.locator('.delivery-details').textContent(), /Attempts/);
  // Filters: the skipped ones, then one order by its id; the CSV holds what is shown.
  await page.getByLabel('Status', { exact: true }).selectOption('skipped');
  await page.getByRole('button', { name: 'Filter' }).click();
  await pollUntil(async () => {
    const statuses = await page.locator('#webhook-log tbody tr .badge').allTextContents();
    return statuses.length >= 2 && statuses.every((t) => t === 'skipped');
  }, { what: 'only skipped rows' });
  await page.getByLabel('Status', { exact: true }).selectOption('');
  await page.getByLabel('Search').fill(order);
  await page.getByRole('button', { name: 'Filter' }).click();
  await pollUntil(async () => (await page.locator('#webhook-log tbody tr').count()) === 1
    && (await page.locator('#webhook-log tbody tr .badge').textContent()) === 'skipped', { what: 'the searched order alone' });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#log-csv')]);
  const csv = await (await import('node:fs/promises')).readFile(await download.path(), 'utf8');
  assert.equal(csv.split('\r\n').length, 2, csv);
  assert.match(csv, /^time,kind,status,reason/);
  await screen('08-log');

  // On a phone (390 px wide) every screen of the story stays accessible and never scrolls
  // sideways (document.documentElement.scrollWidth <= 390; shots for review).
  await page.setViewportSize({ width: 390, height: 844 });
  for (const [name, hash, drawn] of [['09-phone-container', `#/containers/${container.id}`, '#webhook-curl'],
    ['10-phone-connector', `#/connectors/${connectorId}`, '#webhook-log'],
    ['11-phone-new-connector', `#/containers/${container.id}/connectors/new`, '#templates'],
    ['12-phone-why-not', `#/containers/${container.id}/explain`, '#explain-value']]) {
    await page.goto(`${BASE}/admin${hash}`);
    await page.locator(drawn).waitFor();
    await screen(name);
  }
});

test('the container page shows the install check: never seen yet, then the last page view and what is wrong with it', async () => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const site = 'https://www.check-shop.example';
  const partner = 'https://www.partner-shop.example';
  const container = (await admin.createContainer({ name: unique('Check shop '), cookie_domain: 'check-shop.example',
    allowed_origins: [site, partner] })).json;
  await page.goto(`${BASE}/admin#/containers/${container.id}`);
  await page.locator('#install-check-never').waitFor();
  assert.match(await page.locator('#install-check-never').textContent(), /Never seen a page view yet.*t\.check-shop\.example/);
  await screen('13-install-check-never');

  // A page on another site loads the snippet from the shop's tracking host: third-party cookies.
  const view = await collect(container.id, `${partner}/landing`, { origin: partner, host: 't.check-shop.example' });
  assert.equal(view.status, 204);
  await pollUntil(async () => {
    await page.getByRole('button', { name: 'Check again' }).click();
    return page.locator('#install-check-problem').isVisible();
  }, { intervalMs: 300, what: 'the install check to show the page view' });
  const facts = await page.locator('#install-check-facts').textContent();
  assert.ok(facts.includes(partner) && facts.includes('t.check-shop.example'), facts);
  assert.equal(await page.locator('#install-check-verdict').textContent(), 'Not set: third-party');
  assert.match(await page.locator('#install-check-problem').textContent(),
    /^The page is on www\.partner-shop\.example but the snippet loads from t\.check-shop\.example: cookies set there are third-party/);
  await screen('14-install-check-third-party');

  // Installed right: the shop's own page through its tracking subdomain.
  await collect(container.id, `${site}/`, { origin: site, host: 't.check-shop.example' });
  await pollUntil(async () => {
    await page.getByRole('button', { name: 'Check again' }).click();
    return (await page.locator('#install-check-verdict').textContent()) === 'Set (first-party)';
  }, { intervalMs: 300, what: 'the first-party verdict' });
  assert.equal(await page.locator('#install-check-problem').count(), 0);
  assert.match(await page.locator('#install-check-ok').textContent(), /installed and its cookies are first-party/);
  for (const section of ['#install-check', '#webhook-docs', '[aria-label="Webhook activity"]']) {
    assert.doesNotMatch(await page.locator(section).textContent(), /null/, `no stray null in ${section}`);
  }
  await page.setViewportSize({ width: 390, height: 844 });
  await screen('15-install-check-ok');
});
