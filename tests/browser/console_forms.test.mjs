// The console's forms in real headless Chromium: every invalid field is flagged at once, next to
// it, with focus on the first; required fields are marked; a server refusal lands next to the
// field it names; pixel refusals name their line and column; unsaved edits, deleting and
// replaying all ask first. axe-core checks each error state.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, STATE_DIR, admin, newContainer, sqlText, unique } from '../harness/app.mjs';
import { executeD1 } from '../harness/worker.mjs';
import { consoleSession } from '../harness/console_session.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { assertAccessible } from '../harness/axe.mjs';

const session = consoleSession({ signIn: true, shotPrefix: 'forms-' });
const { shot } = session;
let page;
let receiver;
before(async () => ({ page, receiver } = await session.ready));

/** `{field: message}` of every input marked invalid, read through its aria-describedby. */
function invalidFields() {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[aria-invalid=true]')].map((input) => [
    input.dataset.field, document.getElementById(input.getAttribute('aria-describedby'))?.textContent ?? ''])));
}

/** The fields whose label shows the "(required)" mark. */
function markedRequired() {
  return page.evaluate(() => [...document.querySelectorAll('.required-mark:not([hidden])')]
    .map((mark) => document.getElementById(mark.dataset.for))
    .map((input) => `${input.dataset.field}:${input.required}`));
}

const focusedField = () => page.evaluate(() => document.activeElement?.dataset.field);

test('the container form flags every invalid field at once, each next to it, and focuses the first', async () => {
  await page.goto(`${BASE}/admin#/containers/new`);
  await page.getByRole('button', { name: 'Create container' }).waitFor();
  assert.deepEqual(await markedRequired(), ['name:true', 'cookie_domain:true']);
  await page.getByLabel(/Allowed origins/).fill('https://www.forms-shop.example\nwww.forms-shop.example/path');
  await page.getByRole('button', { name: 'Create container' }).click();
  const invalid = await invalidFields();
  assert.deepEqual(Object.keys(invalid).sort(), ['allowed_origins', 'cookie_domain', 'name']);
  assert.match(invalid.name, /required/);
  assert.match(invalid.cookie_domain, /required/);
  assert.match(invalid.allowed_origins, /origin such as https:\/\/www\.shop\.com .*www\.forms-shop\.example\/path/);
  assert.equal(await focusedField(), 'name', 'focus moves to the first invalid field');
  await assertAccessible(page, 'container form errors');
  await shot('01-container-errors');

  // Fixing one field clears its message on the next try; the rest stay flagged.
  await page.getByLabel('Name', { exact: true }).fill(unique('Forms shop '));
  await page.getByLabel(/Cookie domain/).fill('https://forms-shop.example/');
  await page.getByRole('button', { name: 'Create container' }).click();
  const again = await invalidFields();
  assert.deepEqual(Object.keys(again).sort(), ['allowed_origins', 'cookie_domain']);
  assert.match(again.cookie_domain, /host name such as shop\.com/);
  assert.equal(await focusedField(), 'cookie_domain');
});

