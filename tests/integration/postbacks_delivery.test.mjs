// Postback delivery through the real local queue: the Test Webhook, the exact requests a partner
// receives, retries, Retry-After, 410, timeouts, the dead-letter path, and one request per attempt.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { admin, call, waitForDelivery, WORKER_VARS } from '../harness/app.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { connectorFor, sendTest, verifyStandardWebhook } from '../harness/postbacks.mjs';

// The runner's short schedule: "1s,1s,2s" gives 4 attempts.
const DELAYS_S = WORKER_VARS.RETRY_SCHEDULE.split(',').map((d) => parseInt(d, 10));
const MAX_ATTEMPTS = DELAYS_S.length + 1;
const TIMEOUT_S = Number(WORKER_VARS.DELIVERY_TIMEOUT_S);
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

let receiver;
before(async () => { receiver = await startReceiver(); });
after(async () => { await receiver.close(); });

test('the Test Webhook sends one synthetic event now and logs the partner response', async () => {
  const { connector, path } = await connectorFor(receiver, {
    mode: 'test',
    webhook: {
      params: [{ name: 'track', value: '{{EVENT_NAME}}' }, { name: 'value', value: '{{VALUE}}' },
        { name: 'cur', value: '{{CURRENCY}}' }, { name: 'cid', value: '{{CLICK_ID}}' }],
      event_renames: { Purchase: 'sale' },
    },
    click_id: { enabled: true, param: 'aff_click_id', source_param: 'utm_source', source_value: 'platform_x' },
  });
  receiver.script(path, { status: 201, body: 'accepted' });

  const res = await admin.testConnector(connector.id);
  assert.equal(res.status, 202);
  assert.equal(res.json.status, 'queued');
  const id = res.json.delivery_id;
  assert.match(id, /^dlv_/);

  const entry = await waitForDelivery(connector.id, id);
  const [got] = receiver.received(path);
  assert.equal(got.method, 'GET');
  assert.equal(got.query.get('track'), 'sale', 'the connector renames Purchase to sale');
  assert.equal(got.query.get('value'), '1');
  assert.equal(got.query.get('cur'), 'EUR');
  assert.equal(got.query.get('cid'), 'pc-test-click');
  assert.equal(got.headers['idempotency-key'], id);
  assert.equal(entry.status, 'delivered');
  assert.equal(entry.kind, 'test_webhook');
  assert.equal(entry.response_code, 201);
  assert.equal(entry.response_body, 'accepted');
  assert.equal(entry.attempt, 1);
  assert.equal(typeof entry.latency_ms, 'number');
  assert.equal(entry.url, `${receiver.url}${got.url}`, 'the log shows the full URL that was sent');
  assert.equal(entry.method, 'GET');
  assert.equal(receiver.received(path).length, 1);
});

test('a GET postback appends percent-encoded params after the URL own query, which is kept verbatim', async () => {
  const { connector, path } = await connectorFor(receiver, {
    webhook: {
      url: `${receiver.url}/PATH?net=x&pre=a%20b&flag`,
      params: [{ name: 'note', value: '{{NOTE}}' }, { name: 'city name', value: '{{CITY}}' },
        { name: 'v', value: '{{VALUE}}' }],
    },
  });
  const note = 'Zoë & Co/+=?#%"<>';
  const id = await sendTest(connector.id, { event: 'Purchase', value: 49.9, currency: 'EUR',
    attributes: { note, city: '東京 & Åre' } });
  await waitForDelivery(connector.id, id);
  const [got] = receiver.received('/PATH');
  assert.equal(got.url,
    '/PATH?net=x&pre=a%20b&flag&note=Zo%C3%AB%20%26%20Co%2F%2B%3D%3F%23%25%22%3C%3E'
    + '&city%20name=%E6%9D%B1%E4%BA%AC%20%26%20%C3%85re&v=49.9');
  assert.equal(got.query.get('note'), note, 'the partner decodes exactly the value we hold');
  assert.equal(got.query.get('city name'), '東京 & Åre');
  assert.equal(receiver.received(path).length, 0);
});

