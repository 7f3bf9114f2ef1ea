// Browser events are anonymous: anyone with curl can send one. These tests play the attacker
// against the real worker and check that a forged event pays nobody by default, that the opt-in
// still works, that an anonymous pc_test never forces a live postback, and that the honest path
// (the shop's server confirming with its API key) still pays.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { admin, newContainer, unique } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { Jar, SIGNATURE, SITE_ORIGIN, tracking, visitorIdOf } from '../harness/tracking.mjs';
import { apiKeys, customWebhook } from '../harness/webhooks.mjs';

const SIGNING_KEY = process.env.POSTCLICK_SIGNING_KEY;

let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

/** A connector crediting `aff_click_id` clicks, with its postback aimed at the receiver. */
async function affiliate(container, { webhook = {}, ...rest } = {}) {
  const path = `/${unique('trust-')}`;
  const res = await admin.createConnector(container.id, {
    name: unique('Net '), trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`,
      params: [{ name: 'cid', value: '{{CLICK_ID}}' }, { name: 'v', value: '{{VALUE}}' },
        { name: 'prov', value: '{{PROVENANCE}}' }, { name: 'vid', value: '{{VISITOR_ID}}' }], ...webhook },
    click_id: { enabled: true, param: 'aff_click_id', attribution: 'any_click', window_days: 30 },
    ...rest,
  });
  assert.equal(res.status, 201, res.text);
  return { connector: res.json, path };
}

/** Calls from a client: its own cookie jar and address, with or without an Origin. */
function client(ip, { origin } = {}) {
  const jar = new Jar();
  const headers = { 'cf-connecting-ip': ip };
  return {
    jar,
    async landOn(container, query) {
      const url = `https://www.shop.localhost.test/?${query}`;
      return jar.take(await tracking('GET', `/collect?id=${container.id}&url=${encodeURIComponent(url)}&ref=`,
        { cookie: jar.header(), origin, headers }));
    },
    async track(container, body) {
      return jar.take(await tracking('POST', `/e?id=${container.id}`, { json: body, cookie: jar.header(), origin, headers }));
    },
  };
}

const logOf = async (connectorId) => (await admin.deliveries(connectorId)).json.data;

test('a forged Purchase from anyone\'s browser pays no partner by default, pays an opted-in one, and the shop\'s server still pays', async () => {
  const container = await newContainer();
  const safe = await affiliate(container);
  assert.equal(safe.connector.webhook.fire_on, 'server', 'fire_on defaults to server');
  const optedIn = await affiliate(container, { webhook: { fire_on: 'server_and_browser' } });

  // The attack: land with one's own click id (no Origin needed), then post a Purchase of 9999.
  const attacker = client('198.51.100.21');
  assert.equal((await attacker.landOn(container, 'aff_click_id=MINE')).status, 204);
  const forged = await attacker.track(container, { event: 'Purchase', value: 9999, currency: 'EUR' });
  assert.equal(forged.status, 200, forged.text);

  const [skipped] = await pollUntil(async () => { const log = await logOf(safe.connector.id); return log.length === 1 && log; },
    { what: 'the safe connector\'s log entry' });
  assert.equal(skipped.status, 'skipped');
  assert.equal(skipped.reason, 'browser_event');
  assert.equal(skipped.provenance, 'browser');
  assert.match(skipped.reason_message, /browser event/);

  const sent = await pollUntil(async () => (await logOf(optedIn.connector.id)).find((d) => d.status === 'delivered'),
    { what: 'the opted-in connector\'s postback' });
  assert.equal(sent.provenance, 'browser');
  const [got] = receiver.received(optedIn.path);
  assert.deepEqual([got.query.get('cid'), got.query.get('v'), got.query.get('prov')], ['MINE', '9999', 'browser'],
    'the opt-in fires on browser events, attributed from the signed pc_clk, and says where the event came from');
  assert.equal(receiver.received(safe.path).length, 0, 'the forged Purchase paid no one who did not opt in');

  // The honest path: a customer's click, and the shop's server reporting the order with its key.
  const customer = client('198.51.100.22', { origin: SITE_ORIGIN });
  await customer.landOn(container, 'aff_click_id=REAL');
  const key = await apiKeys.create(container.id, { name: unique('key-') });
  const order = await customWebhook(container.id, 'purchase',
    { conversion_id: unique('order-'), value: 120, currency: 'EUR', visitor_id: customer.jar.get('pc_vid') }, { key: key.json.key });
  assert.equal(order.status, 200, order.text);
  assert.equal(order.json.session_matched, true, 'the signed pc_vid the shop read from the cookie names the visitor');
  await pollUntil(() => receiver.received(safe.path).length === 1, { what: 'the server event\'s postback' });
  const [paid] = receiver.received(safe.path);
  assert.deepEqual([paid.query.get('cid'), paid.query.get('v'), paid.query.get('prov')], ['REAL', '120', 'server']);
  assert.equal(paid.query.get('vid'), customer.jar.visitorId(), '{{VISITOR_ID}} is the id without its signature');
  assert.equal(paid.query.get('vid'), visitorIdOf(customer.jar.get('pc_vid')));
  const [entry] = await logOf(safe.connector.id);
  assert.equal(entry.provenance, 'server');
});

