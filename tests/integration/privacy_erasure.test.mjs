// Erasure and export of one person's data: every table, a queued delivery that must not be
// sent afterwards, an answer per table, idempotence, and a record without the personal data.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { admin, call, sql, sqlText, unique } from '../harness/app.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { collect, Jar, SITE_ORIGIN, visitorIdOf } from '../harness/tracking.mjs';
import { keyedContainer, customWebhook, webhookGet, sha256 } from '../harness/webhooks.mjs';

const receiver = await startReceiver();
after(() => receiver.close());

const rows = (table, containerId) => sql(`SELECT * FROM ${table} WHERE container_id = ${sqlText(containerId)}`);

/** A person with a click, identities, a profile, two events, webhook activity and deliveries. */
async function person(email) {
  const { container, key } = await keyedContainer();
  const path = `/${unique('erase-')}`;
  const connector = await admin.createConnector(container.id, {
    name: unique('Net '), trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`,
      params: [{ name: 'email', value: '{{EMAIL}}' }, { name: 'value', value: '{{VALUE}}' }] },
  });
  assert.equal(connector.status, 201, connector.text);
  const jar = new Jar();
  await collect(container.id, `${SITE_ORIGIN}/?gclid=Cj0-${unique()}&utm_source=google`, { jar });
  const visitor = visitorIdOf(jar.get('pc_vid'));
  // The first purchase is delivered; the second fails once and waits for its retry.
  receiver.script(path, { status: 200, body: 'ok' }, { status: 500, body: 'down' }, { status: 200, body: 'ok' });
  const first = await customWebhook(container.id, 'purchase', { conversion_id: unique('o-'), value: 10, currency: 'EUR',
    visitor_id: visitor, user_data: { email } }, { key });
  assert.equal(first.status, 200, first.text);
  await pollUntil(() => receiver.received(path).length === 1, { what: 'the first postback' });
  const set = await webhookGet({ k: key, email, city: 'Helsinki' });
  assert.equal(set.status, 200, set.text);
  const second = await customWebhook(container.id, 'purchase', { conversion_id: unique('o-'), value: 20, currency: 'EUR',
    user_data: { email } }, { key });
  assert.equal(second.status, 200, second.text);
  await pollUntil(() => rows('deliveries', container.id).some((d) => d.status === 'retrying'), { what: 'a delivery waiting for its retry' });
  return { container, key, path, visitor };
}

test('erasure removes the person from every table, drops a queued delivery, reports per table and records only a hash', async () => {
  const email = `${unique('jane')}@example.com`;
  const { container, path, visitor } = await person(email);
  const before = receiver.received(path).length;
  const res = await call('POST', `/admin/api/containers/${container.id}/erasures`, { body: { email: email.toUpperCase() } });
  assert.equal(res.status, 200, res.text);
  assert.match(res.json.id, /^era_/);
  const removed = res.json.removed;
  assert.ok(removed.clicks >= 2, JSON.stringify(removed));
  assert.ok(removed.identities >= 1 && removed.visitors === 1 && removed.events === 2, JSON.stringify(removed));
  assert.ok(removed.webhook_activity >= 2 && removed.deliveries === 2, JSON.stringify(removed));

  assert.deepEqual(rows('clicks', container.id), []);
  assert.deepEqual(rows('identities', container.id), []);
  assert.deepEqual(rows('pending_identities', container.id), []);
  assert.deepEqual(rows('visitors', container.id), []);
  const events = rows('events', container.id);
  assert.equal(events.length, 2, 'events stay for reconciliation');
  for (const e of events) {
    assert.equal(e.visitor_id, null);
    const payload = JSON.parse(e.payload);
    assert.equal(payload.user, undefined);
    assert.equal(payload.clicks, undefined);
    assert.ok([10, 20].includes(e.value), 'the conversion facts stay');
  }
  assert.deepEqual(rows('webhook_requests', container.id).filter((a) => a.event_id), []);
  const deliveries = rows('deliveries', container.id);
  assert.equal(deliveries.length, 2);
  for (const d of deliveries) {
    assert.equal(d.request, null);
    assert.equal(d.body, null);
    assert.doesNotMatch(d.url ?? '', /example\.com|%40/);
  }
  assert.ok(deliveries.some((d) => d.status === 'skipped' && d.reason === 'erased'), 'the waiting delivery is settled');
  assert.ok(deliveries.some((d) => d.status === 'delivered'), 'the delivered marker stays');

  // The retry message was already queued: it must arrive at the consumer and send nothing.
  const settled = await pollUntil(() => {
    const d = rows('deliveries', container.id).find((x) => x.reason === 'erased');
    return d && d.next_attempt_at === null ? d : null;
  }, { what: 'the erased delivery settled' });
  assert.equal(settled.status, 'skipped');
  const everything = JSON.stringify(['clicks', 'events', 'identities', 'visitors', 'deliveries', 'webhook_requests', 'erasures', 'erased_subjects']
    .map((t) => rows(t, container.id)));
  assert.ok(!everything.includes(email) && !everything.includes(email.toLowerCase()), 'no raw email anywhere');
  assert.ok(!everything.includes(visitor), 'no visitor id anywhere');
  assert.ok(!everything.includes(sha256(email)), 'not even the email hash matching used');
  const [record] = rows('erasures', container.id);
  assert.equal(record.kind, 'email');
  assert.equal(record.subject_hash, res.json.subject.hash);
  assert.deepEqual(JSON.parse(record.removed), removed);
  // The retry was queued about 1 s (the tests' schedule, ±20%) after the failure: once that
  // window has passed, its message has come and been dropped.
  const failedAt = receiver.received(path).at(-1).at;
  await pollUntil(() => Date.now() > failedAt + 4000, { timeoutMs: 10_000, what: 'the retry window to pass' });
  assert.equal(receiver.received(path).length, before, 'nothing was sent after the erasure');

  const again = await call('POST', `/admin/api/containers/${container.id}/erasures`, { body: { email } });
  assert.equal(again.status, 200);
  assert.equal(again.json.id, res.json.id, 'idempotent: the same erasure');
  assert.ok(Object.values(again.json.removed).every((n) => n === 0), JSON.stringify(again.json.removed));
});

test('export lists everything held about a person and nothing about anyone else', async () => {
  const email = `${unique('sam')}@example.com`;
  const { container, visitor } = await person(email);
  const other = await customWebhook(container.id, 'purchase', { conversion_id: unique('o-'), user_data: { email: 'other@example.com' } },
    { key: (await call('POST', `/admin/api/containers/${container.id}/api-keys`, { body: { name: 'k2' } })).json.key });
  assert.equal(other.status, 200);
  const res = await call('GET', `/admin/api/containers/${container.id}/subjects?email=${encodeURIComponent(email)}`);
  assert.equal(res.status, 200, res.text);
  const data = res.json;
  assert.deepEqual(data.visitors, [visitor]);
  assert.equal(data.events.length, 2);
  assert.ok(data.events.every((e) => typeof e.payload === 'object'));
  assert.ok(data.clicks.some((c) => c.param === 'gclid'));
  assert.ok(data.identities.some((i) => i.kind === 'email_sha256' && i.value === sha256(email)));
  assert.equal(data.visitor_profiles.length, 1);
  assert.ok(data.deliveries.length >= 1);
  assert.ok(data.webhook_activity.length >= 2);
  assert.ok(!JSON.stringify(data).includes('other@example.com') && !JSON.stringify(data).includes(sha256('other@example.com')));
  for (const [query, field] of [['', undefined], ['?email=a@b.com&phone=%2B358401234567', 'phone'], ['?email=nope', 'email']]) {
    const bad = await call('GET', `/admin/api/containers/${container.id}/subjects${query}`);
    assert.equal(bad.status, 422, query);
    assert.equal(bad.json.error.field, field);
  }
  const byVisitor = await call('GET', `/admin/api/containers/${container.id}/subjects?visitor_id=${visitor}`);
  assert.equal(byVisitor.json.events.length, 2, 'by visitor id: both events matched to that visitor (the second by email)');
  assert.deepEqual(byVisitor.json.visitors, [visitor]);
});
