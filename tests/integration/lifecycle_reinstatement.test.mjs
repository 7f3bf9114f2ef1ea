// Every status change that flips whether a conversion stands reaches a connector with
// send_reversals that was sent it: received → approved → rejected → approved → reversed sends the
// conversion, a reversal, a reinstatement and a reversal, each once with its own key, even when
// the sweep re-plans the event after each change. A worker of its own, so the sweep runs here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sqlText, unique, WORKER_VARS } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { executeD1, queryD1, runSweep } from '../harness/worker.mjs';
import { ownWorker } from '../harness/own_worker.mjs';
import { webhooksAt } from '../harness/webhooks.mjs';

let worker;
let receiver;
let call;
const own = ownWorker({ vars: WORKER_VARS, logLevel: 'log' });
before(async () => {
  receiver = await startReceiver();
  ({ worker, call } = await own.ready);
});
after(async () => { await receiver?.close(); });

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

async function connector(containerId, webhook, extra = {}) {
  const path = `/${unique('pb-')}`;
  const res = await call('POST', `/admin/api/containers/${containerId}/connectors`, { body: {
    name: unique('Net '), trigger_events: ['Purchase'], mode: 'enabled', ...extra,
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`,
      params: [{ name: 's', value: '{{CONVERSION_STATUS}}' }], ...webhook },
  } });
  assert.equal(res.status, 201, res.text);
  return { id: res.json.id, path };
}

test('a rejected conversion approved again is reinstated, and a later reversal sent, each once', async () => {
  const w = webhooksAt(worker);
  const { container, key } = await w.keyedContainer();
  const statusMap = { approved: 'A', rejected: 'R', reversed: 'V' };
  const paid = await connector(container.id, { send_reversals: true, status_map: statusMap, signing_secret: SECRET });
  // Requires a click the conversion has not: it skips the conversion, so it is owed nothing.
  const skipped = await connector(container.id, { send_reversals: true, status_map: statusMap },
    { click_id: { enabled: true, param: 'aff_click_id' } });
  const plain = await connector(container.id, { status_map: statusMap });

  const orderId = unique('order-');
  const bought = await w.webhookGet({ k: key, track: 'Purchase', value: '20', currency: 'EUR', eventId: orderId });
  assert.equal(bought.status, 200, bought.text);
  const [conversion] = await pollUntil(() => { const got = receiver.received(paid.path); return got.length === 1 && got; },
    { what: 'the conversion' });
  const original = conversion.headers['idempotency-key'];
  assert.equal(conversion.query.get('s'), 'received');
  const { id: rowId } = queryD1(worker.stateDir, `SELECT id FROM events WHERE event_id = ${sqlText(orderId)}`)[0];

  const byAdmin = (status) => call('POST', `/admin/api/events/${rowId}/status`, { body: { status } });
  const byWebhook = (status) => w.webhookGet({ k: key, eventId: orderId, status });
  const settled = () => pollUntil(() => queryD1(worker.stateDir, `SELECT COUNT(*) AS n FROM deliveries
    WHERE container_id = ${sqlText(container.id)} AND status IN ('queued', 'retrying')`)[0].n === 0,
  { what: 'the postbacks sent' });
  // Each change, then the sweep re-plans the event as if the dispatch after the answer was lost.
  const steps = [
    [() => byAdmin('approved'), 1],
    [() => byWebhook('rejected'), 2],
    [() => byAdmin('approved'), 3],
    [() => byWebhook('reversed'), 4],
  ];
  for (const [change, expected] of steps) {
    const res = await change();
    assert.equal(res.status, 200, res.text);
    await pollUntil(() => receiver.received(paid.path).length >= expected, { what: `${expected} postbacks` });
    await pollUntil(() => queryD1(worker.stateDir, `SELECT dispatched_at FROM events WHERE id = ${sqlText(rowId)}`)[0].dispatched_at,
      { what: 'the change dispatched' });
    // An hour old, so the sweep counts its dispatch as lost rather than under way.
    executeD1(worker.stateDir, `UPDATE events SET dispatched_at = NULL,
      created_at = MIN(created_at, ${Date.now() - 3_600_000}) WHERE id = ${sqlText(rowId)}`);
    await runSweep(worker);
    await pollUntil(() => queryD1(worker.stateDir, `SELECT dispatched_at FROM events WHERE id = ${sqlText(rowId)}`)[0].dispatched_at,
      { what: 'the sweep re-planned the event' });
    await settled();
    assert.equal(receiver.received(paid.path).length, expected, 'the sweep sent nothing twice');
  }

  const sent = receiver.received(paid.path);
  assert.deepEqual(sent.map((r) => r.query.get('s')), ['received', 'R', 'A', 'V'],
    'the conversion, a reversal, a reinstatement, a reversal');
  const keys = sent.map((r) => r.headers['idempotency-key']);
  assert.deepEqual(keys, [original, `${original}:reversal`, `${original}:status:3`, `${original}:status:4`]);
  assert.deepEqual(sent.map((r) => r.headers['webhook-id']), keys, 'each follow-up\'s webhook-id is its key');
  assert.equal(receiver.received(skipped.path).length, 0, 'a connector that skipped the conversion gets nothing');
  assert.equal(receiver.received(plain.path).length, 1, 'a connector without send_reversals gets the conversion only');

  const rows = (id) => queryD1(worker.stateDir, `SELECT origin_key, status, reason FROM deliveries
    WHERE connector_id = ${sqlText(id)} ORDER BY created_at`);
  assert.deepEqual(rows(paid.id).map((r) => [r.origin_key.slice(paid.id.length + rowId.length + 2), r.status]),
    [['', 'delivered'], ['reversal', 'delivered'], ['status:3', 'delivered'], ['status:4', 'delivered']]);
  assert.deepEqual(rows(skipped.id).map((r) => [r.status, r.reason]), [['skipped', 'no_click']]);
  assert.equal(rows(plain.id).length, 1);

  // Reconciliation counts each follow-up as a postback the event triggered, and balances.
  const today = (await call('GET', `/admin/api/connectors/${paid.id}/reconciliation`)).json.data.at(-1);
  assert.equal(today.triggered, 4);
  assert.equal(today.delivered, 4);
  assert.equal(today.triggered, today.delivered + today.test + Object.values(today.skipped).reduce((a, b) => a + b, 0)
    + today.failed + today.parked + today.in_flight);
});