test('an anonymous pc_test fires a test-mode pixel but never a live postback; an API key still forces one', async () => {
  const container = await newContainer();
  const { connector, path } = await affiliate(container, {
    mode: 'test',
    webhook: { fire_on: 'server_and_browser' },
    pixel: { enabled: true, sandbox: false, html: '<p>{{VALUE}} {{PROVENANCE}}</p>' },
  });
  assert.equal((await admin.approvePixel(connector.id)).status, 200);
  const attacker = client('198.51.100.23');
  await attacker.landOn(container, 'aff_click_id=MINE');
  const res = await attacker.track(container, { event: 'Purchase', value: 500, currency: 'EUR', pc_test: 1 });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.pixels, [{ connector: connector.id, sandbox: false, html: '<p>500 browser</p>' }],
    'a marketer can still try a test-mode pixel on the live site');
  const [logged] = await pollUntil(async () => { const log = await logOf(connector.id); return log.length === 1 && log; },
    { what: 'the test entry' });
  assert.deepEqual([logged.status, logged.reason], ['test', 'test_mode'], 'the postback is only logged');
  assert.equal(receiver.received(path).length, 0, 'nothing was sent');

  const customer = client('198.51.100.24', { origin: SITE_ORIGIN });
  await customer.landOn(container, 'aff_click_id=REAL');
  const key = await apiKeys.create(container.id, { name: unique('key-') });
  const forced = await customWebhook(container.id, 'purchase',
    { conversion_id: unique('order-'), value: 7, currency: 'EUR', visitor_id: customer.jar.get('pc_vid'), pc_test: true },
    { key: key.json.key });
  assert.equal(forced.status, 200, forced.text);
  await pollUntil(() => receiver.received(path).length === 1, { what: 'the forced send from the API key' });
  assert.deepEqual([receiver.received(path)[0].query.get('prov'), receiver.received(path)[0].query.get('cid')], ['server', 'REAL']);
  const test = await admin.testConnector(connector.id);
  assert.equal(test.status, 202, 'Test Webhook still sends for real');
  const delivered = await pollUntil(async () => (await logOf(connector.id)).find((d) => d.id === test.json.delivery_id && d.status === 'delivered'),
    { what: 'the Test Webhook' });
  assert.equal(delivered.provenance, 'admin');
});

/**
 * `value` signed as the worker signs cookie `name` bound to `boundTo`, with the worker's own key:
 * what the worker writes, here for a history D1 never saw.
 */
function signCookie(name, boundTo, value) {
  const keyId = createHash('sha256').update('postclick signing key id v1\0').update(SIGNING_KEY).digest('base64url').slice(0, 6);
  const tag = createHmac('sha256', SIGNING_KEY).update(`postclick cookie v1\0${name}\0${boundTo}\0${value}`)
    .digest().subarray(0, 16).toString('base64url');
  return `${value}.${keyId}.${tag}`;
}

test('a browser event is attributed from its signed pc_clk, not from D1, and a pc_clk altered outside the worker credits nobody', async () => {
  const container = await newContainer();
  const optedIn = await affiliate(container, { webhook: { fire_on: 'server_and_browser' } });
  const shopper = client('198.51.100.25', { origin: SITE_ORIGIN });
  await shopper.landOn(container, 'aff_click_id=STORED');
  const history = shopper.jar.get('pc_clk').replace(SIGNATURE, '');
  assert.ok(history.includes('STORED'), history);
  const send = (pcClk, value) => tracking('POST', `/e?id=${container.id}`, {
    json: { event: 'Purchase', value, currency: 'EUR' }, origin: SITE_ORIGIN,
    cookie: `pc_vid=${shopper.jar.get('pc_vid')}; pc_clk=${pcClk}`, headers: { 'cf-connecting-ip': '198.51.100.25' },
  });

  // A history the worker signed whose click D1 does not hold (yet): the cookie decides.
  const unseen = signCookie('pc_clk', shopper.jar.visitorId(), history.replace('STORED', 'NOTINDB'));
  assert.equal((await send(unseen, 10)).status, 200);
  await pollUntil(() => receiver.received(optedIn.path).length === 1, { what: 'the postback credited from the cookie' });
  assert.equal(receiver.received(optedIn.path)[0].query.get('cid'), 'NOTINDB');

  // The same history with a click id swapped in by hand fails its check and is read as none.
  const tampered = shopper.jar.get('pc_clk').replace('STORED', 'FORGED');
  assert.equal((await send(tampered, 11)).status, 200);
  const second = await pollUntil(async () => (await logOf(optedIn.connector.id)).find((d) => d.status === 'skipped'),
    { what: 'the second event\'s log entry' });
  assert.equal(second.reason, 'no_click', 'the event with the altered cookie has no click to pay');
  assert.equal(receiver.received(optedIn.path).length, 1);
  assert.ok(!receiver.received(optedIn.path).some((r) => r.query.get('cid') === 'FORGED'), 'the forged click is never paid');
});
