// The console's privacy screen in real Chromium: a marketer exports everything held about one
// person and erases it, and the container page shows both install snippets without faults.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, rowsOnce, sql, sqlText, unique } from '../harness/app.mjs';
import { consoleSession } from '../harness/console_session.mjs';
import { collect, Jar, SITE_ORIGIN } from '../harness/tracking.mjs';
import { keyedContainer, customWebhook } from '../harness/webhooks.mjs';

const session = consoleSession({ receiver: false, signIn: true });
const { shot } = session;
let page;
before(async () => ({ page } = await session.ready));

test('a container without connectors shows both install snippets and no stray null', async () => {
  const { container } = await keyedContainer();
  await page.goto(`${BASE}/admin#/containers/${container.id}`);
  await page.getByRole('heading', { name: 'Connectors' }).waitFor();
  const connectors = await page.locator('section[aria-label="Connectors"]').innerText();
  assert.doesNotMatch(connectors, /\bnull\b/);
  const subdomain = await page.locator('#install-snippet').textContent();
  const sameOrigin = await page.locator('#install-snippet-same-origin').textContent();
  assert.match(subdomain, new RegExp(`${BASE.replace(/[.:/]/g, '\\$&')}/t\\.js\\?id=${container.id}`));
  assert.match(sameOrigin, new RegExp(`https://www\\.shop\\.localhost\\.test/_pc/t\\.js\\?id=${container.id}`));
  for (const snippet of [subdomain, sameOrigin]) {
    assert.match(snippet, /\['track', 'consent', 'page'\]/, 'one snippet stubs every method');
  }
  // The stub works: consent() before t.js loads queues instead of throwing.
  const stub = subdomain.split('</script>')[0].replace('<script>', '');
  const w = {};
  new Function('window', stub)(w); // the snippet's own code, against a window of its own
  w.postclick.consent('granted');
  w.postclick.page();
  const queued = w.postclick.q.map((c) => c[0]);
  assert.deepEqual(queued, ['consent', 'page']);
  await shot('20-install-snippets');
});

test('a marketer exports one person\'s data and then erases it from the console', async () => {
  const { container, key } = await keyedContainer();
  const email = `${unique('ana')}@example.com`;
  const jar = new Jar();
  await collect(container.id, `${SITE_ORIGIN}/?gclid=Cj0-console`, { jar });
  // The landing's click reaches D1 through the clicks queue; the shop's server reports later.
  await rowsOnce(`SELECT id FROM clicks WHERE container_id = ${sqlText(container.id)}`);
  const sent = await customWebhook(container.id, 'purchase', { conversion_id: unique('o-'), value: 30, currency: 'EUR',
    visitor_id: jar.get('pc_vid'), user_data: { email } }, { key });
  assert.equal(sent.status, 200, sent.text);

  await page.goto(`${BASE}/admin#/containers/${container.id}`);
  const section = page.locator('section[aria-label="Privacy"]');
  await section.getByRole('heading', { name: 'A person\'s data' }).waitFor();
  await section.getByLabel('Identify the person by').selectOption('email');
  await section.getByLabel('Value').fill('not-an-email');
  await section.getByRole('button', { name: 'Export data' }).click();
  await page.locator('[data-error-for="subject"]').filter({ hasText: /usable/ }).waitFor();
  await shot('21-privacy-error');

  await section.getByLabel('Value').fill(email);
  await section.getByRole('button', { name: 'Export data' }).click();
  const exported = JSON.parse(await page.locator('#subject-export').textContent());
  assert.equal(exported.events.length, 1);
  assert.ok(exported.clicks.some((c) => c.param === 'gclid'));
  assert.ok(await page.getByRole('link', { name: 'Download JSON' }).isVisible());
  await shot('22-privacy-export');

  page.once('dialog', (dialog) => dialog.accept());
  await section.getByRole('button', { name: 'Erase data' }).click();
  const removed = page.locator('#erasure-removed');
  await removed.waitFor();
  const counts = Object.fromEntries((await removed.locator('tbody tr').allInnerTexts())
    .map((row) => row.split('\t')).map(([table, n]) => [table.trim(), Number(n)]));
  assert.equal(counts.events, 1);
  assert.ok(counts.clicks >= 1 && counts.identities >= 1, JSON.stringify(counts));
  await shot('23-privacy-erased');
  assert.deepEqual(sql(`SELECT * FROM clicks WHERE container_id = ${sqlText(container.id)}`), []);
  assert.deepEqual(sql(`SELECT * FROM identities WHERE container_id = ${sqlText(container.id)}`), []);
});
