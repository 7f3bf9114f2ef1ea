// Cost that stays flat as data grows: SQLite plans every query of the hot paths, the queue
// consumers, the sweep and the admin lists without a full scan of a table that grows with
// traffic. A worker of its own logs each distinct statement it prepares (QUERY_LOG); this test
// drives those paths, then runs EXPLAIN QUERY PLAN on every logged statement against the same
// local D1, whose schema the migrations built.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unique, WORKER_VARS } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { SITE_ORIGIN, tracking } from '../harness/tracking.mjs';
import { webhooksAt } from '../harness/webhooks.mjs';
import { execFileSync } from 'node:child_process';
import { d1File, queryD1, ROOT } from '../harness/worker.mjs';
import { ownWorker } from '../harness/own_worker.mjs';

/** Tables that hold set-up, not traffic: their size follows the number of containers. */
const SET_UP_TABLES = new Set(['containers', 'connectors', 'api_keys', 'd1_migrations']);
/** What `src/query_log.rs` writes before each statement. */
const PREFIX = 'postclick-query: ';

let worker;
let receiver;
const own = ownWorker({ vars: { ...WORKER_VARS, QUERY_LOG: 'true' }, logLevel: 'log' });
before(async () => {
  receiver = await startReceiver();
  ({ worker } = await own.ready);
});
after(async () => { await receiver?.close(); });

