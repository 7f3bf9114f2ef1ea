// A log that answers questions, and a Test Webhook that tells the truth: filters and search on
// GET /admin/api/connectors/{id}/deliveries, and POST .../test with wait and unsaved edits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { admin, call, unique } from '../harness/app.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { connectorFor } from '../harness/postbacks.mjs';
import { apiKeys, customWebhook } from '../harness/webhooks.mjs';

let receiver;
before(async () => { receiver = await startReceiver(); });
after(async () => { await receiver.close(); });

const testWebhook = (connectorId, body) => call('POST', `/admin/api/connectors/${connectorId}/test`, { body });

test('Test Webhook with wait answers the partner\'s status and body after one attempt, never retried', async () => {
  const { connector, path } = await connectorFor(receiver);
  receiver.script(path, { status: 503, body: 'partner down' });
  const res = await testWebhook(connector.id, { wait: true });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.status, 'failed');
  assert.equal(res.json.kind, 'test_webhook');
  assert.equal(res.json.attempt, 1);
  assert.equal(res.json.next_attempt_at, null, 'no retry is scheduled');
  assert.equal(res.json.attempts.length, 1);
  assert.equal(res.json.attempts[0].response_code, 503);
  assert.equal(res.json.attempts[0].response_body, 'partner down');
  assert.equal(receiver.received(path).length, 1);
  // Given time for a retry the short test schedule would make (1 s), none comes.
  const later = Date.now() + 2500;
  await pollUntil(() => Date.now() > later, { what: 'the retry window to pass' });
  assert.equal(receiver.received(path).length, 1, 'a failed test is not retried');
  const [row] = (await admin.deliveries(connector.id)).json.data;
  assert.equal(row.status, 'failed');
  assert.equal(row.attempt, 1);
});

test('Test Webhook sends the unsaved form, not the saved connector, and stores nothing of it', async () => {
  const { connector, path } = await connectorFor(receiver);
  const other = `/${unique('form-')}`;
  receiver.script(other, { status: 200, body: 'thanks' });
  const res = await testWebhook(connector.id, { wait: true,
    connector: { webhook: { url: `${receiver.url}${other}`, params: [{ name: 'o', value: '{{ORDER_ID}}' }] } } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.status, 'delivered');
  assert.equal(res.json.attempts[0].response_body, 'thanks');
  assert.equal(receiver.received(other).length, 1);
  assert.equal(receiver.received(path).length, 0, 'the saved URL was not used');
  assert.equal((await admin.getConnector(connector.id)).json.webhook.url, `${receiver.url}${path}`, 'nothing saved');
  const bad = await testWebhook(connector.id, { wait: true, connector: { webhook: { url: 'https://pb.example/?c={clickid}' } } });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.error.field, 'connector.webhook.url');
});

test('the log filters by status and time and finds a delivery by order id or click id', async () => {
  const { container, connector, path } = await connectorFor(receiver, {
    click_id: { enabled: true, param: 'aff_click_id' },
    webhook: { params: [{ name: 'cid', value: '{{CLICK_ID}}' }] },
  });
  const key = (await apiKeys.create(container.id, { name: 'k' })).json.key;
  const started = Date.now();
  await customWebhook(container.id, 'purchase', { conversion_id: 'ORD-A', aff_click_id: 'clk-a' }, { key });
  await customWebhook(container.id, 'purchase', { conversion_id: 'ORD-B' }, { key });
  await pollUntil(async () => {
    const rows = (await admin.deliveries(connector.id)).json.data;
    return rows.length === 2 && rows.some((d) => d.status === 'delivered') ? rows : null;
  }, { what: 'both deliveries settled' });
  const ids = async (query) => {
    const res = await admin.deliveries(connector.id, `?${new URLSearchParams(query)}`);
    assert.equal(res.status, 200, res.text);
    return res.json.data.map((d) => d.status);
  };
  assert.deepEqual(await ids({ status: 'skipped' }), ['skipped']);
  assert.deepEqual(await ids({ status: 'delivered' }), ['delivered']);
  assert.deepEqual(await ids({ q: 'ORD-B' }), ['skipped'], 'by order id');
  assert.deepEqual(await ids({ q: 'clk-a' }), ['delivered'], 'by click id');
  assert.deepEqual(await ids({ since: String(started - 1000), status: 'delivered' }), ['delivered']);
  assert.deepEqual(await ids({ until: String(started - 1000) }), []);
  for (const bad of [{ status: 'lost' }, { since: 'yesterday' }, { q: 'x'.repeat(300) }]) {
    const res = await admin.deliveries(connector.id, `?${new URLSearchParams(bad)}`);
    assert.equal(res.status, 400, JSON.stringify(bad));
  }
  assert.equal(receiver.received(path).length, 1);
});
