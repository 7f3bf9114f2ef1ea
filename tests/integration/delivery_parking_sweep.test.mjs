// The cron sweep sends parked deliveries that nothing else would: an un-park whose re-queue
// failed, or an attempt given back as parked just after a success had un-parked its destination,
// leaves rows `parked` behind a destination that is active. A destination still parked keeps its
// deliveries parked. Its own worker, with an hour between attempts, so that no probe attempt runs
// during the test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sqlText, unique, WORKER_VARS } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { executeD1, queryD1, runSweep } from '../harness/worker.mjs';
import { ownWorker } from '../harness/own_worker.mjs';

let worker;
let receiver;
let call;
const own = ownWorker({ vars: { ...WORKER_VARS, RETRY_SCHEDULE: '1h' }, logLevel: 'log' });
before(async () => {
  receiver = await startReceiver();
  ({ worker, call } = await own.ready);
});
after(async () => { await receiver?.close(); });

const sql = (query) => queryD1(worker.stateDir, query);

/** A connector at a fresh receiver path that answers 410 (so it parks at once), and a way to convert. */
async function parkedConnector() {
  const container = await call('POST', '/admin/api/containers', { body: {
    name: unique('shop-'), cookie_domain: 'shop.localhost.test', allowed_origins: [] } });
  assert.equal(container.status, 201, container.text);
  const path = `/${unique('parked-')}`;
  receiver.script(path, { status: 410, body: 'gone' });
  const connector = await call('POST', `/admin/api/containers/${container.json.id}/connectors`, { body: {
    name: unique('Net '), trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`, params: [{ name: 'o', value: '{{EVENT_ID}}' }] } } });
  assert.equal(connector.status, 201, connector.text);
  const key = (await call('POST', `/admin/api/containers/${container.json.id}/api-keys`, { body: { name: 'backend' } })).json.key;
  const convert = async (order) => {
    const res = await call('GET', `/webhook?${new URLSearchParams({ k: key, track: 'Purchase', value: '5', currency: 'EUR', eventId: order })}`, { token: null });
    assert.equal(res.status, 200, res.text);
  };
  const id = connector.json.id;
  const statuses = () => sql(`SELECT status, COUNT(*) AS n FROM deliveries WHERE connector_id = ${sqlText(id)} GROUP BY status`)
    .reduce((all, r) => ({ ...all, [r.status]: r.n }), {});
  await convert(unique('o-'));
  await pollUntil(async () => (await call('GET', `/admin/api/connectors/${id}/destination`)).json.state === 'parked', { what: 'parked on 410' });
  const waiting = [unique('o-'), unique('o-')];
  for (const order of waiting) await convert(order);
  await pollUntil(() => statuses().parked === 2, { what: 'two deliveries parked' });
  return { id, path, waiting, statuses };
}

test('parked deliveries behind a destination that is no longer parked are sent by the sweep, once each, oldest first', async () => {
  const orphaned = await parkedConnector();
  const stillParked = await parkedConnector();

  // The probe succeeded and un-parked the destination, but queueing the parked ones again failed.
  receiver.script(orphaned.path, { status: 200, body: 'back' });
  receiver.script(stillParked.path, { status: 200, body: 'back' });
  executeD1(worker.stateDir, `
    UPDATE deliveries SET status = 'delivered' WHERE connector_id = ${sqlText(orphaned.id)} AND status = 'retrying';
    UPDATE destinations SET parked_at = NULL, park_reason = NULL, probe_delivery_id = NULL, consecutive_failures = 0,
      failing_since = NULL WHERE connector_id = ${sqlText(orphaned.id)};
    UPDATE deliveries SET updated_at = updated_at - 3600000 WHERE status = 'parked'
      AND connector_id IN (${sqlText(orphaned.id)}, ${sqlText(stillParked.id)});`);
  assert.equal(orphaned.statuses().parked, 2, 'nothing else sends them');

  await runSweep(worker);
  await pollUntil(() => orphaned.statuses().delivered === 3, { what: 'the orphaned parked deliveries delivered' });
  const got = receiver.received(orphaned.path).map((r) => r.query.get('o')).filter((o) => orphaned.waiting.includes(o));
  assert.deepEqual(got, orphaned.waiting, 'once each, oldest first');
  assert.match(readFileSync(worker.logPath, 'utf8'), /un-parked 2,/, 'the sweep reports what it queued again');

  assert.equal(stillParked.statuses().parked, 2, 'a parked destination keeps its deliveries parked');
  assert.equal(receiver.received(stillParked.path).filter((r) => stillParked.waiting.includes(r.query.get('o'))).length, 0);
});
