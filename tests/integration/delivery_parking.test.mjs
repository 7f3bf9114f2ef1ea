// Parked destinations (a circuit breaker): a connector's webhook that keeps failing, or answers
// 410, is parked; its deliveries are kept as parked (never dead-lettered), one probe goes on
// being tried, and the first success (or an operator) un-parks it and sends the parked ones again,
// oldest first. Recovery re-sends parked deliveries too, each once.
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

const destination = (id) => call('GET', `/admin/api/connectors/${id}/destination`);
const unpark = (id) => call('POST', `/admin/api/connectors/${id}/unpark`);
const recover = (id, body) => call('POST', `/admin/api/connectors/${id}/recover`, { body });

/** A connector at a fresh receiver path that sends the event id as `o`, and an API key. */
async function setUp(webhook = {}) {
  const made = await connectorFor(receiver, { webhook: { params: [{ name: 'o', value: '{{EVENT_ID}}' }], ...webhook } });
  const key = (await apiKeys.create(made.container.id, { name: unique('key-') })).json.key;
  const convert = async (order) => {
    const res = await webhookGet({ k: key, track: 'Purchase', value: '5', currency: 'EUR', eventId: order });
    assert.equal(res.status, 200, res.text);
  };
  return { ...made, convert };
}

const orderOf = (d) => new URL(d.url).searchParams.get('o');

/** The connector's log entry for each order, once `done` holds for all of them. */
async function entries(connectorId, orders, done, what) {
  return pollUntil(async () => {
    const log = (await admin.deliveries(connectorId, '?limit=200')).json.data;
    const found = orders.map((o) => log.find((d) => !d.replay_of && orderOf(d) === o));
    return found.every((d) => d && done(d)) && found;
  }, { what, timeoutMs: 30_000 });
}

const parkedState = (connectorId, what) => pollUntil(async () => {
  const res = await destination(connectorId);
  return res.json.state === 'parked' && res.json;
}, { what });

test('a destination is parked after N consecutive failures, keeps later deliveries parked, probes, and the first success re-sends the parked ones oldest first', async () => {
  const { connector, path, convert } = await setUp({ park_after_failures: 2 });
  assert.equal(connector.webhook.park_after_failures, 2, 'the connector shows its setting');
  assert.equal(connector.webhook.park_after_hours, 6, 'and the default');
  assert.equal((await destination(connector.id)).json.state, 'active');
  receiver.script(path, { status: 503, body: 'down' });

  const first = unique('o-');
  await convert(first);
  const parked = await parkedState(connector.id, 'the destination parked after 2 failures');
  assert.equal(parked.reason, '2 consecutive failed attempts');
  assert.ok(parked.consecutive_failures >= 2);
  const [probe] = await entries(connector.id, [first], () => true, 'the first delivery');
  assert.equal(parked.probe_delivery_id, probe.id, 'the delivery that failed is the probe');

  const later = [unique('o-'), unique('o-'), unique('o-')];
  for (const order of later) await convert(order);
  const held = await entries(connector.id, later, (d) => d.status === 'parked', 'the later deliveries parked');
  for (const d of held) {
    assert.equal(d.attempt, 0, 'a parked delivery uses no attempt');
    assert.equal(d.dead_lettered_at, null);
    assert.match(d.error, /destination parked \(2 consecutive failed attempts\)/);
  }
  assert.equal(receiver.received(path).filter((r) => later.includes(r.query.get('o'))).length, 0, 'nothing parked was sent');

  // The probe goes on being tried on the retry schedule, past the schedule's end, never given up
  // (at the last delay, 2 s here, plus the local queue's batch wait: slow on a loaded machine).
  const tries = receiver.received(path).length;
  await pollUntil(() => receiver.received(path).length >= tries + 2, { what: 'two more probes', timeoutMs: 40_000 });
  assert.ok(receiver.received(path).every((r) => r.query.get('o') === first), 'only the probe is sent');
  const probing = (await entries(connector.id, [first], () => true, 'the probe'))[0];
  assert.equal(probing.status, 'retrying');
  assert.equal(probing.dead_lettered_at, null);

  receiver.script(path, { status: 200, body: 'back' });
  const sent = await entries(connector.id, [first, ...later], (d) => d.status === 'delivered', 'all delivered after the probe succeeded');
  assert.equal(sent.length, 4);
  assert.equal((await destination(connector.id)).json.state, 'active');
  const resent = receiver.received(path).map((r) => r.query.get('o')).filter((o) => later.includes(o));
  assert.deepEqual(resent, later, 'the parked deliveries arrive once each, oldest first');
});

