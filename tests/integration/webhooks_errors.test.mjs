// Every refusal of the inbound webhooks: 401, 404, 413, 415, 422 and 429, what each logs, and
// that a refused request stores nothing but its activity row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, sqlText, unique } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { activity, apiKeys, customWebhook, eventsOf, keyedContainer, webhookGet, webhookPost } from '../harness/webhooks.mjs';

const UNKNOWN_KEY = `pck_${'A'.repeat(43)}`;

function assertError(res, status, code) {
  assert.equal(res.status, status, res.text);
  assert.equal(res.json?.error?.code, code, res.text);
  assert.ok(res.json.error.message.length > 0);
}

test('a missing, malformed or unknown key on /webhook is a 401 and stores nothing', async () => {
  const { container, key } = await keyedContainer();
  const eventId = unique('nokey-');
  const attempts = [
    webhookGet({ track: 'Purchase', eventId }),
    webhookGet({ k: UNKNOWN_KEY, track: 'Purchase', eventId }),
    webhookGet({ k: ` ${key}`, track: 'Purchase', eventId }),
    webhookGet({ k: key.replace('pck_', 'td_wh_'), track: 'Purchase', eventId }),
    webhookPost({ json: { k: UNKNOWN_KEY, track: 'Purchase', eventId } }),
    webhookGet({ track: 'Purchase', eventId }, { headers: { authorization: `Bearer ${UNKNOWN_KEY}` } }),
    webhookGet({ track: 'Purchase', eventId }, { headers: { authorization: `Basic ${key}` } }),
    webhookGet({ k: key, track: 'Purchase', eventId }, { headers: { authorization: `Bearer ${UNKNOWN_KEY}` } }),
  ];
  for (const res of await Promise.all(attempts)) {
    assertError(res, 401, 'unauthorized');
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
  }
  assert.deepEqual(eventsOf(container.id), []);
  assert.deepEqual((await activity(container.id)).json.data, [],
    'an unknown key names no container, so nothing is logged anywhere');
});

test('a missing, malformed, unknown or foreign key on a custom webhook is a 401, counted for the container but never listed', async () => {
  const { container, key } = await keyedContainer();
  const other = await keyedContainer();
  const body = { conversion_id: 'ORD-1', value: 1, currency: 'EUR' };
  const attempts = [
    customWebhook(container.id, 'purchase', body),
    customWebhook(container.id, 'purchase', body, { key: UNKNOWN_KEY }),
    customWebhook(container.id, 'purchase', body, { headers: { authorization: `Bearer  ${key}` } }),
    customWebhook(container.id, 'purchase', body, { key: other.key }),
    customWebhook(container.id, 'purchase', body, { headers: { authorization: key } }),
  ];
  for (const res of await Promise.all(attempts)) assertError(res, 401, 'unauthorized');
  assert.deepEqual(eventsOf(container.id), []);
  const activityOf = (await activity(container.id)).json;
  assert.deepEqual(activityOf.data, [], 'requests that are not the container\'s own callers are not listed');
  assert.equal(activityOf.unauthenticated.count, attempts.length, 'they are counted instead');
  assert.ok(Date.parse(activityOf.unauthenticated.last_at) <= Date.now());
  assert.deepEqual((await activity(other.container.id)).json.data, [], 'the key owner is not charged for it');
});

test('a revoked key gets 401 on both surfaces and the refusals are logged', async () => {
  const { container, key, keyId } = await keyedContainer();
  assert.equal((await webhookGet({ k: key, track: 'Lead' })).status, 200);
  assert.equal((await apiKeys.revoke(keyId)).status, 204);
  assertError(await webhookGet({ k: key, track: 'Lead', eventId: 'after-revoke-1' }), 401, 'unauthorized');
  assertError(await webhookPost({ bearer: key, json: { track: 'Lead', eventId: 'after-revoke-2' } }), 401, 'unauthorized');
  const custom = await customWebhook(container.id, 'lead', { conversion_id: 'after-revoke-3' }, { key });
  assertError(custom, 401, 'unauthorized');
  assert.match(custom.json.error.message, /revoked/);
  assert.equal(eventsOf(container.id).length, 1, 'only the event sent before revoking');
  const log = (await activity(container.id)).json.data;
  assert.deepEqual(log.map((a) => a.status), ['auth_error', 'auth_error', 'auth_error', 'success']);
});

