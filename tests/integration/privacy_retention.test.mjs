// Retention per container: with a short retention, the scheduled handler purges what is past it
// in bounded batches and keeps what it must (clicks inside an attribution window, pending
// deliveries, the delivered marker while its event lives); another container keeps everything.
// The worker is this test's own, so it can be stopped while the test ages rows as time would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sqlText, unique } from '../harness/app.mjs';
import { queryD1, executeD1 } from '../harness/worker.mjs';
import { ownWorker } from '../harness/own_worker.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { collect, Jar, SITE_ORIGIN } from '../harness/tracking.mjs';

const DAY = 86_400_000;
const VARS = { RETRY_SCHEDULE: '1s,1s,2s', DELIVERY_TIMEOUT_S: '3' };
let worker;
let api;
const receiver = await startReceiver();

const own = ownWorker({ vars: VARS });
before(async () => ({ worker, call: api } = await own.ready));
after(() => receiver.close());

const sql = (q) => queryD1(worker.stateDir, q);
const count = (table, id, where = '1') =>
  sql(`SELECT COUNT(*) AS n FROM ${table} WHERE container_id = ${sqlText(id)} AND ${where}`)[0].n;

/** A container with a click, identities, a visitor profile, events, activity and deliveries. */
async function filled(retention) {
  const container = (await api('POST', '/admin/api/containers', { body: { name: unique('shop-'),
    cookie_domain: 'shop.localhost.test', allowed_origins: [SITE_ORIGIN], retention_days: retention } })).json;
  const key = (await api('POST', `/admin/api/containers/${container.id}/api-keys`, { body: { name: 'k' } })).json.key;
  const path = `/${unique('ret-')}`;
  const connector = await api('POST', `/admin/api/containers/${container.id}/connectors`, { body: {
    name: 'Net', trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`, params: [{ name: 'v', value: '{{VALUE}}' }] },
    click_id: { enabled: true, param: 'aff_id', attribution: 'any_click', window_days: 30 } } });
  assert.equal(connector.status, 201, connector.text);
  const jar = new Jar();
  await collect(container.id, `${SITE_ORIGIN}/?aff_id=A1&gclid=G1`, { jar, base: worker.url });
  // The landing's clicks reach D1 through the clicks queue; the shop's server reports later.
  await pollUntil(() => count('clicks', container.id) === 2, { what: 'the landing\'s clicks' });
  const custom = (body) => api('POST', `/webhooks/custom/${container.id}/purchase`, { token: key, body });
  assert.equal((await custom({ conversion_id: unique('o-'), value: 5, currency: 'EUR', visitor_id: jar.get('pc_vid'), user_data: { email: 'r@example.com' } })).status, 200);
  assert.equal((await api('GET', `/webhook?${new URLSearchParams({ k: key, email: 'r@example.com', city: 'Oulu' })}`, { token: null })).status, 200);
  await pollUntil(() => count('deliveries', container.id, "status = 'delivered'") === 1, { what: 'the delivery' });
  const test = await api('POST', `/admin/api/connectors/${connector.json.id}/test`);
  assert.equal(test.status, 202);
  await pollUntil(() => count('deliveries', container.id, "status = 'delivered'") === 2, { what: 'the test delivery' });
  return container;
}

test('the scheduled handler purges what is past each container\'s retention and keeps what it must', async () => {
  const short = await filled({ events: 60, clicks: 1, identities: 1, visitors: 1, deliveries: 1, activity: 1 });
  const kept = await filled(null);
  // A finished delivery that failed, and one still waiting for its retry, for the short one.
  const [delivered] = sql(`SELECT * FROM deliveries WHERE container_id = ${sqlText(short.id)} AND event_row_id IS NOT NULL`);
  const now = Date.now();
  const age = (days) => now - days * DAY;
  await own.restart((stateDir) => [short, kept].forEach((c) => {
    const id = sqlText(c.id);
    executeD1(stateDir, `
      UPDATE clicks SET created_at = ${age(40)} WHERE container_id = ${id} AND param = 'gclid';
      UPDATE clicks SET created_at = ${age(10)} WHERE container_id = ${id} AND param = 'aff_id';
      UPDATE identities SET created_at = ${age(40)} WHERE container_id = ${id};
      UPDATE visitors SET updated_at = ${age(40)} WHERE container_id = ${id};
      UPDATE events SET created_at = ${age(40)} WHERE container_id = ${id};
      UPDATE webhook_requests SET received_at = ${age(40)} WHERE container_id = ${id};
      UPDATE deliveries SET created_at = ${age(40)} WHERE container_id = ${id};
      INSERT INTO deliveries (id, container_id, connector_id, status, idempotency_key, created_at, updated_at, next_attempt_at, request)
        SELECT 'dlv_pending' || substr(${id}, 5), container_id, connector_id, 'retrying', 'k-pending' || container_id, ${age(40)}, ${age(40)}, ${now + DAY}, request
        FROM deliveries WHERE container_id = ${id} LIMIT 1;
      INSERT INTO deliveries (id, container_id, connector_id, status, idempotency_key, created_at, updated_at)
        SELECT 'dlv_failed' || substr(${id}, 5), container_id, connector_id, 'failed', 'k-failed' || container_id, ${age(40)}, ${age(40)}
        FROM deliveries WHERE container_id = ${id} LIMIT 1;`);
  }));
  ({ worker, call: api } = await own.ready);
  const swept = await fetch(`${worker.url}/cdn-cgi/handler/scheduled?cron=*/5+*+*+*+*`);
  assert.equal(swept.status, 200);
  await pollUntil(() => count('clicks', short.id, "param = 'gclid'") === 0, { what: 'the purge' });

  assert.equal(count('clicks', short.id, "param = 'aff_id'"), 1, 'a click inside a connector\'s 30-day window stays');
  assert.equal(count('identities', short.id), 0);
  assert.equal(count('visitors', short.id), 0);
  assert.equal(count('webhook_requests', short.id), 0);
  assert.equal(count('events', short.id), 1, 'events are kept 60 days here');
  assert.equal(count('deliveries', short.id, "status = 'failed'"), 0, 'a finished delivery past retention goes');
  assert.equal(count('deliveries', short.id, "status = 'retrying'"), 1, 'a pending delivery is never purged');
  const marker = sql(`SELECT * FROM deliveries WHERE id = ${sqlText(delivered.id)}`)[0];
  assert.equal(marker.status, 'delivered', 'the delivered marker stays while its event lives');
  assert.equal(marker.request, null);
  assert.equal(marker.url, null);
  assert.equal(count('deliveries', short.id, "status = 'delivered' AND event_row_id IS NULL"), 0, 'a test send has no event to reverse');
  assert.equal(sql(`SELECT COUNT(*) AS n FROM delivery_attempts WHERE delivery_id = ${sqlText(delivered.id)}`)[0].n, 0);

  for (const [table, n] of [['clicks', 2], ['identities', 1], ['visitors', 1], ['events', 1]]) {
    assert.equal(count(table, kept.id), n, `the default 400 days keep ${table}`);
  }
  assert.equal(count('webhook_requests', kept.id), 0, 'activity keeps the default 30 days');
  assert.deepEqual(sql(`SELECT status FROM deliveries WHERE container_id = ${sqlText(kept.id)} ORDER BY status`).map((d) => d.status),
    ['delivered', 'retrying'], 'past the default 30 days: the marker of the event and the pending row stay');

  // Once the event's own retention is shorter, the event and its marker go together.
  const patched = await api('PATCH', `/admin/api/containers/${short.id}`, { body: { retention_days: { events: 30 } } });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.json.retention_days.events, 30);
  assert.equal(patched.json.retention_days.deliveries, 1);
  assert.equal(patched.json.retention_days.clicks, 30, 'clicks are answered with the connector\'s 30-day window, as the purge keeps them');
  await fetch(`${worker.url}/cdn-cgi/handler/scheduled?cron=*/5+*+*+*+*`);
  await pollUntil(() => count('events', short.id) === 0, { what: 'the event purge' });
  assert.equal(sql(`SELECT COUNT(*) AS n FROM deliveries WHERE id = ${sqlText(delivered.id)}`)[0].n, 0);
  assert.equal(count('deliveries', short.id, "status = 'retrying'"), 1);
});

test('retention settings are checked and answered per kind of data', async () => {
  const made = await api('POST', '/admin/api/containers', { body: { name: 'x', cookie_domain: 'shop.localhost.test',
    retention_days: { events: 90 } } });
  assert.equal(made.status, 201, made.text);
  assert.deepEqual(made.json.retention_days, { events: 90, clicks: 400, identities: 400, visitors: 400, deliveries: 30, activity: 30 });
  for (const [body, field] of [[{ events: 0 }, 'retention_days.events'], [{ logs: 3 }, 'retention_days.logs'], [{ clicks: '7' }, 'retention_days.clicks']]) {
    const res = await api('PATCH', `/admin/api/containers/${made.json.id}`, { body: { retention_days: body } });
    assert.equal(res.status, 422, JSON.stringify(body));
    assert.equal(res.json.error.field, field);
  }
});
