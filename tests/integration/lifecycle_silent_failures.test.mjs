// Nothing fails silently: a stored connector that no longer passes validation (a URL or a
// signing secret an earlier version accepted) records a failed delivery saying why, instead of
// being left out of dispatch with only a log line. The API refuses such connectors, so the test
// writes them into D1 the way an earlier version stored them, with a worker of its own.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sqlText, unique, WORKER_VARS } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { executeD1 } from '../harness/worker.mjs';
import { ownWorker } from '../harness/own_worker.mjs';

let worker;
let call;
const own = ownWorker({ vars: WORKER_VARS });
before(async () => ({ worker, call } = await own.ready));

async function connectorWith(containerId, name) {
  const res = await call('POST', `/admin/api/containers/${containerId}/connectors`, { body: {
    name, trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: 'https://partner.example/pb?v={{VALUE}}' },
  } });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

test('a stored connector that no longer passes validation records a failed delivery with the reason', async () => {
  const container = (await call('POST', '/admin/api/containers', { body: {
    name: unique('shop-'), cookie_domain: 'shop.localhost.test', allowed_origins: ['https://www.shop.localhost.test'],
  } })).json;
  const badUrl = await connectorWith(container.id, unique('Old URL '));
  const badSecret = await connectorWith(container.id, unique('Old secret '));
  executeD1(worker.stateDir, `UPDATE connectors SET config = json_set(config, '$.webhook.url', 'ftp://partner.example/pb') WHERE id = ${sqlText(badUrl.id)}`);
  executeD1(worker.stateDir, `UPDATE connectors SET config = json_set(config, '$.webhook.signing_secret', 'whsec_short') WHERE id = ${sqlText(badSecret.id)}`);
  const key = await call('POST', `/admin/api/containers/${container.id}/api-keys`, { body: { name: 'backend' } });
  const order = unique('o-');
  const res = await call('GET', `/webhook?${new URLSearchParams({ k: key.json.key, track: 'Purchase', value: '10', currency: 'EUR', eventId: order })}`, { token: null });
  assert.equal(res.status, 200, res.text);

  for (const [connector, words] of [[badUrl, 'webhook.url'], [badSecret, 'webhook.signing_secret']]) {
    const [row] = await pollUntil(async () => {
      const log = (await call('GET', `/admin/api/connectors/${connector.id}/deliveries`)).json?.data ?? [];
      return log.length === 1 && log;
    }, { what: `the failed row of ${connector.name}` });
    assert.equal(row.status, 'failed');
    assert.equal(row.reason, 'connector_invalid');
    assert.match(row.error, new RegExp(words.replace('.', '\\.')), row.error);
  }

  // "Why didn't it fire?" explains them instead of failing.
  const why = await call('GET', `/admin/api/containers/${container.id}/explain?event_id=${order}`);
  assert.equal(why.status, 200, why.text);
  const verdicts = why.json.events[0].connectors;
  for (const [connector, words] of [[badUrl, 'webhook.url'], [badSecret, 'webhook.signing_secret']]) {
    const v = verdicts.find((c) => c.connector_id === connector.id);
    assert.equal(v.name, connector.name);
    assert.equal(v.mode, 'unreadable');
    assert.equal(v.code, 'connector_invalid');
    assert.equal(v.fired, false);
    assert.ok(v.reason.includes(words), v.reason);
  }
});

test('a stored connector that no longer passes validation is listed with the reason, answers 409 to read and change, and can be deleted', async () => {
  const container = (await call('POST', '/admin/api/containers', { body: {
    name: unique('shop-'), cookie_domain: 'shop.localhost.test', allowed_origins: [],
  } })).json;
  const good = await connectorWith(container.id, unique('Good '));
  const bad = await connectorWith(container.id, unique('Old URL '));
  executeD1(worker.stateDir, `UPDATE connectors SET config = json_set(config, '$.webhook.url', 'ftp://partner.example/pb') WHERE id = ${sqlText(bad.id)}`);

  const list = await call('GET', `/admin/api/containers/${container.id}/connectors`);
  assert.equal(list.status, 200, 'one unreadable connector does not fail the list');
  assert.deepEqual(list.json.data.map((c) => c.id), [good.id]);
  assert.equal(list.json.unreadable.length, 1);
  const [listed] = list.json.unreadable;
  assert.equal(listed.id, bad.id);
  assert.equal(listed.name, bad.name);
  assert.match(listed.reason, /webhook\.url/);

  const read = await call('GET', `/admin/api/connectors/${bad.id}`);
  assert.equal(read.status, 409, read.text);
  assert.equal(read.json.error.code, 'connector_unreadable');
  assert.match(read.json.error.message, /webhook\.url/);
  const change = await call('PATCH', `/admin/api/connectors/${bad.id}`, { body: { name: 'Renamed' } });
  assert.equal(change.status, 409, change.text);
  assert.equal((await call('GET', `/admin/api/connectors/${bad.id}/deliveries`)).status, 200, 'its log still reads');

  assert.equal((await call('DELETE', `/admin/api/connectors/${bad.id}`)).status, 204);
  assert.equal((await call('GET', `/admin/api/connectors/${bad.id}`)).status, 404);
  const after = await call('GET', `/admin/api/containers/${container.id}/connectors`);
  assert.deepEqual([after.json.data.map((c) => c.id), after.json.unreadable], [[good.id], []]);
});