test('a POST postback sends the params as a JSON object with the configured headers', async () => {
  const { connector, path } = await connectorFor(receiver, {
    webhook: {
      method: 'POST',
      params: [{ name: 'event', value: '{{EVENT_NAME}}' }, { name: 'value', value: '{{VALUE}}' },
        { name: 'currency', value: '{{CURRENCY}}' }, { name: 'name', value: '{{FULL_NAME}}' },
        { name: 'ts', value: '{{TIMESTAMP}}' }, { name: 'fixed', value: 'literal 7' }],
      headers: [{ name: 'Authorization', value: 'Bearer abc123def456ghi' }, { name: 'X-Partner', value: 'net-x' }],
      event_renames: { Purchase: 'sale' },
    },
  });
  const id = await sendTest(connector.id, { event: 'Purchase', value: '49.90', currency: 'usd',
    attributes: { full_name: 'Zoë "Q" <b>\u2028' } });
  await waitForDelivery(connector.id, id);
  const [got] = receiver.received(path);
  assert.equal(got.method, 'POST');
  assert.equal(got.headers['content-type'], 'application/json');
  assert.match(got.headers['user-agent'], /^postclick\/\d+\.\d+\.\d+/);
  assert.equal(got.headers['idempotency-key'], id);
  assert.equal(got.headers.authorization, 'Bearer abc123def456ghi');
  assert.equal(got.headers['x-partner'], 'net-x');
  const body = JSON.parse(got.body);
  assert.deepEqual(Object.keys(body), ['event', 'value', 'currency', 'name', 'ts', 'fixed']);
  assert.equal(body.event, 'sale');
  assert.equal(body.value, 49.9, 'VALUE is a JSON number');
  assert.equal(typeof body.ts, 'number');
  assert.equal(body.currency, 'USD');
  assert.equal(body.name, 'Zoë "Q" <b>\u2028');
  assert.equal(body.fixed, 'literal 7');
});

test('a signed postback verifies with the Standard Webhooks algorithm, freshly signed per attempt', async () => {
  const { connector, path } = await connectorFor(receiver, {
    webhook: { method: 'POST', signing_secret: SECRET, params: [{ name: 'v', value: '{{VALUE}}' }] },
  });
  receiver.script(path, { status: 500 }, { status: 200 });
  const id = await sendTest(connector.id);
  await waitForDelivery(connector.id, id);
  const got = receiver.received(path);
  assert.equal(got.length, 2);
  for (const request of got) {
    assert.equal(request.headers['webhook-id'], id);
    assert.ok(verifyStandardWebhook(SECRET, request.headers, request.body), 'the signature verifies');
    assert.ok(!verifyStandardWebhook(SECRET, request.headers, `${request.body} `), 'a changed body does not');
  }
  assert.ok(Number(got[1].headers['webhook-timestamp']) >= Number(got[0].headers['webhook-timestamp']));
});

test('a receiver answering 500 then 200 gets one retry, and the delivery is delivered with 2 attempts', async () => {
  const { connector, path } = await connectorFor(receiver);
  receiver.script(path, { status: 500, body: 'boom' }, { status: 200, body: 'ok' });
  const id = await sendTest(connector.id);
  const entry = await waitForDelivery(connector.id, id);
  assert.equal(entry.status, 'delivered');
  assert.equal(entry.attempt, 2);
  assert.deepEqual(entry.attempts.map((a) => a.response_code), [500, 200]);
  assert.equal(entry.attempts[0].error, 'HTTP 500');
  assert.equal(entry.attempts[0].response_body, 'boom');
  const got = receiver.received(path);
  assert.equal(got.length, 2);
  assert.equal(got[0].headers['idempotency-key'], got[1].headers['idempotency-key'], 'stable across retries');
  assert.ok(got[1].at - got[0].at >= DELAYS_S[0] * 1000 * 0.8 - 50, 'the retry waited its scheduled delay');
});

test('a receiver answering 429 with Retry-After is retried no sooner than it asked', async () => {
  const { connector, path } = await connectorFor(receiver);
  receiver.script(path, { status: 429, headers: { 'retry-after': '3' } }, { status: 200 });
  const id = await sendTest(connector.id);
  const entry = await waitForDelivery(connector.id, id);
  assert.equal(entry.status, 'delivered');
  assert.equal(entry.attempts[0].error, 'HTTP 429 (Retry-After: 3 s)');
  const got = receiver.received(path);
  assert.equal(got.length, 2);
  assert.ok(got[1].at - got[0].at >= 2900, `waited ${got[1].at - got[0].at} ms, asked for 3 s`);
});

test('a receiver answering 410 parks its destination at once: the delivery is kept as the probe, never dead-lettered', async () => {
  const { connector, path } = await connectorFor(receiver);
  receiver.script(path, { status: 410, body: 'gone' });
  const id = await sendTest(connector.id);
  const entry = await waitForDelivery(connector.id, id, (d) => d.attempts.length >= 2);
  assert.equal(entry.status, 'retrying');
  assert.equal(entry.dead_lettered_at, null);
  assert.equal(entry.attempts[0].response_code, 410);
  assert.equal(entry.attempts[0].error, 'HTTP 410');
  const state = (await call('GET', `/admin/api/connectors/${connector.id}/destination`)).json;
  assert.equal(state.state, 'parked');
  assert.equal(state.reason, 'the partner answered 410 Gone');
  assert.equal(state.probe_delivery_id, id);
});

