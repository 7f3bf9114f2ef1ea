// Postbacks triggered by real events: a tracked click through /c, then a browser event through
// /e, dispatched to the container's connectors with attribution, modes and consent. The
// connectors here opt in to browser events (`webhook.fire_on: server_and_browser`): by default
// only server events fire a postback (tests/integration/trust_forged_events.test.mjs).
//
// A click outside the attribution
// window cannot be made in real time (windows are at least a day): the preview tests cover it
// with a sample click's age, through the same attribution code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { admin, call, newContainer, unique } from '../harness/app.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { tracking, Jar, SITE_ORIGIN } from '../harness/tracking.mjs';
import { apiKeys, customWebhook } from '../harness/webhooks.mjs';


let receiver;
before(async () => { receiver = await startReceiver(); });
after(async () => { await receiver.close(); });

/** A visitor: a browser's cookie jar on the tracking host. */
const visitor = () => new Jar();

async function click(container, who, query) {
  const to = `${SITE_ORIGIN}/landing?${query}`;
  const res = who.take(await tracking('GET', `/c?id=${container.id}&to=${encodeURIComponent(to)}`,
    { cookie: who.header(), headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130' } }));
  assert.equal(res.status, 302, res.text);
}

async function track(container, who, body) {
  const res = who.take(await tracking('POST', `/e?id=${container.id}`, {
    json: body, cookie: who.header(), origin: SITE_ORIGIN,
    headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130' },
  }));
  assert.equal(res.status, 200, res.text);
  return res.json;
}

async function affiliate(container, overrides = {}) {
  const path = `/${unique('ev-')}`;
  const res = await admin.createConnector(container.id, {
    name: unique('Net '), trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`, fire_on: 'server_and_browser',
      params: [{ name: 'cid', value: '{{CLICK_ID}}' }, { name: 'track', value: '{{EVENT_NAME}}' },
        { name: 'v', value: '{{VALUE}}' }, { name: 'src', value: '{{CLICK_SOURCE}}' }],
      event_renames: { Purchase: 'sale' } },
    click_id: { enabled: true, param: 'aff_click_id', source_param: 'utm_source', source_value: 'platform_x',
      attribution: 'last_click', window_days: 14 },
    ...overrides,
  });
  assert.equal(res.status, 201, res.text);
  return { connector: res.json, path };
}

/** The connector's only log entry once it exists. */
async function onlyEntry(connectorId, done = () => true) {
  return pollUntil(async () => {
    const log = await admin.deliveries(connectorId);
    const [entry] = log.json.data;
    return log.json.data.length === 1 && done(entry) ? entry : null;
  }, { what: `the log entry of ${connectorId}` });
}

test('a purchase after a tracked click sends the partner its click id and the renamed event', async () => {
  const container = await newContainer();
  const { connector, path } = await affiliate(container);
  const who = visitor();
  await click(container, who, 'aff_click_id=abc123&utm_source=platform_x');
  await track(container, who, { event: 'Purchase', value: 49.9, currency: 'EUR' });
  const entry = await onlyEntry(connector.id, (e) => e.status === 'delivered');
  assert.equal(entry.kind, 'event');
  const [got] = receiver.received(path);
  assert.equal(got.query.get('cid'), 'abc123');
  assert.equal(got.query.get('track'), 'sale');
  assert.equal(got.query.get('v'), '49.9');
  assert.equal(got.query.get('src'), 'platform_x');
});

test('last_click withholds the postback after a later click from elsewhere, and any_click still fires', async () => {
  const container = await newContainer();
  const last = await affiliate(container);
  const any = await affiliate(container, { click_id: { enabled: true, param: 'aff_click_id', source_param: 'utm_source',
    source_value: 'platform_x', attribution: 'any_click', window_days: 14 } });
  const who = visitor();
  await click(container, who, 'aff_click_id=abc123&utm_source=platform_x');
  // pc_clk keeps whole seconds, and clicks of one second count as one landing: the later click
  // comes in a later second, as a person's next click always does.
  const second = Math.floor(Date.now() / 1000);
  await pollUntil(() => Math.floor(Date.now() / 1000) > second, { intervalMs: 20, what: 'the next second' });
  await click(container, who, 'gclid=Cj0KCQ-later');
  await track(container, who, { event: 'Purchase', value: 10, currency: 'EUR' });
  const skipped = await onlyEntry(last.connector.id);
  assert.equal(skipped.status, 'skipped');
  assert.equal(skipped.reason, 'not_last_click');
  assert.ok(skipped.url, 'the log shows what would have been sent');
  await onlyEntry(any.connector.id, (e) => e.status === 'delivered');
  assert.equal(receiver.received(any.path)[0].query.get('cid'), 'abc123');
  assert.equal(receiver.received(last.path).length, 0);
});

test('a click from another source than the strict source value does not fire', async () => {
  const container = await newContainer();
  const { connector, path } = await affiliate(container);
  const who = visitor();
  await click(container, who, 'aff_click_id=abc123&utm_source=platform_y');
  await track(container, who, { event: 'Purchase', value: 10, currency: 'EUR' });
  const entry = await onlyEntry(connector.id);
  assert.equal(entry.status, 'skipped');
  assert.equal(entry.reason, 'source_mismatch');
  assert.equal(receiver.received(path).length, 0);
});

test('test mode logs the would-be request and sends nothing; pc_test from a browser still only logs, from an API key it sends for real', async () => {
  const container = await newContainer();
  const { connector, path } = await affiliate(container, { mode: 'test' });
  const who = visitor();
  await click(container, who, 'aff_click_id=abc123&utm_source=platform_x');
  await track(container, who, { event: 'Purchase', value: 10, currency: 'EUR' });
  const logged = await onlyEntry(connector.id);
  assert.equal(logged.status, 'test');
  assert.equal(logged.reason, 'test_mode');
  assert.match(logged.url, /cid=abc123&track=sale&v=10/);

  await track(container, who, { event: 'Purchase', value: 20, currency: 'EUR', pc_test: 1 });
  const fromBrowser = await pollUntil(async () => {
    const log = (await admin.deliveries(connector.id)).json.data;
    return log.length === 2 ? log[0] : null;
  }, { what: 'the second log entry' });
  assert.equal(fromBrowser.status, 'test', 'an anonymous pc_test never forces a live postback');

  const key = await apiKeys.create(container.id, { name: unique('key-') });
  const forced = await customWebhook(container.id, 'purchase',
    { conversion_id: unique('order-'), value: 30, currency: 'EUR', visitor_id: who.get('pc_vid'), pc_test: true },
    { key: key.json.key });
  assert.equal(forced.status, 200, forced.text);
  await pollUntil(async () => (await admin.deliveries(connector.id)).json.data.some((d) => d.status === 'delivered'),
    { what: 'the forced send' });
  const sent = receiver.received(path);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].query.get('v'), '30');
  assert.equal(sent[0].query.get('cid'), 'abc123', 'the server event names the visitor, whose click is credited');
});

test('a disabled connector sends nothing and its log says so', async () => {
  const container = await newContainer();
  const { connector, path } = await affiliate(container, { mode: 'disabled' });
  const who = visitor();
  await click(container, who, 'aff_click_id=abc123&utm_source=platform_x');
  await track(container, who, { event: 'Purchase', value: 10, currency: 'EUR' });
  const entry = await onlyEntry(connector.id);
  assert.equal(entry.status, 'skipped');
  assert.equal(entry.reason, 'disabled');
  assert.equal(receiver.received(path).length, 0);
});

test('an event whose consent refuses advertising sends nothing and logs why', async () => {
  const container = await newContainer();
  const { connector, path } = await affiliate(container);
  const who = visitor();
  await click(container, who, 'aff_click_id=abc123&utm_source=platform_x');
  await track(container, who, { event: 'Purchase', value: 10, currency: 'EUR', consent: { advertising: false } });
  const entry = await onlyEntry(connector.id);
  assert.equal(entry.status, 'skipped');
  assert.equal(entry.reason, 'consent');
  assert.equal(receiver.received(path).length, 0);
});

test('an event sent twice with one event id pays the partner once', async () => {
  const container = await newContainer();
  const { connector, path } = await affiliate(container);
  const who = visitor();
  await click(container, who, 'aff_click_id=abc123&utm_source=platform_x');
  const body = { event: 'Purchase', event_id: unique('order-'), value: 10, currency: 'EUR' };
  await track(container, who, body);
  await track(container, who, body);
  await onlyEntry(connector.id, (e) => e.status === 'delivered');
  assert.equal(receiver.received(path).length, 1);
});

test('one connector with both a webhook and a pixel fires both on one event', async () => {
  const container = await newContainer();
  const { connector, path } = await affiliate(container, {
    pixel: { enabled: true, sandbox: true, html: '<img src="https://px.example/p?v={{VALUE}}">' },
  });
  assert.equal((await admin.approvePixel(connector.id)).status, 200);
  const who = visitor();
  await click(container, who, 'aff_click_id=abc123&utm_source=platform_x');
  const answer = await track(container, who, { event: 'Purchase', value: 10, currency: 'EUR' });
  assert.ok(answer.pixels.some((p) => p.connector === connector.id), 'the pixel comes back to the browser');
  await onlyEntry(connector.id, (e) => e.status === 'delivered');
  assert.equal(receiver.received(path)[0].query.get('cid'), 'abc123');
});
