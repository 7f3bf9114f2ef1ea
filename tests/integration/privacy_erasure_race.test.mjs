// A postback whose message was queued before an erasure must not go out after it. Queue messages
// cannot be cancelled; the erasure marks its events in the same transaction as its record, and
// the postbacks consumer's claim reads the mark. This file stands for an erasure caught between
// its first transaction and the rest (the record written, the delivery rows not yet settled):
// the retry that then arrives sends nothing and settles its row. Its own worker, with 4 s
// between attempts, so the erasure's first step lands while the retry waits.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sqlText, unique, WORKER_VARS } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { executeD1, queryD1 } from '../harness/worker.mjs';
import { ownWorker } from '../harness/own_worker.mjs';

let worker;
let receiver;
let call;
const own = ownWorker({ vars: { ...WORKER_VARS, RETRY_SCHEDULE: '4s' } });
before(async () => {
  receiver = await startReceiver();
  ({ worker, call } = await own.ready);
});
after(async () => { await receiver?.close(); });

const sql = (query) => queryD1(worker.stateDir, query);
const subjectHash = (kind, key) => createHash('sha256').update(`${kind}:${key}`).digest('hex');

test('a retry queued before an erasure finds the mark in its claim: nothing is sent and the row settles as erased', async () => {
  const container = await call('POST', '/admin/api/containers', { body: {
    name: unique('shop-'), cookie_domain: 'shop.localhost.test', allowed_origins: [] } });
  assert.equal(container.status, 201, container.text);
  const path = `/${unique('erased-')}`;
  receiver.script(path, { status: 500, body: 'down' }, { status: 200, body: 'ok' });
  const connector = await call('POST', `/admin/api/containers/${container.json.id}/connectors`, { body: {
    name: unique('Net '), trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`, params: [{ name: 'o', value: '{{EVENT_ID}}' }] } } });
  assert.equal(connector.status, 201, connector.text);
  const key = (await call('POST', `/admin/api/containers/${container.json.id}/api-keys`, { body: { name: 'backend' } })).json.key;
  const order = unique('o-');
  const res = await call('GET', `/webhook?${new URLSearchParams({ k: key, track: 'Purchase', value: '5', currency: 'EUR', eventId: order })}`, { token: null });
  assert.equal(res.status, 200, res.text);

  const delivery = await pollUntil(() => sql(`SELECT * FROM deliveries WHERE connector_id = ${sqlText(connector.json.id)}
    AND status = 'retrying'`)[0], { what: 'the first attempt failed and its retry queued' });
  assert.equal(receiver.received(path).length, 1);

  // The erasure's first transaction: its record, the event's hash, and the mark on the event.
  executeD1(worker.stateDir, `
    INSERT INTO erasures (id, container_id, subject_hash, kind, requested_at)
      VALUES ('era_race', ${sqlText(container.json.id)}, ${sqlText(subjectHash('external_id', order))}, 'external_id', ${Date.now()});
    INSERT INTO erased_subjects (container_id, subject_hash, erasure_id, erased_at)
      VALUES (${sqlText(container.json.id)}, ${sqlText(subjectHash('event', delivery.event_row_id))}, 'era_race', ${Date.now()});
    UPDATE events SET erased_at = ${Date.now()} WHERE id = ${sqlText(delivery.event_row_id)};`);

  const settled = await pollUntil(() => sql(`SELECT * FROM deliveries WHERE id = ${sqlText(delivery.id)}
    AND status = 'skipped'`)[0], { timeoutMs: 20_000, what: 'the retry dropped and its row settled' });
  assert.equal(settled.reason, 'erased');
  assert.equal(settled.request, null, 'the stored request is gone');
  assert.equal(settled.url, null);
  assert.equal(settled.next_attempt_at, null, 'nothing left for the sweep to queue');
  assert.equal(settled.attempt, 1, 'the claimed attempt is given back: only the failed one was made');
  assert.equal(receiver.received(path).length, 1, 'nothing was sent after the erasure');
  assert.equal(sql(`SELECT COUNT(*) AS n FROM delivery_attempts WHERE delivery_id = ${sqlText(delivery.id)}`)[0].n, 1);

  // A conversion of someone else in the same container is not held back by the mark.
  const other = unique('o-');
  const next = await call('GET', `/webhook?${new URLSearchParams({ k: key, track: 'Purchase', value: '7', currency: 'EUR', eventId: other })}`, { token: null });
  assert.equal(next.status, 200, next.text);
  await pollUntil(() => receiver.received(path).some((r) => r.query.get('o') === other), { what: 'the other conversion delivered' });
});
