// Whole numbers written with a fraction (`30.0`), as the contract run sent them: JSON Schema calls
// them integers, so every field the API documents as a whole number takes them as that number,
// and a real fraction is still refused naming the field. Bodies are written by hand, because
// JSON.stringify would print 30.0 as 30.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, newContainer, sql, sqlText, unique } from '../harness/app.mjs';
import { sendEvent, SITE_ORIGIN, tracking } from '../harness/tracking.mjs';
import { customWebhook, keyedContainer } from '../harness/webhooks.mjs';

const JSON_TYPE = { 'content-type': 'application/json' };

test('a rate limit written as a whole-number float is the same rate limit', async () => {
  const container = await newContainer();
  const res = await call('POST', `/admin/api/containers/${container.id}/api-keys`, {
    raw: '{"name": "Backend", "rate_limit_per_minute": 120.0}',
    headers: JSON_TYPE,
  });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.rate_limit_per_minute, 120);
  const fraction = await call('POST', `/admin/api/containers/${container.id}/api-keys`,
    { body: { name: 'Backend', rate_limit_per_minute: 120.5 } });
  assert.equal(fraction.status, 422);
  assert.equal(fraction.json.error.field, 'rate_limit_per_minute');
});

test('a click window written as a whole-number float is that many days', async () => {
  const container = await newContainer();
  const body = '{"name": "Partner", "trigger_events": ["Purchase"], "mode": "disabled",'
    + ' "click_id": {"enabled": true, "param": "aff_id", "window_days": 30.0}}';
  const res = await call('POST', `/admin/api/containers/${container.id}/connectors`, { raw: body, headers: JSON_TYPE });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.click_id.window_days, 30);
  const fraction = await call('POST', `/admin/api/containers/${container.id}/connectors`,
    { raw: body.replace('30.0', '30.5'), headers: JSON_TYPE });
  assert.equal(fraction.status, 422);
  assert.equal(fraction.json.error.field, 'click_id.window_days');
});

test('a browser event takes a whole-number float event id and pc_test', async () => {
  const container = await newContainer();
  const res = await tracking('POST', `/e?id=${container.id}`, {
    origin: SITE_ORIGIN, headers: JSON_TYPE, body: '{"event": "Lead", "event_id": 1001.0, "pc_test": 1.0}',
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.event_id, '1001');
  const [row] = sql(`SELECT event_id, payload FROM events WHERE container_id = ${sqlText(container.id)}`);
  assert.equal(row.event_id, '1001');
  assert.equal(JSON.parse(row.payload).force_send, true);
  const fraction = await sendEvent(container.id, { event: 'Lead', event_id: 1001.5 });
  assert.equal(fraction.status, 422);
  assert.equal(fraction.json.error.field, 'event_id');
});

test('a product quantity written as a whole-number float is that quantity', async () => {
  const { container, key } = await keyedContainer();
  const id = unique('ORD-');
  const res = await customWebhook(container.id, 'purchase', undefined, {
    key, headers: JSON_TYPE, raw: `{"conversion_id": "${id}", "products": [{"id": "SKU-1", "quantity": 2.0}]}`,
  });
  assert.equal(res.status, 200, res.text);
  const [row] = sql(`SELECT payload FROM events WHERE container_id = ${sqlText(container.id)}`);
  assert.deepEqual(JSON.parse(row.payload).attributes.products, [{ id: 'SKU-1', quantity: 2 }]);
});
