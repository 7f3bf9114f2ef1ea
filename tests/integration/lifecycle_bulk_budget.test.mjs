// A bulk status change of hundreds of conversions stays within D1's limit of 1,000 queries per
// Worker invocation (Workers Paid): the changes are written 25 to a round trip, the connectors
// are re-planned after the answer within a budget, and the cron sweep re-plans the rest. Local
// workerd does not enforce the limit, so the test reads the counts: the answer's Server-Timing
// and the worker's log line for the work after it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sqlText, unique, WORKER_VARS } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { executeD1, logMatches, queryD1, runSweep } from '../harness/worker.mjs';
import { ownWorker } from '../harness/own_worker.mjs';

/** D1's queries per invocation on Workers Paid (Cloudflare's D1 limits page). */
const D1_QUERY_LIMIT = 1000;
const CONVERSIONS = 400;

let worker;
let receiver;
let call;
const own = ownWorker({ vars: { ...WORKER_VARS, STUCK_AFTER_S: '1' }, logLevel: 'log' });
before(async () => {
  receiver = await startReceiver();
  // The sweep re-plans a conversion whose status changed once it has been settled a second.
  ({ worker, call } = await own.ready);
});
after(async () => { await receiver?.close(); });

const logLines = (pattern) => logMatches(worker, pattern);

test('approving 400 conversions in one bulk stays within the D1 query limit, and each is paid once', async () => {
  const container = await call('POST', '/admin/api/containers', { body: {
    name: unique('shop-'), cookie_domain: 'shop.localhost.test', allowed_origins: [] } });
  assert.equal(container.status, 201, container.text);
  const path = `/${unique('bulk-')}`;
  const connector = await call('POST', `/admin/api/containers/${container.json.id}/connectors`, { body: {
    name: unique('Net '), trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`, fire_on_status: 'approved',
      params: [{ name: 'order', value: '{{ORDER_ID}}' }] } } });
  assert.equal(connector.status, 201, connector.text);
  const key = await call('POST', `/admin/api/containers/${container.json.id}/api-keys`, { body: { name: 'backend' } });
  const first = unique('o-');
  const res = await call('GET', `/webhook?${new URLSearchParams({ k: key.json.key, track: 'Purchase', value: '9', currency: 'EUR', eventId: first })}`, { token: null });
  assert.equal(res.status, 200, res.text);
  const [real] = await pollUntil(() => queryD1(worker.stateDir,
    `SELECT id FROM events WHERE event_id = ${sqlText(first)} AND dispatched_at IS NOT NULL`), { what: 'the first conversion dispatched' });
  // The rest of a day's conversions, waiting for approval: copies of the first, an hour old.
  executeD1(worker.stateDir, `WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < ${CONVERSIONS})
    INSERT INTO events (id, container_id, event_id, dedup_key, name, value, currency, visitor_id, matched_by, source,
      topic, consent_advertising, payload, created_at, dispatched_at, provenance, status)
    SELECT printf('evt_bulkbulk%05d', i), container_id, printf('bulk-%d', i), printf('bulk-%d', i), name, value,
      currency, visitor_id, matched_by, source, topic, consent_advertising, payload, created_at - 3600000,
      dispatched_at, provenance, status
    FROM events, n WHERE events.id = ${sqlText(real.id)}`);
  const ids = [first, ...Array.from({ length: CONVERSIONS - 1 }, (_, i) => `bulk-${i + 2}`)];

  const bulk = await call('POST', `/admin/api/containers/${container.json.id}/events/status`,
    { body: { items: ids.map((id) => ({ event_id: id, status: 'approved' })) } });
  assert.equal(bulk.status, 200, bulk.text);
  assert.equal(bulk.json.changed, CONVERSIONS);
  assert.ok(bulk.json.data.every((d) => d.code === 200 && d.event.status === 'approved'));
  const before = Number(/d1;desc="(\d+)"/.exec(bulk.headers.get('server-timing'))[1]);
  assert.ok(before <= 3 + CONVERSIONS / 25, `the answer took ${before} D1 round trips`);
  const [[, done, total, afterwards]] = await pollUntil(() => {
    const lines = logLines(/bulk status change: re-planned (\d+) of (\d+) conversions in (\d+) D1 queries/g);
    return lines.length > 0 && lines;
  }, { what: 'the re-planning after the answer' });
  assert.equal(Number(total), CONVERSIONS);
  assert.ok(Number(done) < CONVERSIONS, `the budget stopped the re-planning after ${done} conversions`);
  assert.ok(before + Number(afterwards) <= D1_QUERY_LIMIT, `${before} + ${afterwards} D1 queries in one invocation`);

  // The sweep re-plans the rest over its runs; every approved conversion is paid once.
  const paid = () => new Set(receiver.received(path).map((r) => r.query.get('order')));
  for (let run = 0; run < 12 && paid().size < CONVERSIONS; run++) {
    await runSweep(worker);
    await pollUntil(() => queryD1(worker.stateDir, `SELECT COUNT(*) AS n FROM deliveries
      WHERE connector_id = ${sqlText(connector.json.id)} AND status IN ('queued', 'retrying')`)[0].n === 0,
    { what: 'the sweep run\'s postbacks', timeoutMs: 30_000 });
  }
  await pollUntil(() => paid().size === CONVERSIONS, { what: 'every approved conversion paid', timeoutMs: 30_000 });
  const [rows] = queryD1(worker.stateDir, `SELECT COUNT(*) AS n, COUNT(DISTINCT event_row_id) AS events
    FROM deliveries WHERE connector_id = ${sqlText(connector.json.id)} AND status = 'delivered'`);
  assert.deepEqual([rows.n, rows.events], [CONVERSIONS, CONVERSIONS], 'one delivered postback per conversion');
});
