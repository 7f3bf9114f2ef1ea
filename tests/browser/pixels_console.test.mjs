// The console says why a pixel saved under earlier rules no longer fires: the connector list
// marks it, and the connector's pixel card names the line, the column and the reason.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, BASE, STATE_DIR, admin, newContainer, sqlText, unique } from '../harness/app.mjs';
import { launchChromium } from '../harness/chromium.mjs';
import { executeD1 } from '../harness/worker.mjs';

let context;
let page;
before(async () => {
  context = await launchChromium();
  page = await context.newPage();
});
after(async () => { await context?.close(); });

test('the console shows why a stored pixel is refused and that it does not fire', async () => {
  const container = await newContainer();
  const created = await admin.createConnector(container.id, {
    name: unique('Old pixel '), trigger_events: ['Purchase'], mode: 'enabled',
    pixel: { enabled: true, sandbox: true, html: '<img src="https://px.partner.example/p?o={{ORDER_ID}}" alt="">' },
  });
  assert.equal(created.status, 201, created.text);
  const connector = created.json;
  await admin.approvePixel(connector.id);
  // What the earlier rules accepted: a value that starts a URL.
  const earlier = '<p>Thanks</p>\n<img src="{{ORDER_ID}}" alt="">';
  executeD1(STATE_DIR, `UPDATE connectors SET config = json_set(config, '$.pixel.html', ${sqlText(earlier)}) WHERE id = ${sqlText(connector.id)}`);

  await page.goto(`${BASE}/admin`);
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Containers' }).waitFor();

  await page.goto(`${BASE}/admin#/containers/${container.id}`);
  const row = page.getByRole('row', { name: new RegExp(connector.name) });
  await row.waitFor();
  assert.match(await row.innerText(), /Pixel \(refused: edit it\)/);

  await page.goto(`${BASE}/admin#/connectors/${connector.id}`);
  const refused = page.locator('#pixel-refused');
  await refused.waitFor();
  const text = await refused.innerText();
  assert.match(text, /^Refused by the pixel rules, so it does not fire and its approval was cleared: line 2, column 11: /);
  assert.match(text, /\{\{ORDER_ID\}\} would choose the scheme or host/);
  assert.equal(await page.locator('#approval-status').innerText(), 'Not approved: the pixel does not fire on live traffic.');
});
