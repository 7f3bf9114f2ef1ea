// Nothing accepted is lost: a worker that dies in the middle of an attempt leaves its delivery
// pending in D1, and after a restart the cron sweep re-queues it once it is overdue. This needs
// its own worker, since the test kills it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker } from '../harness/worker.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { WORKER_VARS } from '../harness/app.mjs';

// The sweep's threshold is at least twice the attempt timeout; keep both small.
const VARS = { ...WORKER_VARS, DELIVERY_TIMEOUT_S: '3', STUCK_AFTER_S: '6' };

let worker;
let receiver;
before(async () => { receiver = await startReceiver(); });
after(async () => {
  await worker?.stop();
  worker?.cleanup();
  await receiver?.close();
});

function api(method, path, body) {
  return fetch(worker.url + path, {
    method,
    headers: { authorization: `Bearer ${worker.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  }).then(async (res) => ({ status: res.status, json: await res.json().catch(() => undefined) }));
}

test('a delivery whose worker died mid-attempt is re-queued by the sweep after a restart and delivered once more', async () => {
  worker = await startWorker({ vars: VARS });
  const container = await api('POST', '/admin/api/containers', { name: 'Shop', cookie_domain: 'shop.localhost.test', allowed_origins: [] });
  const connector = await api('POST', `/admin/api/containers/${container.json.id}/connectors`, {
    name: 'Net X', trigger_events: ['Purchase'],
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}/crash`, params: [{ name: 'v', value: '{{VALUE}}' }] },
  });
  assert.equal(connector.status, 201);
  // The first request hangs, so the attempt is in flight when the worker goes down.
  receiver.script('/crash', { status: 200, delayMs: 10_000 }, { status: 200, body: 'ok' });
  const sent = await api('POST', `/admin/api/connectors/${connector.json.id}/test`);
  assert.equal(sent.status, 202);
  const id = sent.json.delivery_id;
  await pollUntil(() => receiver.received('/crash').length === 1, { what: 'the first attempt in flight' });

  await worker.stop();
  worker = await startWorker({ vars: VARS, stateDir: worker.stateDir });

  const entry = await pollUntil(async () => {
    await fetch(`${worker.url}/cdn-cgi/handler/scheduled?cron=*/5+*+*+*+*`);
    const log = await api('GET', `/admin/api/connectors/${connector.json.id}/deliveries`);
    const found = log.json.data.find((d) => d.id === id);
    return found?.status === 'delivered' ? found : null;
  }, { timeoutMs: 60_000, intervalMs: 1000, what: 'the swept delivery' });
  assert.equal(entry.attempt, 2, 'the lost attempt counts; the sweep asked for the next one');
  assert.deepEqual(entry.attempts.map((a) => [a.attempt, a.response_code]), [[2, 200]]);
  const requests = receiver.received('/crash');
  assert.equal(requests.length, 2);
  assert.equal(requests[1].headers['idempotency-key'], id, 'the partner can tell it is the same delivery');
});
