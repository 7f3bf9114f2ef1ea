// Bulk recovery after a partner's outage: every delivery of the connector that failed since a
// time is sent again, once, with its idempotency key and webhook-id, and the answer counts them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, call, unique } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { connectorFor } from '../harness/postbacks.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { apiKeys, webhookGet } from '../harness/webhooks.mjs';

let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

const recover = (connectorId, body) => call('POST', `/admin/api/connectors/${connectorId}/recover`, { body });

test('bulk recover counts and sends each failed delivery once, keeping its idempotency key and webhook-id', async () => {
  const since = new Date(Date.now() - 60_000).toISOString();
  const { container, connector, path } = await connectorFor(receiver, {
    webhook: { params: [{ name: 'o', value: '{{EVENT_ID}}' }], signing_secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` },
  });
  const key = (await apiKeys.create(container.id, { name: unique('key-') })).json.key;
  // Every scheduled attempt fails (a 410 would park the destination instead of failing them).
  receiver.script(path, { status: 503, body: 'down' });
  const orders = [unique('o-'), unique('o-'), unique('o-')];
  for (const order of orders) {
    const res = await webhookGet({ k: key, track: 'Purchase', value: '5', currency: 'EUR', eventId: order });
    assert.equal(res.status, 200, res.text);
  }
  const failed = await pollUntil(async () => {
    const log = (await admin.deliveries(connector.id)).json.data;
    return log.length === 3 && log.every((d) => d.status === 'failed') && log;
  }, { what: 'three failed deliveries' });
  const firstTries = receiver.received(path).length;

  receiver.script(path, { status: 200, body: 'ok' });
  const res = await recover(connector.id, { since });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.requeued, 3);
  const sent = await pollUntil(() => { const got = receiver.received(path).slice(firstTries); return got.length >= 3 && got; },
    { what: 'the recovered postbacks' });
  assert.deepEqual(sent.map((r) => r.query.get('o')).sort(), [...orders].sort());
  const keysBefore = failed.map((d) => d.idempotency_key ?? d.id).sort();
  assert.deepEqual(sent.map((r) => r.headers['idempotency-key']).sort(), keysBefore, 'each keeps its idempotency key');
  assert.deepEqual(sent.map((r) => r.headers['webhook-id']).sort(), keysBefore, 'and its webhook-id');

  const again = await recover(connector.id, { since });
  assert.equal(again.json.requeued, 0, 'each failed delivery is recovered once');
  const bad = await recover(connector.id, { since: 'yesterday' });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.error.field, 'since');
});
