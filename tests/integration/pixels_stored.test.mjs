// A pixel saved under earlier rules that the pixel rules now refuse: it stops firing, each
// trigger is logged as skipped (pixel_invalid), its stored approval is cleared, the API says why
// (pixel.refused with line and column), and it cannot be approved until it is fixed. The API
// refuses such HTML, so the test writes it into D1 the way an earlier version stored it: with a
// worker of its own, so that the write never meets another test's request.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sqlText, unique, WORKER_VARS } from '../harness/app.mjs';
import { tracking, SITE_ORIGIN } from '../harness/tracking.mjs';
import { executeD1, queryD1 } from '../harness/worker.mjs';
import { ownWorker } from '../harness/own_worker.mjs';

let worker;
let call;
const own = ownWorker({ vars: WORKER_VARS });
before(async () => ({ worker, call } = await own.ready));

test('a pixel saved under the earlier rules is skipped as pixel_invalid, loses its approval, and says why', async () => {
  const container = (await call('POST', '/admin/api/containers', { body: {
    name: unique('shop-'), cookie_domain: 'shop.localhost.test', allowed_origins: [SITE_ORIGIN],
  } })).json;
  const created = await call('POST', `/admin/api/containers/${container.id}/connectors`, { body: {
    name: unique('Pixel '), trigger_events: ['Purchase'], mode: 'enabled',
    pixel: { enabled: true, sandbox: false, html: '<script src="https://cdn.partner.example/x.js?o={{ORDER_ID}}"></script>' },
  } });
  assert.equal(created.status, 201, created.text);
  const connector = created.json;
  assert.equal((await call('POST', `/admin/api/connectors/${connector.id}/approve-pixel`)).status, 200);
  // What the earlier rules accepted: a value in a script's host.
  const earlier = '<p>Thanks</p>\n<script src="/&#47;{{ORDER_ID}}/x.js"></script>';
  executeD1(worker.stateDir, `UPDATE connectors SET config = json_set(config, '$.pixel.html', ${sqlText(earlier)}) WHERE id = ${sqlText(connector.id)}`);

  const read = await call('GET', `/admin/api/connectors/${connector.id}`);
  assert.equal(read.status, 200, 'the connector still reads');
  assert.equal(read.json.pixel.approved_at, null);
  assert.equal(read.json.pixel.html, earlier);
  assert.deepEqual([read.json.pixel.refused.line, read.json.pixel.refused.column], [2, 20]);
  assert.match(read.json.pixel.refused.message, /scheme or host/);

  const fired = await tracking('POST', `/e?id=${container.id}`, {
    base: worker.url, json: { event: 'Purchase', attributes: { order_id: 'evil.example' } }, origin: SITE_ORIGIN,
  });
  assert.equal(fired.status, 200, fired.text);
  assert.deepEqual(fired.json.pixels, [], 'it no longer fires');
  const [entry] = (await call('GET', `/admin/api/connectors/${connector.id}/deliveries`)).json.data;
  assert.deepEqual([entry.method, entry.status, entry.reason], ['PIXEL', 'skipped', 'pixel_invalid']);
  assert.match(entry.error, /^pixel\.html line 2, column 20: /);
  const [row] = queryD1(worker.stateDir, `SELECT json_extract(config, '$.pixel.approved_at') AS approved FROM connectors WHERE id = ${sqlText(connector.id)}`);
  assert.equal(row.approved, null, 'the stored approval is cleared');

  const approve = await call('POST', `/admin/api/connectors/${connector.id}/approve-pixel`);
  assert.equal(approve.status, 422, 'it cannot be approved as it is');
  assert.equal(approve.json.error.field, 'pixel.html');
  const fixed = await call('PATCH', `/admin/api/connectors/${connector.id}`, { body: {
    pixel: { html: '<script src="https://cdn.partner.example/x.js?o={{ORDER_ID}}"></script>' },
  } });
  assert.equal(fixed.status, 200, fixed.text);
  assert.equal(fixed.json.pixel.refused, null);
});
