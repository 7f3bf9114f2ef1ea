// A server event (an API key) with the id of an earlier browser event confirms it instead of
// being dropped as a duplicate; a browser event can neither squat an order id nor learn which
// order ids exist. Played against the real worker, with the partner's receiver.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, newContainer, unique } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { browserAt as browser } from '../harness/tracking.mjs';
import { apiKeys, customWebhook, eventsOf, webhookGet } from '../harness/webhooks.mjs';

let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

async function shop() {
  const container = await newContainer();
  const path = `/${unique('confirm-')}`;
  const res = await admin.createConnector(container.id, {
    name: unique('Net '), trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`,
      params: [{ name: 'cid', value: '{{CLICK_ID}}' }, { name: 'v', value: '{{VALUE}}' },
        { name: 'cur', value: '{{CURRENCY}}' }, { name: 'prov', value: '{{PROVENANCE}}' }] },
    click_id: { enabled: true, param: 'aff_click_id', attribution: 'last_click', window_days: 30 },
  });
  assert.equal(res.status, 201, res.text);
  const key = await apiKeys.create(container.id, { name: unique('key-') });
  return { container, connector: res.json, path, key: key.json.key };
}


const logOf = async (connectorId) => (await admin.deliveries(connectorId)).json.data;

test('a squatted order id is confirmed by the shop\'s real webhook, which pays 249.00 once, to its own match', async () => {
  const { container, connector, path, key } = await shop();
  const orderId = unique('order-');
  const customer = browser('198.51.100.31');
  await customer.landOn(container, 'aff_click_id=REAL');
  await customer.track(container, { event: 'Login', user: { email: 'jane@example.com' } });

  // The attacker squats the order id first, with their own click and a tiny value.
  const attacker = browser('198.51.100.32');
  await attacker.landOn(container, 'aff_click_id=MINE');
  const squat = await attacker.track(container, { event: 'Purchase', event_id: orderId, value: 0.01, currency: 'EUR' });
  assert.equal(squat.duplicate, false);
  const [skipped] = await pollUntil(async () => { const log = await logOf(connector.id); return log.length === 1 && log; },
    { what: 'the squat\'s log entry' });
  assert.equal(skipped.reason, 'browser_event', 'a browser event pays nobody by default');

  // The shop's real webhook names the customer by the email their login tied to them.
  const real = await webhookGet({ k: key, track: 'Purchase', value: '249.00', currency: 'EUR', eventId: orderId, email: 'jane@example.com' });
  assert.equal(real.status, 200, real.text);
  assert.equal(real.json.duplicate, false, 'the real conversion is not dropped as a duplicate');
  assert.equal(real.json.confirmed, true);
  assert.equal(real.json.session_matched, true);

  await pollUntil(async () => (await logOf(connector.id))[0].status === 'delivered', { what: 'the confirmed postback' });
  const [paid] = receiver.received(path);
  assert.deepEqual([paid.query.get('cid'), paid.query.get('v'), paid.query.get('cur'), paid.query.get('prov')],
    ['REAL', '249', 'EUR', 'server'], 'the server\'s value, paid to the click of the server event\'s own match');
  const log = await logOf(connector.id);
  assert.equal(log.length, 1, 'the skipped row became the delivery: one row per connector and event');
  assert.equal(log[0].event_row_id, skipped.event_row_id);
  assert.equal(log[0].provenance, 'server');

  const [event] = eventsOf(container.id).filter((e) => e.event_id === orderId);
  assert.equal(event.value, 249);
  assert.equal(event.provenance, 'server');
  assert.ok(event.confirmed_at);
  assert.equal(event.visitor_id, customer.jar.visitorId());

  // Resent, the webhook is a duplicate, and nothing is paid twice.
  const again = await webhookGet({ k: key, track: 'Purchase', value: '249.00', currency: 'EUR', eventId: orderId });
  assert.equal(again.json.duplicate, true);
  await customWebhook(container.id, 'purchase', { conversion_id: orderId, value: 249, currency: 'EUR' }, { key });
  assert.equal((await logOf(connector.id)).length, 1);
  assert.equal(receiver.received(path).length, 1);
  // The squatter resending the id is told what it already knew, and nothing more.
  assert.equal((await attacker.track(container, { event: 'Purchase', event_id: orderId, value: 0.01, currency: 'EUR' })).duplicate, true);
});

test('/e says duplicate only to the visitor who sent the id, and a browser event repeating a server event changes nothing', async () => {
  const { container, connector, path, key } = await shop();
  const orderId = unique('order-');
  const customer = browser('198.51.100.37');
  await customer.landOn(container, 'aff_click_id=REAL');
  const server = await webhookGet({ k: key, track: 'Purchase', value: '80', currency: 'EUR', eventId: orderId,
    visitorId: customer.jar.get('pc_vid') });
  assert.equal(server.json.duplicate, false);
  assert.equal(server.json.session_matched, true);
  await pollUntil(() => receiver.received(path).length === 1, { what: 'the server event\'s postback' });

  const prober = browser('198.51.100.33');
  await prober.landOn(container, 'aff_click_id=MINE');
  const probe = await prober.track(container, { event: 'Purchase', event_id: orderId, value: 1, currency: 'EUR' });
  assert.equal(probe.duplicate, false, 'an anonymous caller learns nothing about events it did not send');
  const resent = await prober.track(container, { event: 'Purchase', event_id: orderId, value: 1, currency: 'EUR' });
  assert.equal(resent.duplicate, true, 'the same visitor sending the id again is a duplicate');
  // The customer's own thank-you page, after the server: its pixels fire, nothing else happens.
  assert.equal((await customer.track(container, { event: 'Purchase', event_id: orderId, value: 80, currency: 'EUR' })).duplicate, false);

  const [serverEvent] = eventsOf(container.id).filter((e) => e.provenance === 'server' && e.event_id === orderId);
  assert.equal(serverEvent.value, 80, 'the browser events changed nothing');
  const log = await logOf(connector.id);
  assert.equal(log.length, 1, 'only the server event concerns the connector');
  assert.deepEqual([log[0].provenance, log[0].status], ['server', 'delivered']);
  assert.equal(receiver.received(path).length, 1);
  assert.equal(receiver.received(path)[0].query.get('cid'), 'REAL');
});

test('a server event that matches no visitor credits the browser sender only when exactly one visitor sent the id', async () => {
  const { container, path, key } = await shop();
  const alone = unique('order-');
  const customer = browser('198.51.100.34');
  await customer.landOn(container, 'aff_click_id=ONLY');
  await customer.track(container, { event: 'Purchase', event_id: alone, value: 50, currency: 'EUR' });
  const confirmed = await webhookGet({ k: key, track: 'Purchase', value: '50', currency: 'EUR', eventId: alone });
  assert.equal(confirmed.json.confirmed, true);
  assert.equal(confirmed.json.session_matched, true, 'the one visitor who sent the id');
  await pollUntil(() => receiver.received(path).some((r) => r.query.get('cid') === 'ONLY'), { what: 'the sender\'s postback' });

  const contested = unique('order-');
  const first = browser('198.51.100.35');
  const second = browser('198.51.100.36');
  await first.landOn(container, 'aff_click_id=FIRST');
  await second.landOn(container, 'aff_click_id=SECOND');
  await first.track(container, { event: 'Purchase', event_id: contested, value: 5, currency: 'EUR' });
  await second.track(container, { event: 'Purchase', event_id: contested, value: 5, currency: 'EUR' });
  const unmatched = await webhookGet({ k: key, track: 'Purchase', value: '60', currency: 'EUR', eventId: contested });
  assert.equal(unmatched.json.confirmed, true);
  assert.equal(unmatched.json.session_matched, false, 'two visitors sent the id: neither is credited');
  const [event] = eventsOf(container.id).filter((e) => e.event_id === contested && e.provenance === 'server');
  assert.equal(event.visitor_id, null);
  assert.ok(!receiver.received(path).some((r) => ['FIRST', 'SECOND'].includes(r.query.get('cid'))));
});
