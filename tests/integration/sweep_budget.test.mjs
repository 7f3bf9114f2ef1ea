// The cron sweep stays within D1's limit of 1,000 queries per Worker invocation (Workers Paid):
// a backlog of events whose dispatch never completed is worked off over several runs, each run
// counting its own queries, instead of one run passing the limit and failing every phase after
// it. Local workerd does not enforce the limit, so the test reads each run's count from the log.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sqlText, unique, WORKER_VARS } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { executeD1, logMatches, queryD1, runSweep, SWEEP_LINE } from '../harness/worker.mjs';
import { ownWorker } from '../harness/own_worker.mjs';

/** D1's queries per invocation on Workers Paid (Cloudflare's D1 limits page). */
const D1_QUERY_LIMIT = 1000;
const BACKLOG = 300;

let worker;
let receiver;
let call;
const own = ownWorker({ vars: WORKER_VARS, logLevel: 'log' });
before(async () => {
  receiver = await startReceiver();
  ({ worker, call } = await own.ready);
});
after(async () => { await receiver?.close(); });

/** The D1 query count of each sweep run so far, from the worker's log line. */
const sweepRuns = () => logMatches(worker, SWEEP_LINE).map((m) => Number(m[1]));

test('a backlog of undispatched events is worked off over several sweeps, each within the D1 query limit, each postback sent once', async () => {
  const container = await call('POST', '/admin/api/containers', { body: {
    name: unique('shop-'), cookie_domain: 'shop.localhost.test', allowed_origins: [] } });
  assert.equal(container.status, 201, container.text);
  const path = `/${unique('backlog-')}`;
  const connector = await call('POST', `/admin/api/containers/${container.json.id}/connectors`, { body: {
    name: unique('Net '), trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`, params: [{ name: 'order', value: '{{ORDER_ID}}' }] } } });
  assert.equal(connector.status, 201, connector.text);
  const key = await call('POST', `/admin/api/containers/${container.json.id}/api-keys`, { body: { name: 'backend' } });
  const first = unique('o-');
  const res = await call('GET', `/webhook?${new URLSearchParams({ k: key.json.key, track: 'Purchase', value: '9', currency: 'EUR', eventId: first })}`, { token: null });
  assert.equal(res.status, 200, res.text);
  await pollUntil(() => receiver.received(path).length === 1, { what: 'the first postback' });

  // An outage left events stored but never dispatched: copies of the first, an hour old.
  const [real] = queryD1(worker.stateDir, `SELECT id FROM events WHERE event_id = ${sqlText(first)}`);
  executeD1(worker.stateDir, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${BACKLOG})
    INSERT INTO events (id, container_id, event_id, dedup_key, name, value, currency, visitor_id, matched_by, source,
      topic, consent_advertising, payload, created_at, dispatched_at, provenance, status)
    SELECT printf('evt_backlog%05d', i), container_id, printf('backlog-%d', i), printf('backlog-%d', i), name, value,
      currency, visitor_id, matched_by, source, topic, consent_advertising, payload, created_at - 3600000, NULL,
      provenance, status
    FROM events, n WHERE events.id = ${sqlText(real.id)}`);
  const undispatched = () => queryD1(worker.stateDir,
    `SELECT COUNT(*) AS n FROM events WHERE container_id = ${sqlText(container.json.id)} AND dispatched_at IS NULL`)[0].n;
  assert.equal(undispatched(), BACKLOG);

  const sweep = () => runSweep(worker);
  await sweep();
  const left = undispatched();
  assert.ok(left > 0 && left < BACKLOG, `one run dispatches part of the backlog and leaves the rest: ${left} left`);
  for (let run = 0; run < 10 && undispatched() > 0; run++) await sweep();
  assert.equal(undispatched(), 0, 'later runs work off the rest');
  for (const queries of sweepRuns()) assert.ok(queries <= D1_QUERY_LIMIT, `a run made ${queries} D1 queries`);

  // Every event was dispatched once: one delivery row each, and its postback arrived. A partner
  // may see a postback again only when an attempt timed out and was retried (same idempotency key).
  const orders = () => new Set(receiver.received(path).map((r) => r.query.get('order')));
  await pollUntil(() => orders().size === BACKLOG + 1, { timeoutMs: 60_000, what: 'every postback' });
  const [rows] = queryD1(worker.stateDir, `SELECT COUNT(*) AS n, COUNT(DISTINCT event_row_id) AS events,
    COALESCE(SUM(MAX(attempt, 1) - 1), 0) AS retries FROM deliveries WHERE connector_id = ${sqlText(connector.json.id)}`);
  assert.deepEqual([rows.n, rows.events], [BACKLOG + 1, BACKLOG + 1], 'one delivery per event');
  const extra = receiver.received(path).length - (BACKLOG + 1);
  assert.ok(extra <= rows.retries, `${extra} repeated postbacks, ${rows.retries} retried attempts`);
});
