// The console says why a pixel saved under earlier rules no longer fires: the connector list
// marks it, and the connector's pixel card names the line, the column and the reason. The API
// refuses such HTML, so the test writes it into D1 the way an earlier version stored it: with a
// worker of its own, so that the write never meets another test's request.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sqlText, unique, WORKER_VARS } from '../harness/app.mjs';
import { launchChromium } from '../harness/chromium.mjs';
import { signIn } from '../harness/console_session.mjs';
import { SITE_ORIGIN } from '../harness/tracking.mjs';
import { executeD1 } from '../harness/worker.mjs';
import { ownWorker } from '../harness/own_worker.mjs';

let worker;
let call;
const own = ownWorker({ vars: WORKER_VARS });
before(async () => ({ worker, call } = await own.ready));

test('the console shows why a stored pixel is refused, in the connector list and on its pixel card', async () => {
  const container = (await call('POST', '/admin/api/containers', { body: {
    name: unique('shop-'), cookie_domain: 'shop.localhost.test', allowed_origins: [SITE_ORIGIN],
  } })).json;
  const connector = (await call('POST', `/admin/api/containers/${container.id}/connectors`, { body: {
    name: unique('Old pixel '), trigger_events: ['Purchase'], mode: 'enabled',
    pixel: { enabled: true, sandbox: true, html: '<img src="https://px.partner.example/p?o={{ORDER_ID}}" alt="">' },
  } })).json;
  await call('POST', `/admin/api/connectors/${connector.id}/approve-pixel`);
  // What the earlier rules accepted: a value that starts a URL.
  const earlier = '<p>Thanks</p>\n<img src="{{ORDER_ID}}" alt="">';
  executeD1(worker.stateDir, `UPDATE connectors SET config = json_set(config, '$.pixel.html', ${sqlText(earlier)}) WHERE id = ${sqlText(connector.id)}`);

  const context = await launchChromium();
  try {
    const page = await context.newPage();
    await signIn(page, { base: worker.url, token: worker.adminToken });

    await page.goto(`${worker.url}/admin#/containers/${container.id}`);
    const row = page.getByRole('row', { name: new RegExp(connector.name) });
    await row.waitFor();
    assert.match(await row.innerText(), /Pixel \(refused: edit it\)/);

    await page.goto(`${worker.url}/admin#/connectors/${connector.id}`);
    const refused = page.locator('#pixel-refused');
    await refused.waitFor();
    const text = await refused.innerText();
    assert.match(text, /^Refused by the pixel rules, so it does not fire and its approval was cleared: line 2, column 11: /);
    assert.match(text, /\{\{ORDER_ID\}\} would choose the scheme or host/);
    assert.equal(await page.locator('#approval-status').innerText(), 'Not approved: the pixel does not fire on live traffic.');
  } finally {
    await context.close();
  }
});