test('an unknown container is 404 and an unknown topic is 404 unknown_topic', async () => {
  const { container, key } = await keyedContainer();
  for (const id of ['ctr_AAAAAAAAAAAAAAAAAAAAAA', 'nope', "ctr_'%20OR%201=1"]) {
    assertError(await customWebhook(id, 'purchase', { conversion_id: 'x' }, { key }), 404, 'not_found');
  }
  const res = await customWebhook(container.id, 'purchases', { conversion_id: 'x' }, { key });
  assertError(res, 404, 'unknown_topic');
  assert.equal(res.json.error.field, 'topic');
  assert.deepEqual(eventsOf(container.id), []);
  const log = (await activity(container.id)).json.data;
  assert.deepEqual(log.map((a) => [a.status, a.topic, a.http_status, a.error_code]),
    [['validation_error', 'purchases', 404, 'unknown_topic']]);
});

test('a body over 64 KiB is 413 and a wrong content type is 415 on both surfaces', async () => {
  const { container, key } = await keyedContainer();
  const big = { track: 'Purchase', eventAttributes: { pad: 'x'.repeat(1000) }, filler: 'y'.repeat(70 * 1024) };
  assertError(await webhookPost({ query: { k: key }, json: big }), 413, 'payload_too_large');
  assertError(await webhookPost({ query: { k: key }, raw: 'track=Purchase', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
  assertError(await webhookPost({ query: { k: key }, raw: '--b\r\n', headers: { 'content-type': 'multipart/form-data; boundary=b' } }), 415, 'unsupported_media_type');
  assertError(await customWebhook(container.id, 'purchase', { conversion_id: 'big', pad: 'x'.repeat(70 * 1024) }, { key }), 413, 'payload_too_large');
  assertError(await customWebhook(container.id, 'purchase', undefined, { key, raw: 'conversion_id=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
  assertError(await customWebhook(container.id, 'purchase', undefined, { key, raw: '{}' }), 415, 'unsupported_media_type');
  assert.deepEqual(eventsOf(container.id), []);
  const log = (await activity(container.id)).json.data;
  assert.deepEqual(log.map((a) => a.http_status).reverse(), [413, 415, 415, 413, 415, 415]);
  assert.ok(log.every((a) => a.status === 'validation_error'));
});

test('a body that cannot be read and carries no other key gets the body error, unlogged', async () => {
  const { container } = await keyedContainer();
  assertError(await webhookPost({ raw: '{"k": ', headers: { 'content-type': 'application/json' } }), 422, 'invalid_json');
  assertError(await webhookPost({ raw: 'k=x', headers: { 'content-type': 'text/csv' } }), 415, 'unsupported_media_type');
  assert.deepEqual((await activity(container.id)).json.data, []);
});

test('over the key\'s per-minute limit is 429 with Retry-After, and other keys are unaffected', async () => {
  const { container, key } = await keyedContainer({ rate: 3 });
  const second = await apiKeys.create(container.id, { name: 'second' });
  assert.equal(second.json.rate_limit_per_minute, 60, 'the default limit');
  // Start well inside a minute, so all requests share one window.
  await pollUntil(() => new Date().getSeconds() < 45, { timeoutMs: 20_000, what: 'the start of a minute' });
  for (let i = 0; i < 3; i++) assert.equal((await webhookGet({ k: key, track: 'Lead' })).status, 200);
  const limited = await webhookGet({ k: key, track: 'Lead', eventId: 'over-limit' });
  assertError(limited, 429, 'rate_limited');
  const retryAfter = Number(limited.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  assertError(await customWebhook(container.id, 'lead', { conversion_id: 'over-limit-2' }, { key }), 429, 'rate_limited');

  const other = await webhookGet({ k: second.json.key, track: 'Lead', eventId: 'other-key' });
  assert.equal(other.status, 200, 'another key has its own counter');
  assert.equal(eventsOf(container.id).length, 4);
  const log = (await activity(container.id)).json.data;
  assert.deepEqual(log.map((a) => a.status), ['success', 'rate_limited', 'rate_limited', 'success', 'success', 'success']);
  assert.ok(log.filter((a) => a.status === 'rate_limited').every((a) => a.http_status === 429 && a.error_code === 'rate_limited'));
});

test('the activity log keeps only the container\'s last 20 requests, newest first', async () => {
  const { container, key } = await keyedContainer();
  for (let i = 0; i < 23; i++) {
    const res = await webhookGet({ k: key, track: `Step${i}`, eventId: `step-${i}` });
    assert.equal(res.status, 200);
  }
  const log = (await activity(container.id)).json.data;
  assert.equal(log.length, 20);
  assert.equal(log[0].topic, 'Step22');
  assert.equal(log[19].topic, 'Step3');
  assert.ok(Date.parse(log[0].received_at) >= Date.parse(log[19].received_at));
  assert.deepEqual(Object.keys(log[0]).sort(),
    ['error_code', 'event_id', 'http_status', 'id', 'provenance', 'received_at', 'session_matched', 'status', 'topic']);
  assert.equal(log[0].provenance, 'server', 'a request its key authenticated');
  const stored = sql(`SELECT COUNT(*) AS n FROM webhook_requests WHERE container_id = ${sqlText(container.id)}`);
  assert.deepEqual(stored, [{ n: 20 }], 'older rows are deleted, not just hidden');
});

test('hostile webhook input never causes a 500', async () => {
  const { container, key } = await keyedContainer();
  let deep = '1';
  for (let i = 0; i < 3000; i++) deep = `[${deep}]`;
  const json = { 'content-type': 'application/json' };
  const attempts = [
    webhookPost({ query: { k: key }, raw: deep, headers: json }),
    webhookPost({ query: { k: key }, raw: '[]', headers: json }),
    webhookPost({ query: { k: key }, raw: '"x"', headers: json }),
    webhookPost({ query: { k: key }, raw: '{"track": {"a": 1}}', headers: json }),
    webhookPost({ query: { k: key }, raw: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), headers: json }),
    webhookGet({ k: key, track: 'x'.repeat(5000) }),
    webhookGet({ k: key, track: 'Purchase', 'eventAttributes[a][b]': '1' }),
    webhookGet({ k: key, track: 'Purchase', eventAttributes: '{"a":' }),
    webhookGet({ k: key, track: 'Purchase', value: '1e400', currency: 'EUR' }),
    webhookGet({ k: key, track: 'Purchase', email: 'a\u0000b@example.com' }),
    webhookGet([['k', key], ['track', 'A'], ['track', 'B']]),
    webhookGet(Object.fromEntries([['k', key], ['track', 'Purchase'], ...Array.from({ length: 200 }, (_, i) => [`p${i}`, 'v'])])),
    customWebhook(container.id, 'custom', undefined, { key, raw: deep, headers: json }),
    customWebhook(container.id, 'custom', { event_name: 'E', products: 'many' }, { key }),
    customWebhook(container.id, 'custom', { event_name: 'E', click_ids: { 'Bad Name': 'x' } }, { key }),
    customWebhook(container.id, '%2e%2e', { event_name: 'E' }, { key }),
  ];
  for (const res of await Promise.all(attempts)) {
    assert.ok(res.status >= 400 && res.status < 500, `${res.status} ${res.text.slice(0, 200)}`);
    assert.ok(res.json?.error?.code, 'every error has the JSON shape');
  }
  assert.deepEqual(eventsOf(container.id), []);
});
