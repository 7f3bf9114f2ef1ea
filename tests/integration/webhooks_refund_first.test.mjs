// A refund that arrives before its conversion (the custom webhook's `refund` naming a
// conversion_id not known yet): it is stored as a Refund event but leaves the id to the
// conversion, which is stored and sent when it arrives, then reversed; status changes by event
// id name the conversion, never the Refund.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, sql, sqlText, unique } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { connectorFor } from '../harness/postbacks.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { apiKeys, customWebhook, eventsOf, webhookGet } from '../harness/webhooks.mjs';

let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

/** A container whose connector sends reversals (`s` is the status) and an API key. */
async function shop() {
  const made = await connectorFor(receiver, { webhook: { send_reversals: true, status_map: { received: '0', reversed: '2' },
    params: [{ name: 'eid', value: '{{EVENT_ID}}' }, { name: 's', value: '{{CONVERSION_STATUS}}' }] } });
  const key = await apiKeys.create(made.container.id, { name: unique('key-') });
  assert.equal(key.status, 201, key.text);
  return { ...made, key: key.json.key };
}

/** The D1 round trips the answer reports in Server-Timing (`d1;desc="2"`). */
function costOf(res) {
  const value = typeof res.headers.get === 'function' ? res.headers.get('server-timing') : res.headers['server-timing'];
  assert.ok(value, 'the answer carries Server-Timing');
  const d1 = value.split(',').map((m) => m.trim().split(';')).find(([name]) => name === 'd1');
  return Number(JSON.parse(d1.find((p) => p.startsWith('desc=')).slice(5)));
}
const history = (rowId) => sql(`SELECT status, previous, provenance, reason FROM event_status_history WHERE event_row_id = ${sqlText(rowId)} ORDER BY seq`);

for (const surface of ['custom purchase', '/webhook track']) {
  test(`a purchase sent by ${surface} after a refund of its id is stored, sent, then reversed`, async () => {
    const { container, key, path } = await shop();
    // The isolate knows the key from an earlier request, as for a shop that sends regularly.
    assert.equal((await customWebhook(container.id, 'refund', { conversion_id: unique('other-') }, { key })).status, 200);
    const orderId = unique('NEVER-SEEN-');
    const refund = await customWebhook(container.id, 'refund', { conversion_id: orderId }, { key });
    assert.equal(refund.status, 200, refund.text);
    assert.equal(refund.json.type, 'track');
    assert.ok(costOf(refund) <= 2, `a refund of an unknown id answers after two D1 round trips (${costOf(refund)})`);
    const again = await customWebhook(container.id, 'refund', { conversion_id: orderId }, { key });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.duplicate, true, 'a repeated refund is still a duplicate of the first');

    const bought = surface === '/webhook track'
      ? await webhookGet({ k: key, track: 'Purchase', value: '77', currency: 'EUR', eventId: orderId })
      : await customWebhook(container.id, 'purchase', { conversion_id: orderId, value: 77, currency: 'USD' }, { key });
    assert.equal(bought.status, 200, bought.text);
    assert.equal(bought.json.type, 'track');
    assert.equal(bought.json.duplicate, false, 'the refund did not swallow the purchase');
    assert.equal(bought.json.event_id, orderId);
    assert.ok(costOf(bought) <= 2, `the purchase answers after two D1 round trips (${costOf(bought)})`);

    const rows = eventsOf(container.id).filter((r) => r.event_id === orderId);
    assert.deepEqual(rows.map((r) => [r.name, r.event_id, r.status]),
      [['Refund', orderId, 'received'], ['Purchase', orderId, 'reversed']]);
    const purchase = rows[1];
    assert.equal(purchase.value, 77);
    assert.deepEqual(history(purchase.id),
      [{ status: 'reversed', previous: 'received', provenance: 'server', reason: 'refund_before_conversion' }]);

    const sent = await pollUntil(() => { const got = receiver.received(path); return got.length >= 2 && got; },
      { what: 'the conversion and its reversal' });
    assert.deepEqual(sent.map((r) => [r.query.get('eid'), r.query.get('s')]), [[orderId, '0'], [orderId, '2']],
      'the conversion is sent first, then its reversal');
    assert.equal(sent[1].headers['idempotency-key'], `${sent[0].headers['idempotency-key']}:reversal`);

    const replay = surface === '/webhook track'
      ? await webhookGet({ k: key, track: 'Purchase', value: '77', currency: 'EUR', eventId: orderId })
      : await customWebhook(container.id, 'purchase', { conversion_id: orderId, value: 77, currency: 'USD' }, { key });
    assert.equal(replay.json.duplicate, true, 'the purchase itself is deduplicated as before');
    assert.equal(eventsOf(container.id).filter((r) => r.event_id === orderId).length, 2);
  });
}

test('a status change by event id after an early refund names the conversion, and with no conversion finds nothing', async () => {
  const { container, key } = await shop();
  const orderId = unique('NEVER-SEEN-');
  assert.equal((await customWebhook(container.id, 'refund', { conversion_id: orderId }, { key })).status, 200);
  const early = await webhookGet({ k: key, eventId: orderId, status: 'approved' });
  assert.equal(early.status, 404, 'the Refund is no conversion to approve');
  assert.equal(early.json.error.field, 'eventId');
  assert.deepEqual(eventsOf(container.id).map((r) => r.status), ['received'], 'the Refund kept its status');

  const bought = await webhookGet({ k: key, track: 'Purchase', value: '77', currency: 'EUR', eventId: orderId });
  assert.equal(bought.json.duplicate, false);
  const approve = await webhookGet({ k: key, eventId: orderId, status: 'approved' });
  assert.equal(approve.status, 409, 'the reversed conversion is final');
  const admin = await call('GET', `/admin/api/containers/${container.id}/events?event_id=${orderId}&status=reversed`);
  assert.equal(admin.status, 200, admin.text);
  assert.deepEqual(admin.json.data.map((e) => e.name), ['Purchase']);
});