/** Every page and API call whose queries the test plans, as a user and a partner make them. */
async function driveEveryPath() {
  const w = webhooksAt(worker);
  const { call } = w;
  const ok = (res, what) => assert.ok(res.status < 400, `${what}: ${res.status} ${res.text}`);
  const { container, key } = await (async () => {
    const made = await call('POST', '/admin/api/containers', { body: {
      name: unique('shop-'), cookie_domain: 'shop.localhost.test', allowed_origins: [SITE_ORIGIN] } });
    ok(made, 'container');
    const apiKey = await w.apiKeys.create(made.json.id, { name: 'backend' });
    ok(apiKey, 'API key');
    return { container: made.json, key: apiKey.json.key };
  })();
  const path = `/${unique('plan-')}`;
  const connector = await call('POST', `/admin/api/containers/${container.id}/connectors`, { body: {
    name: unique('Net '), trigger_events: ['Purchase'], mode: 'enabled',
    click_id: { param: 'aff_click_id', required: false },
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`, send_reversals: true,
      params: [{ name: 'click', value: '{{CLICK_ID}}' }, { name: 'status', value: '{{CONVERSION_STATUS}}' }] } } });
  ok(connector, 'connector');
  const connectorId = connector.json.id;

  // The browser surface: a landing with clicks, a plain page view, a tracking link, an event.
  const landing = encodeURIComponent(`${SITE_ORIGIN}/?gclid=G1&aff_click_id=A1&utm_source=x`);
  const collect = await tracking('GET', `/collect?id=${container.id}&url=${landing}&ref=`, { base: worker.url, origin: SITE_ORIGIN });
  ok(collect, '/collect');
  const cookie = `pc_vid=${collect.cookies.pc_vid.value}`;
  ok(await tracking('GET', `/collect?id=${container.id}&url=${encodeURIComponent(`${SITE_ORIGIN}/p`)}&ref=`,
    { base: worker.url, origin: SITE_ORIGIN, cookie }), '/collect, plain');
  const visitor = await w.visitorWithClick(container.id, 'aff_click_id', 'A2');
  ok(await tracking('POST', `/e?id=${container.id}`, { base: worker.url, origin: SITE_ORIGIN, cookie,
    json: { event: 'Purchase', event_id: unique('b-'), value: 5, currency: 'EUR' } }), '/e');

  // The server surfaces: /webhook, the custom webhook, a status change and a refund.
  const order = unique('o-');
  ok(await w.webhookGet({ k: key, track: 'Purchase', value: '9', currency: 'EUR', eventId: order, vid: visitor }), 'GET /webhook');
  ok(await w.customWebhook(container.id, 'purchase', { event_id: unique('c-'), value: 3, currency: 'EUR', aff_click_id: 'A3' },
    { key }), 'custom webhook');
  await pollUntil(() => receiver.received(path).length >= 2, { what: 'the first postbacks' });
  ok(await w.webhookGet({ k: key, eventId: order, status: 'approved' }), '/webhook status change');
  const events = await call('GET', `/admin/api/containers/${container.id}/events?limit=10`);
  ok(events, 'events list');
  const event = events.json.data.find((e) => e.event_id === order);
  ok(await call('POST', `/admin/api/events/${event.id}/status`, { body: { status: 'rejected', reason: 'fraud' } }), 'status change');
  ok(await call('POST', `/admin/api/containers/${container.id}/events/status`,
    { body: { items: [{ event_id: order, status: 'approved' }] } }), 'bulk status change');

  // The console's lists and searches, and the operator's tools.
  const deliveries = await call('GET', `/admin/api/connectors/${connectorId}/deliveries`);
  ok(deliveries, 'webhook log');
  for (const query of ['?status=delivered', `?q=${order}`, '?q=A1', `?since=${Date.now() - 3600_000}&until=${Date.now() + 60_000}`]) {
    ok(await call('GET', `/admin/api/connectors/${connectorId}/deliveries${query}`), `webhook log ${query}`);
  }
  for (const read of [
    '/admin/api/containers', `/admin/api/containers/${container.id}`, `/admin/api/containers/${container.id}/connectors`,
    `/admin/api/containers/${container.id}/api-keys`, `/admin/api/containers/${container.id}/webhook-activity`,
    `/admin/api/containers/${container.id}/install-check`,
    `/admin/api/events/${event.id}`, `/admin/api/containers/${container.id}/events?status=approved&name=Purchase`,
    `/admin/api/containers/${container.id}/explain?event_id=${order}`, `/admin/api/containers/${container.id}/explain?click_id=A1`,
  ]) ok(await call('GET', read), read);
  const delivered = await pollUntil(async () =>
    (await call('GET', `/admin/api/connectors/${connectorId}/deliveries?status=delivered`)).json.data[0],
  { what: 'a delivered postback' });
  ok(await call('POST', `/admin/api/deliveries/${delivered.id}/replay`), 'replay');
  ok(await call('POST', `/admin/api/connectors/${connectorId}/recover`, { body: { since: new Date(Date.now() - 3600_000).toISOString() } }), 'recover');
  ok(await call('GET', `/admin/api/connectors/${connectorId}/reconciliation`), 'reconciliation');
  ok(await call('GET', `/admin/api/containers/${container.id}/events/daily`), 'events per day');
  ok(await call('GET', '/cdn-cgi/handler/scheduled?cron=*/5+*+*+*+*', { token: null }), 'the sweep');
  await pollUntil(() => receiver.received(path).length >= 4, { what: 'the replay and the reversal' });
}

/** Each distinct statement the worker logged, in the order first run. */
function loggedStatements() {
  const lines = readFileSync(worker.logPath, 'utf8').split('\n');
  return [...new Set(lines.filter((l) => l.includes(PREFIX)).map((l) => l.slice(l.indexOf(PREFIX) + PREFIX.length).trim()))];
}

/**
 * SQLite's plan of `sql` as its lines (`SEARCH clicks USING INDEX ...`), from the sqlite3 CLI,
 * which prints the plan as a tree (`|--`, `` `-- ``) and leaves unbound parameters NULL.
 */
function planOf(sql) {
  const out = execFileSync('sqlite3', ['-readonly', d1File(worker.stateDir), `EXPLAIN QUERY PLAN ${sql}`],
    { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  return out.split('\n').slice(1).map((line) => line.replace(/^[|`\- ]+/, '').trim()).filter(Boolean);
}

/** Words that may follow a table name in FROM or JOIN but are not an alias. */
const NOT_ALIAS = new Set(['where', 'join', 'left', 'inner', 'cross', 'on', 'order', 'group', 'limit', 'set', 'using',
  'values', 'select', 'as', 'union', 'having', 'natural', 'default', 'returning']);

/** The table each name in `sql`'s FROM and JOIN clauses stands for: `deliveries r` maps `r`. */
function tablesByName(sql) {
  const names = new Map();
  for (const [, table, alias] of sql.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?/gi)) {
    names.set(table, table);
    if (alias && !NOT_ALIAS.has(alias.toLowerCase())) names.set(alias, table);
  }
  return names;
}

/**
 * The plan's lines that read a whole table growing with traffic: `SCAN t` (SQLite names a table
 * by its alias), with or without an index: walking a whole index costs as much as the table.
 * Every query of a growing table must SEARCH it (seek on an index's leading columns).
 */
function fullScans(plan, sql, growing) {
  const names = tablesByName(sql);
  return plan.filter((detail) => {
    const scan = /^SCAN (\w+)/.exec(detail);
    return scan && growing.has(names.get(scan[1]) ?? scan[1]);
  });
}

test('no query of the hot paths, consumers, sweep or admin lists scans a table that grows with traffic', async (t) => {
  await driveEveryPath();
  const tables = queryD1(worker.stateDir, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")
    .map((t) => t.name);
  const growing = new Set(tables.filter((t) => !SET_UP_TABLES.has(t)));
  assert.ok(growing.has('clicks') && growing.has('events') && growing.has('deliveries'), [...growing].join(', '));
  const statements = await pollUntil(() => { const s = loggedStatements(); return s.length >= 40 && s; },
    { what: 'the logged statements' });
  const failures = [];
  const report = [];
  for (const sql of statements) {
    const plan = planOf(sql);
    report.push(`${sql}\n${plan.map((line) => `  ${line}`).join('\n')}\n`);
    const scans = fullScans(plan, sql, growing);
    if (scans.length) failures.push(`${scans.join('; ')}\n    in: ${sql}`);
  }
  // Every plan, for whoever reads a failure or changes a query (an artifact of the run).
  mkdirSync(join(ROOT, 'tests/artifacts'), { recursive: true });
  writeFileSync(join(ROOT, 'tests/artifacts/query-plans.txt'), report.join('\n'));
  t.diagnostic(`${statements.length} statements planned; tables that grow: ${[...growing].join(', ')}`);
  assert.deepEqual(failures, [], `${failures.length} of ${statements.length} statements scan a growing table:\n${failures.join('\n')}`);
});
