// SERVER_EVENT_DISPATCH_DELAY_S: a webhook's event waits before its postbacks are decided, so a
// click the visitor's browser sent a moment before the shop's server reported the conversion is
// stored first. With a worker of its own, started with a 2 second delay (the others use 0).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sqlText, unique, WORKER_VARS } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { queryD1 } from '../harness/worker.mjs';
import { ownWorker } from '../harness/own_worker.mjs';

const DELAY_S = 2;

let worker;
let receiver;
let call;
const own = ownWorker({ vars: { ...WORKER_VARS, SERVER_EVENT_DISPATCH_DELAY_S: String(DELAY_S) } });
before(async () => {
  receiver = await startReceiver();
  ({ worker, call } = await own.ready);
});
after(async () => { await receiver?.close(); });

test('a webhook\'s event is answered at once and its postback decided only after the dispatch delay, once', async () => {
  const container = await call('POST', '/admin/api/containers', { body: {
    name: unique('shop-'), cookie_domain: 'shop.localhost.test', allowed_origins: [],
  } });
  assert.equal(container.status, 201, container.text);
  const id = container.json.id;
  const key = await call('POST', `/admin/api/containers/${id}/api-keys`, { body: { name: 'backend' } });
  assert.equal(key.status, 201, key.text);
  const path = `/${unique('lead-')}`;
  const connector = await call('POST', `/admin/api/containers/${id}/connectors`, { body: {
    name: unique('Leads '), trigger_events: ['Lead'], mode: 'enabled',
    webhook: { enabled: true, fire_on: 'server', method: 'GET', url: `${receiver.url}${path}` },
  } });
  assert.equal(connector.status, 201, connector.text);

  const answeredAt = Date.now();
  const lead = await call('GET', `/webhook?${new URLSearchParams({ k: key.json.key, track: 'Lead' })}`, { token: null });
  assert.equal(lead.status, 200, lead.text);
  await pollUntil(() => receiver.received(path).length > 0, { what: 'the lead postback' });
  assert.ok(Date.now() - answeredAt >= DELAY_S * 1000 - 250, 'the postback waited the delay');
  const rows = queryD1(worker.stateDir, `SELECT status FROM deliveries WHERE connector_id = ${sqlText(connector.json.id)}`);
  assert.equal(rows.length, 1, 'one decision, one row');
  assert.equal(receiver.received(path).length, 1);
});
