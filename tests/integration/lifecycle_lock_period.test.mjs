// A container's lock period: once it has passed, the cron sweep approves received conversions
// (provenance admin, reason lock_period), and an approval-gated connector sends then. Time is
// moved by rewriting created_at in D1, with a worker of its own.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sqlText, unique, WORKER_VARS } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { executeD1, queryD1 } from '../harness/worker.mjs';
import { ownWorker } from '../harness/own_worker.mjs';

let worker;
let receiver;
let call;
const own = ownWorker({ vars: WORKER_VARS });
before(async () => {
  receiver = await startReceiver();
  ({ worker, call } = await own.ready);
});
after(async () => { await receiver?.close(); });

test('the sweep approves conversions past the lock period, and the gated connector sends then', async () => {
  const container = await call('POST', '/admin/api/containers', { body: {
    name: unique('shop-'), cookie_domain: 'shop.localhost.test', allowed_origins: [], lock_period_days: 30,
  } });
  assert.equal(container.status, 201, container.text);
  assert.equal(container.json.lock_period_days, 30);
  const path = `/${unique('lock-')}`;
  const connector = await call('POST', `/admin/api/containers/${container.json.id}/connectors`, { body: {
    name: unique('Net '), trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`, fire_on_status: 'approved',
      params: [{ name: 's', value: '{{CONVERSION_STATUS}}' }] },
  } });
  assert.equal(connector.status, 201, connector.text);
  const key = await call('POST', `/admin/api/containers/${container.json.id}/api-keys`, { body: { name: 'backend' } });
  const [old, fresh] = [unique('o-'), unique('o-')];
  for (const id of [old, fresh]) {
    const res = await call('GET', `/webhook?${new URLSearchParams({ k: key.json.key, track: 'Purchase', value: '9', currency: 'EUR', eventId: id })}`, { token: null });
    assert.equal(res.status, 200, res.text);
  }
  executeD1(worker.stateDir, `UPDATE events SET created_at = created_at - 31 * 86400000 WHERE event_id = ${sqlText(old)}`);

  const sweep = await call('GET', '/cdn-cgi/handler/scheduled?cron=*/5+*+*+*+*', { token: null });
  assert.equal(sweep.status, 200, sweep.text);
  const status = (id) => queryD1(worker.stateDir, `SELECT status FROM events WHERE event_id = ${sqlText(id)}`)[0].status;
  await pollUntil(() => status(old) === 'approved', { what: 'the old conversion approved' });
  assert.equal(status(fresh), 'received', 'a conversion inside its lock period waits');
  const [paid] = await pollUntil(() => { const got = receiver.received(path); return got.length === 1 && got; },
    { what: 'the approved postback' });
  assert.equal(paid.query.get('s'), 'approved');
  const row = queryD1(worker.stateDir, `SELECT id FROM events WHERE event_id = ${sqlText(old)}`)[0];
  const event = await call('GET', `/admin/api/events/${row.id}`);
  assert.deepEqual(event.json.history.at(-1), { ...event.json.history.at(-1), status: 'approved', provenance: 'admin', reason: 'lock_period' });

  const bad = await call('PATCH', `/admin/api/containers/${container.json.id}`, { body: { lock_period_days: 0 } });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.error.field, 'lock_period_days');
});
