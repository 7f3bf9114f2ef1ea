// A deployment that does not allow private targets (production's default) refuses to send a
// postback to loopback, and says so in the log. This needs its own worker: the shared test
// worker allows private targets so the local receiver can be reached.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startReceiver } from '../harness/receiver.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { WORKER_VARS } from '../harness/app.mjs';
import { ownWorker } from '../harness/own_worker.mjs';

let worker;
let receiver;
const own = ownWorker({ vars: { ...WORKER_VARS, ALLOW_PRIVATE_TARGETS: 'false' } });
before(async () => {
  receiver = await startReceiver();
  ({ worker } = await own.ready);
});
after(async () => { await receiver?.close(); });

async function api(method, path, body) {
  const res = await fetch(worker.url + path, {
    method,
    headers: { authorization: `Bearer ${worker.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: await res.json() };
}

test('a postback to a loopback address is refused and logged when private targets are not allowed', async () => {
  const container = await api('POST', '/admin/api/containers', { name: 'Shop', cookie_domain: 'shop.localhost.test', allowed_origins: [] });
  assert.equal(container.status, 201);
  const connector = await api('POST', `/admin/api/containers/${container.json.id}/connectors`, {
    name: 'Internal', trigger_events: ['Purchase'],
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}/internal`, params: [{ name: 'v', value: '{{VALUE}}' }] },
  });
  assert.equal(connector.status, 201);
  const sent = await api('POST', `/admin/api/connectors/${connector.json.id}/test`);
  assert.equal(sent.status, 202);

  const entry = await pollUntil(async () => {
    const log = await api('GET', `/admin/api/connectors/${connector.json.id}/deliveries`);
    const found = log.json.data.find((d) => d.id === sent.json.delivery_id);
    return found && found.dead_lettered_at ? found : null;
  }, { timeoutMs: 30_000, what: 'the refused delivery' });
  assert.equal(entry.status, 'failed');
  assert.equal(entry.attempt, 1, 'a refused target is not retried');
  assert.match(entry.error, /^refused target: 127\.0\.0\.1 is a loopback address/);
  assert.equal(entry.attempts[0].response_code, null);
  assert.equal(receiver.requests.length, 0, 'nothing reached the private address');
});
