// How /webhook decodes its query and form body: percent-encoded bytes that are not UTF-8 are
// refused naming the parameter (never replaced with U+FFFD, which made distinct event ids
// collide), a key given twice is refused before it is used, and `status` given twice without
// `track` says so. Each refusal stores nothing; a valid percent-encoded UTF-8 id still works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, sql, sqlText, unique } from '../harness/app.mjs';
import { activity, eventById, eventsOf, keyedContainer, webhookGet, webhookPost } from '../harness/webhooks.mjs';

/** `GET /webhook?{raw}` with the query sent exactly as written (percent escapes untouched). */
const rawGet = (raw) => call('GET', `/webhook?${raw}`, { token: null });

/** `POST /webhook` with a form body sent exactly as written. */
const rawForm = (body, query = '') => call('POST', `/webhook${query ? `?${query}` : ''}`, {
  token: null, raw: body, headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

function assertRefused(res, code, field) {
  assert.equal(res.status, 422, res.text);
  assert.equal(res.json?.error?.code, code, res.text);
  assert.equal(res.json.error.field, field, res.text);
  assert.ok(res.json.error.message.includes(field), res.text);
}

test('an event id whose percent-encoded bytes are not UTF-8 is refused, logged against the key\'s container, and stores nothing', async () => {
  const { container, key } = await keyedContainer();
  const base = `k=${key}&track=Purchase&value=1&currency=EUR`;
  for (const id of ['u8q-%FF%FE', 'u8q-%FE%FF', 'u8q-%C3']) {
    assertRefused(await rawGet(`${base}&eventId=${id}`), 'invalid_encoding', 'eventId');
  }
  assertRefused(await rawForm(`${base}&eventId=u8p-%FF%FE`), 'invalid_encoding', 'eventId');
  assertRefused(await rawForm('track=Purchase&eventId=u8p-%FE%FF', `k=${key}`), 'invalid_encoding', 'eventId');
  assert.deepEqual(eventsOf(container.id), []);
  const log = (await activity(container.id)).json.data;
  // A key in the query is still read, so those refusals are the container's to see; a form body
  // that does not decode hides the key inside it, as any unreadable body does (refused keyless).
  assert.equal(log.length, 4);
  assert.ok(log.every((a) => a.status === 'validation_error' && a.http_status === 422 && a.error_code === 'invalid_encoding'));
});

test('valid percent-encoded UTF-8 ids are kept as sent, and ids that once collided stay apart', async () => {
  const { container, key } = await keyedContainer();
  const base = `k=${key}&track=Purchase&value=1&currency=EUR`;
  const sent = [
    ['u8q-%EF%BF%BD%EF%BF%BD', 'u8q-\uFFFD\uFFFD'],
    ['u8q-%C3%A9', 'u8q-é'],
  ];
  for (const [raw, id] of sent) {
    const res = await rawGet(`${base}&eventId=${raw}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.duplicate, false, `${id} is a new event`);
    assert.equal(eventById(container.id, id)?.event_id, id);
  }
  const form = await rawForm(`${base}&eventId=u8p-%C3%A9`);
  assert.equal(form.status, 200, form.text);
  assert.equal(eventById(container.id, 'u8p-é')?.event_id, 'u8p-é');
  // The bytes that used to become U+FFFD are refused rather than answered as a duplicate.
  assertRefused(await rawGet(`${base}&eventId=u8q-%FF%FE`), 'invalid_encoding', 'eventId');
  assert.equal(eventsOf(container.id).length, 3);
});

test('a key given twice, or one that does not decode, is refused before it is used, keyless', async () => {
  const a = await keyedContainer();
  const b = await keyedContainer();
  const eventId = unique('twice-');
  const attempts = [
    rawGet(`k=${a.key}&k=${b.key}&track=Purchase&eventId=${eventId}`),
    rawGet(`k=${a.key}&K=${a.key}&track=Purchase&eventId=${eventId}`),
    rawForm(`k=${b.key}&track=Purchase&eventId=${eventId}`, `k=${a.key}`),
    webhookPost({ query: { k: a.key }, json: { k: b.key, track: 'Purchase', eventId } }),
  ];
  for (const res of await Promise.all(attempts)) assertRefused(res, 'duplicate_parameter', 'k');
  assertRefused(await rawGet(`k=pck_%FF${a.key.slice(5)}&track=Purchase&eventId=${eventId}`), 'invalid_encoding', 'k');
  for (const { container } of [a, b]) {
    assert.deepEqual(eventsOf(container.id), []);
    assert.deepEqual((await activity(container.id)).json.data, [], 'which container the request is for is unknown');
  }
});

test('status given twice without track is one parameter given twice, and changes nothing', async () => {
  const { container, key } = await keyedContainer();
  const eventId = unique('st-');
  assert.equal((await webhookGet({ k: key, track: 'Purchase', value: '5', currency: 'EUR', eventId })).status, 200);
  const twice = await webhookGet([['k', key], ['eventId', eventId], ['status', 'approved'], ['status', 'reversed']]);
  assertRefused(twice, 'duplicate_parameter', 'status');
  assert.match(twice.json.error.message, /more than once/);
  assert.doesNotMatch(twice.json.error.message, /attribute/);
  const [row] = sql(`SELECT status FROM events WHERE container_id = ${sqlText(container.id)} AND event_id = ${sqlText(eventId)}`);
  assert.equal(row.status, 'received');
  const once = await webhookGet({ k: key, eventId, status: 'approved' });
  assert.equal(once.status, 200, once.text);
});

test('the admin API\'s filters refuse a repeated or undecodable parameter', async () => {
  const { container } = await keyedContainer();
  const base = `/admin/api/containers/${container.id}`;
  const cases = [
    [`${base}/events?limit=1&limit=2`, 'duplicate_parameter', 'limit'],
    [`${base}/events?event_id=a&event_id=b`, 'duplicate_parameter', 'event_id'],
    [`${base}/events?event_id=%FF`, 'invalid_encoding', 'event_id'],
    [`${base}/explain?event_id=%FF%FE`, 'invalid_encoding', 'event_id'],
    [`${base}/subjects?email=a%FF%40example.com`, 'invalid_encoding', 'email'],
    [`/admin/api/containers?limit=5&limit=5`, 'duplicate_parameter', 'limit'],
  ];
  for (const [path, code, field] of cases) assertRefused(await call('GET', path), code, field);
  assert.equal((await call('GET', `${base}/events?event_id=%C3%A9`)).status, 200);
});