test('a 410 parks the destination at once and its delivery is probed instead of dead-lettered', async () => {
  const { connector, path, convert } = await setUp();
  receiver.script(path, { status: 410, body: 'gone' });
  const order = unique('o-');
  await convert(order);
  const parked = await parkedState(connector.id, 'the destination parked on 410');
  assert.equal(parked.reason, 'the partner answered 410 Gone');
  assert.equal(parked.consecutive_failures, 1);
  assert.equal(parked.park_after_failures, 20, 'the default applies');
  const [probe] = await entries(connector.id, [order], (d) => d.attempt >= 1, 'the 410 delivery');
  assert.equal(parked.probe_delivery_id, probe.id);
  assert.equal(probe.status, 'retrying');
  assert.equal(probe.dead_lettered_at, null);
  assert.equal(probe.response_code, 410);
});

test('an operator un-parks a destination by hand and its parked deliveries are sent again', async () => {
  const { connector, path, convert } = await setUp();
  receiver.script(path, { status: 410 });
  await convert(unique('o-'));
  await parkedState(connector.id, 'parked on 410');
  const waiting = [unique('o-'), unique('o-')];
  for (const order of waiting) await convert(order);
  await entries(connector.id, waiting, (d) => d.status === 'parked', 'two parked deliveries');

  receiver.script(path, { status: 200 });
  const res = await unpark(connector.id);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.requeued, 2);
  assert.equal(res.json.destination.state, 'active');
  assert.equal(res.json.destination.reason, null);
  assert.equal(res.json.destination.consecutive_failures, 0);
  await entries(connector.id, waiting, (d) => d.status === 'delivered', 'both delivered');
  const got = receiver.received(path).map((r) => r.query.get('o')).filter((o) => waiting.includes(o));
  assert.deepEqual(got, waiting, 'once each, oldest first');

  assert.equal((await unpark('con_nosuchconnector1')).status, 404);
  assert.equal((await destination('con_nosuchconnector1')).status, 404);
  assert.equal((await call('POST', `/admin/api/connectors/${connector.id}/unpark`, { token: null })).status, 401);
});

test('bulk recover re-sends parked deliveries once, and un-parking later does not send them again', async () => {
  const since = new Date(Date.now() - 60_000).toISOString();
  const { connector, path, convert } = await setUp();
  receiver.script(path, { status: 410 });
  const first = unique('o-');
  await convert(first);
  await parkedState(connector.id, 'parked on 410');
  const waiting = [unique('o-'), unique('o-')];
  for (const order of waiting) await convert(order);
  const held = await entries(connector.id, waiting, (d) => d.status === 'parked', 'two parked deliveries');

  receiver.script(path, { status: 200 });
  const res = await recover(connector.id, { since });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.requeued, 2, 'the two parked deliveries (the probe is still being tried)');
  // The probe's own next attempt succeeds too and un-parks the destination.
  await entries(connector.id, [first], (d) => d.status === 'delivered', 'the probe delivered');
  await pollUntil(async () => (await destination(connector.id)).json.state === 'active', { what: 'un-parked' });
  await pollUntil(() => waiting.every((o) => receiver.received(path).some((r) => r.query.get('o') === o)), { what: 'the recovered postbacks' });
  // Give a wrongly re-queued original the time to arrive, polling for what must stay true.
  await pollUntil(async () => {
    const log = (await admin.deliveries(connector.id, '?limit=200')).json.data;
    return log.filter((d) => d.status === 'delivered').length === 3 && log;
  }, { what: 'the probe and the two recovered copies delivered' });
  for (const order of waiting) {
    const copies = receiver.received(path).filter((r) => r.query.get('o') === order);
    assert.equal(copies.length, 1, `${order} is sent once`);
    assert.equal(copies[0].headers['idempotency-key'], held[waiting.indexOf(order)].idempotency_key);
  }
  const originals = await entries(connector.id, waiting, () => true, 'the originals');
  assert.ok(originals.every((d) => d.status === 'parked'), 'the originals stay parked, recovered once');
});

test('a Test Webhook to a parked destination is sent, so an operator can check it, and leaves the destination to be un-parked by hand', async () => {
  const { connector, path, convert } = await setUp();
  receiver.script(path, { status: 410 });
  await convert(unique('o-'));
  await parkedState(connector.id, 'parked on 410');

  receiver.script(path, { status: 200, body: 'back' });
  const before = receiver.received(path).length;
  const tested = await call('POST', `/admin/api/connectors/${connector.id}/test`, { body: { wait: true } });
  assert.equal(tested.status, 200, tested.text);
  assert.equal(tested.json.kind, 'test_webhook');
  assert.equal(tested.json.status, 'delivered', 'sent, not parked');
  assert.equal(tested.json.response_code, 200);
  assert.ok(receiver.received(path).length > before, 'the partner received it');
  assert.equal((await destination(connector.id)).json.state, 'parked', 'a test does not un-park: the operator decides');
});