test('an attempt with no answer within the timeout is logged as a timeout and retried', async () => {
  const { connector, path } = await connectorFor(receiver);
  receiver.script(path, { status: 200, delayMs: (TIMEOUT_S + 2) * 1000 }, { status: 200, body: 'fast' });
  const id = await sendTest(connector.id);
  const entry = await waitForDelivery(connector.id, id);
  assert.equal(entry.status, 'delivered');
  assert.equal(entry.attempts.length, 2);
  assert.equal(entry.attempts[0].response_code, null);
  assert.equal(entry.attempts[0].error, `timeout: no answer within ${TIMEOUT_S} s`);
  assert.ok(entry.attempts[0].latency_ms >= TIMEOUT_S * 1000 - 100);
  assert.ok(entry.attempts[0].latency_ms < (TIMEOUT_S + 2) * 1000, 'the attempt did not wait for the slow answer');
  assert.equal(entry.attempts[1].response_body, 'fast');
});

test('an always-failing receiver ends failed and dead-lettered after the last scheduled attempt', async () => {
  const { connector, path } = await connectorFor(receiver);
  receiver.script(path, { status: 503, body: 'down' });
  const id = await sendTest(connector.id);
  const entry = await waitForDelivery(connector.id, id, (d) => d.dead_lettered_at !== null, 60_000);
  assert.equal(entry.status, 'failed');
  assert.equal(entry.attempt, MAX_ATTEMPTS);
  assert.deepEqual(entry.attempts.map((a) => a.attempt), [...Array(MAX_ATTEMPTS).keys()].map((i) => i + 1));
  assert.equal(entry.error, `HTTP 503; gave up after ${MAX_ATTEMPTS} attempts`);
  assert.equal(entry.next_attempt_at, null);
  assert.equal(receiver.received(path).length, MAX_ATTEMPTS);
});

test('a connection the partner refuses is a network error and is retried', async () => {
  const closed = await startReceiver();
  const url = `${closed.url}/nobody-home`;
  await closed.close();
  const { connector } = await connectorFor(receiver, { webhook: { url } });
  const id = await sendTest(connector.id);
  const entry = await waitForDelivery(connector.id, id, (d) => d.attempts.length >= 2);
  assert.equal(entry.attempts[0].response_code, null);
  assert.match(entry.attempts[0].error, /^network error: /);
});

test('each attempt reaches the partner exactly once, even with many deliveries and a sweep in flight', async () => {
  const setups = await Promise.all([...Array(12)].map(() => connectorFor(receiver)));
  for (const { path } of setups) receiver.script(path, { status: 500 }, { status: 200 });
  const ids = await Promise.all(setups.map(({ connector }) => sendTest(connector.id)));
  const sweep = await call('GET', '/cdn-cgi/handler/scheduled?cron=*/5+*+*+*+*', { token: null });
  assert.equal(sweep.status, 200);
  const entries = await Promise.all(setups.map(({ connector }, i) => waitForDelivery(connector.id, ids[i])));
  const received = setups.flatMap(({ path }) => receiver.received(path));
  for (const entry of entries) {
    assert.equal(entry.status, 'delivered');
    const sent = received.filter((r) => r.headers['idempotency-key'] === entry.id);
    assert.equal(sent.length, entry.attempts.length, `${entry.id}: one request per logged attempt`);
    assert.deepEqual(entry.attempts.map((a) => a.attempt), [1, 2]);
  }
  assert.equal(received.length, ids.length * 2);
});

test('the Test Webhook refuses a connector without a webhook URL, a malformed body and an unknown id', async () => {
  const { connector } = await connectorFor(receiver);
  const pixelOnly = await admin.createConnector(connector.container_id, {
    name: 'Pixel only', trigger_events: ['Purchase'], webhook: { enabled: false },
    pixel: { enabled: true, html: '<img src="https://px.example/p">' },
  });
  assert.equal(pixelOnly.status, 201);
  const noUrl = await admin.testConnector(pixelOnly.json.id);
  assert.equal(noUrl.status, 422);
  assert.equal(noUrl.json.error.code, 'no_webhook');

  const text = await call('POST', `/admin/api/connectors/${connector.id}/test`, { raw: 'hello', headers: { 'content-type': 'text/plain' } });
  assert.equal(text.status, 415);
  const bad = await call('POST', `/admin/api/connectors/${connector.id}/test`, { raw: '{"event":', headers: { 'content-type': 'application/json' } });
  assert.equal(bad.status, 400);
  const badEvent = await admin.testConnector(connector.id, { currency: 'EURO' });
  assert.equal(badEvent.status, 422);
  assert.equal(badEvent.json.error.field, 'event.currency');
  const unknown = await admin.testConnector('con_doesnotexist00');
  assert.equal(unknown.status, 404);
  const anonymous = await call('POST', `/admin/api/connectors/${connector.id}/test`, { token: null });
  assert.equal(anonymous.status, 401);
  const log = await admin.deliveries(connector.id);
  assert.deepEqual(log.json.data, [], 'nothing refused was logged or sent');
});