test('a server refusal is shown next to the field it names, and that field gets focus', async () => {
  // Through the list, so the form is drawn afresh.
  await page.goto(`${BASE}/admin#/`);
  await page.click('#new-container');
  await page.getByLabel('Name', { exact: true }).fill(unique('Forms shop '));
  // A public suffix passes the browser's check; the API refuses it (422 on cookie_domain).
  await page.getByLabel(/Cookie domain/).fill('co.uk');
  await page.getByRole('button', { name: 'Create container' }).click();
  await pollUntil(async () => (await invalidFields()).cookie_domain, { what: 'the refusal next to the cookie domain' });
  assert.match((await invalidFields()).cookie_domain, /public suffix|registrable/i);
  assert.equal(await focusedField(), 'cookie_domain');
  assert.match(page.url(), /#\/containers\/new$/, 'nothing was created');
});

test('the connector form requires what each enabled part needs, marks it, and flags all of it at once', async () => {
  const c = await newContainer();
  await page.goto(`${BASE}/admin#/containers/${c.id}/connectors/new`);
  await page.locator('#save-connector').waitFor();
  assert.deepEqual(await markedRequired(), ['name:true', 'trigger_events:true', 'webhook.url:true']);
  await page.getByLabel('Enable click-ID matching').check();
  await page.getByLabel('Enable webhook').uncheck();
  assert.deepEqual(await markedRequired(), ['name:true', 'trigger_events:true', 'click_id.param:true']);
  await page.getByLabel('Mode', { exact: true }).selectOption('disabled');
  assert.deepEqual(await markedRequired(), ['name:true', 'click_id.param:true'], 'a disabled connector needs no trigger');
  await page.getByLabel('Mode', { exact: true }).selectOption('test');
  await page.getByLabel('Enable webhook').check();
  await page.getByLabel('Webhook URL').fill('partner.example/postback');
  await page.getByLabel('Attribution window (days)').fill('400');
  await page.click('#save-connector');
  const invalid = await invalidFields();
  assert.deepEqual(Object.keys(invalid).sort(),
    ['click_id.param', 'click_id.window_days', 'name', 'trigger_events', 'webhook.url']);
  assert.match(invalid['webhook.url'], /full URL starting with https:\/\//);
  assert.match(invalid['click_id.window_days'], /from 1 to 365/);
  assert.equal(await focusedField(), 'name');
  await assertAccessible(page, 'connector form errors');
  await shot('02-connector-errors');
  const { json } = await admin.listConnectors(c.id);
  assert.equal(json.data.length, 0, 'nothing was sent');
});

test('a refused pixel names its line and column next to the pixel field', async () => {
  const c = await newContainer();
  const made = await admin.createConnector(c.id, { name: 'Pixel partner', trigger_events: ['Purchase'], mode: 'test',
    webhook: { enabled: false } });
  assert.equal(made.status, 201, made.text);
  await page.goto(`${BASE}/admin#/connectors/${made.json.id}`);
  await page.getByLabel('Enable custom pixel').check();
  await page.getByLabel(/HTML \/ script/).fill('<p>thanks</p>\n  <img {{VALUE}}=1>');
  await page.click('#save-connector');
  await pollUntil(async () => (await invalidFields())['pixel.html'], { what: 'the pixel refusal' });
  assert.match((await invalidFields())['pixel.html'], /^line 2, column 8: /);
  assert.equal(await focusedField(), 'pixel.html');
});

test('unsaved container settings ask before leaving, and closing the tab is warned too', async () => {
  const c = await newContainer();
  await page.goto(`${BASE}/admin#/containers/${c.id}`);
  await page.getByRole('button', { name: 'Save settings' }).waitFor();
  assert.equal(await page.evaluate(() => { const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e); return e.defaultPrevented; }), false,
    'no warning without edits');
  await page.getByLabel('Name', { exact: true }).fill('Renamed, not saved');
  let asked = null;
  page.once('dialog', (dialog) => { asked = dialog.message(); dialog.dismiss(); });
  await page.getByRole('link', { name: 'Containers' }).click();
  assert.match(asked ?? '', /unsaved changes/);
  assert.match(page.url(), new RegExp(`#/containers/${c.id}$`), 'dismissing stays on the page');
  assert.equal(await page.evaluate(() => { const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e); return e.defaultPrevented; }), true,
    'closing or reloading the tab asks first');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Settings saved').waitFor();
  page.once('dialog', (dialog) => { asked = `unexpected: ${dialog.message()}`; dialog.dismiss(); });
  asked = null;
  await page.getByRole('link', { name: 'Containers' }).click();
  await pollUntil(async () => asked !== null || page.url().endsWith('#/'), { what: 'leaving the page' });
  assert.equal(asked, null, 'saved settings leave without asking');
  page.removeAllListeners('dialog');
});

test('deleting a connector and replaying a delivery ask first, and a dismissed question changes nothing', async () => {
  const c = await newContainer();
  const made = await admin.createConnector(c.id, { name: 'Ask first', trigger_events: ['Purchase'], mode: 'test',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}/ask` } });
  assert.equal(made.status, 201, made.text);
  const id = made.json.id;
  assert.equal((await admin.testConnector(id)).status, 202);
  await pollUntil(() => receiver.received('/ask').length === 1, { what: 'the test delivery at the partner' });
  await page.goto(`${BASE}/admin#/connectors/${id}`);
  const replay = page.locator('#webhook-log tbody tr').first().getByRole('button', { name: 'Replay' });
  await replay.waitFor();
  const answer = (accept) => new Promise((resolve) => page.once('dialog', (d) => { resolve(d.message()); if (accept) d.accept(); else d.dismiss(); }));
  let question = answer(false);
  await replay.click();
  assert.match(await question, /Send this delivery to the partner again\?/);
  assert.equal(receiver.received('/ask').length, 1, 'a dismissed replay sends nothing');
  question = answer(true);
  await replay.click();
  await question;
  await pollUntil(() => receiver.received('/ask').length === 2, { what: 'the replay at the partner' });

  question = answer(false);
  await page.getByRole('button', { name: 'Delete connector' }).click();
  assert.match(await question, /^Delete the connector "Ask first"\?/);
  assert.equal((await admin.getConnector(id)).status, 200, 'a dismissed delete keeps the connector');
  question = answer(true);
  await page.getByRole('button', { name: 'Delete connector' }).click();
  await question;
  await pollUntil(async () => (await admin.getConnector(id)).status === 404, { what: 'the delete' });
  await page.waitForURL(new RegExp(`#/containers/${c.id}$`));
});

test('a connector saved under a rule since tightened is marked in the list with the reason, and can be deleted from there', async () => {
  const c = await newContainer();
  const made = await admin.createConnector(c.id, { name: 'Saved long ago', trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}/old` } });
  assert.equal(made.status, 201, made.text);
  // An earlier version accepted this URL; today's validation refuses it.
  executeD1(STATE_DIR, `UPDATE connectors SET config = json_set(config, '$.webhook.url', 'ftp://partner.example/pb') WHERE id = ${sqlText(made.json.id)}`);
  await page.goto(`${BASE}/admin#/containers/${c.id}`);
  const row = page.locator('tr.unreadable', { hasText: 'Saved long ago' });
  await row.waitFor();
  assert.match(await row.textContent(), /unreadable.*webhook\.url/s);
  await assertAccessible(page, 'an unreadable connector in the list');
  page.once('dialog', (d) => d.accept());
  await row.getByRole('button', { name: 'Delete' }).click();
  await page.getByText('Connector deleted').waitFor();
  await pollUntil(async () => (await page.locator('tr.unreadable').count()) === 0, { what: 'the row gone' });
  assert.equal((await admin.getConnector(made.json.id)).status, 404, 'deleted through the API');
});
