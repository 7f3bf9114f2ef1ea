// Reconciliation: per connector and local day, every triggered postback is accounted for
// (triggered = delivered + test + skipped by reason + failed + parked + in flight), the figures
// match what the partner received, they survive the retention purge (kept as rollups), and days
// follow the container's time zone. The worker is this test's own, so it can be stopped while the
// test ages rows as time would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sqlText, unique } from '../harness/app.mjs';
import { queryD1, executeD1 } from '../harness/worker.mjs';
import { ownWorker } from '../harness/own_worker.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { collect, Jar, sendEvent, SITE_ORIGIN } from '../harness/tracking.mjs';

const DAY = 86_400_000;
const MINUTE = 60_000;
const VARS = { RETRY_SCHEDULE: '1s,1s,1s', DELIVERY_TIMEOUT_S: '3' };
let worker;
let api;
const receiver = await startReceiver();

const own = ownWorker({ vars: VARS });
before(async () => ({ worker, call: api } = await own.ready));
after(() => receiver.close());

const sql = (q) => queryD1(worker.stateDir, q);
const reconciliation = (id, query = '') => api('GET', `/admin/api/connectors/${id}/reconciliation${query}`);
const daily = (id, query = '') => api('GET', `/admin/api/containers/${id}/events/daily${query}`);
const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);
const balances = (d) => d.triggered === d.delivered + d.test + sum(d.skipped) + d.failed + d.parked + d.in_flight;
const dayOf = (ms, offsetMs = 0) => new Date(ms + offsetMs).toISOString().slice(0, 10);

/** A connector of `container` posting to its own receiver path per event (`/{base}/{event id}`). */
async function connector(container, webhook = {}) {
  const base = `/${unique('rec-')}`;
  const res = await api('POST', `/admin/api/containers/${container.id}/connectors`, { body: {
    name: unique('Net '), trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${base}/{{EVENT_ID}}`, ...webhook } } });
  assert.equal(res.status, 201, res.text);
  return { ...res.json, base };
}

/** The connector's log, once `done` holds for it. */
const logOnce = (id, done, what) => pollUntil(async () => {
  const log = (await api('GET', `/admin/api/connectors/${id}/deliveries?limit=200`)).json.data;
  return done(log) && log;
}, { what, timeoutMs: 40_000 });

const by = (log, status) => log.filter((d) => d.status === status);

test('a mixed run balances per day, matches what the partner received, survives the purge and follows the time zone', async () => {
  const made = await api('POST', '/admin/api/containers', { body: { name: unique('shop-'),
    cookie_domain: 'shop.localhost.test', allowed_origins: [SITE_ORIGIN], time_zone: 'Asia/Kolkata',
    retention_days: { deliveries: 1, events: 30 } } });
  assert.equal(made.status, 201, made.text);
  const container = made.json;
  assert.equal(container.time_zone, 'Asia/Kolkata');
  const key = (await api('POST', `/admin/api/containers/${container.id}/api-keys`, { body: { name: 'k' } })).json.key;
  const convert = async (order) => {
    const res = await api('GET', `/webhook?${new URLSearchParams({ k: key, track: 'Purchase', value: '5', currency: 'EUR', eventId: order })}`, { token: null });
    assert.equal(res.status, 200, res.text);
  };
  const status = async (order, to) => {
    const res = await api('POST', `/admin/api/containers/${container.id}/events/status`, { body: { items: [{ event_id: order, status: to }] } });
    assert.equal(res.status, 200, res.text);
  };

  // A: pays approved conversions only. One approved (delivered), one waiting (skipped,
  // awaiting_approval), one browser event (skipped, browser_event), one the partner refuses
  // (failed, dead-lettered), one logged in test mode, and a Test Webhook send (delivered, but
  // no conversion triggered it: not counted).
  const a = await connector(container, { fire_on_status: 'approved' });
  const [paid, waiting, refused, logged] = [unique('paid-'), unique('wait-'), unique('bad-'), unique('log-')];
  receiver.script(`${a.base}/${refused}`, { status: 500, body: 'down' });
  for (const order of [paid, waiting, refused]) await convert(order);
  await status(paid, 'approved');
  await status(refused, 'approved');
  const jar = new Jar();
  await collect(container.id, `${SITE_ORIGIN}/`, { jar, base: worker.url });
  const browser = await sendEvent(container.id, { event: 'Purchase', event_id: unique('web-'), value: 3, currency: 'EUR' }, { jar, base: worker.url });
  assert.equal(browser.status, 200, browser.text);
  const testSend = await api('POST', `/admin/api/connectors/${a.id}/test`);
  assert.equal(testSend.status, 202, testSend.text);
  await logOnce(a.id, (log) => by(log, 'delivered').length === 2 && by(log, 'failed').length === 1
    && by(log, 'skipped').length === 2, 'A settled');
  assert.equal((await api('PATCH', `/admin/api/connectors/${a.id}`, { body: { mode: 'test' } })).status, 200);
  await convert(logged);
  await status(logged, 'approved');
  await logOnce(a.id, (log) => by(log, 'test').length === 1, 'the test-mode entry');
  assert.equal((await api('PATCH', `/admin/api/connectors/${a.id}`, { body: { mode: 'enabled' } })).status, 200);

  // B: answers 410, so its destination parks: the first delivery is the probe (in flight), the
  // next is kept parked.
  const b = await connector(container);
  receiver.script(`${b.base}/`, { status: 410 });
  const [probe, held] = [unique('probe-'), unique('held-')];
  receiver.script(`${b.base}/${probe}`, { status: 410 });
  await convert(probe);
  await pollUntil(async () => (await api('GET', `/admin/api/connectors/${b.id}/destination`)).json.state === 'parked', { what: 'B parked' });
  await convert(held);
  const logB = await logOnce(b.id, (log) => by(log, 'parked').length === 1 && by(log, 'retrying').length === 1, 'B settled');
  // A saw B's two conversions too (awaiting approval): eight entries, none pending.
  const logA = await logOnce(a.id, (log) => log.length === 8 && !log.some((d) => ['queued', 'retrying'].includes(d.status)), 'A final');
  const expected = (log) => {
    const skipped = {};
    for (const d of by(log, 'skipped')) skipped[d.reason] = (skipped[d.reason] ?? 0) + 1;
    return { triggered: log.length, test: by(log, 'test').length, skipped, failed: by(log, 'failed').length,
      parked: by(log, 'parked').length, in_flight: by(log, 'queued').length + by(log, 'retrying').length };
  };

  // What reconciliation counts: the postbacks events triggered (not the Test Webhook send).
  const counted = logA.filter((d) => d.event_row_id && !d.replay_of);
  assert.equal(counted.length, logA.length - 1);
  const testPath = new URL(logA.find((d) => !d.event_row_id).url).pathname;
  const todayIst = dayOf(Date.now(), 330 * MINUTE);
  const answerA = await reconciliation(a.id);
  assert.equal(answerA.status, 200, answerA.text);
  assert.equal(answerA.json.time_zone, 'Asia/Kolkata');
  assert.equal(answerA.json.data.length, 30, 'the last 30 days by default');
  const dayA = answerA.json.data.at(-1);
  assert.equal(dayA.day, todayIst);
  assert.ok(answerA.json.data.every(balances), JSON.stringify(answerA.json.data));
  const sentOkA = new Set(receiver.requests.filter((r) => r.path.startsWith(a.base) && !r.path.endsWith(refused)
    && r.path !== testPath).map((r) => r.path));
  assert.equal(dayA.delivered, sentOkA.size, 'delivered: each postback the partner acknowledged');
  assert.ok(receiver.received(`${a.base}/${paid}`).length === 1);
  assert.ok(receiver.received(`${a.base}/${refused}`).length >= 1, 'the refused one was tried');
  assert.equal(receiver.received(`${a.base}/${waiting}`).length + receiver.received(`${a.base}/${logged}`).length, 0);
  assert.deepEqual(dayA, { day: todayIst, delivered: 1, ...expected(counted) }, 'every other figure as the log shows it');
  assert.equal(dayA.test, 1, 'the conversion logged in test mode');
  assert.equal(dayA.failed, 1, 'the conversion the partner kept refusing');
  assert.ok(Object.keys(dayA.skipped).length >= 2, `skipped for two reasons at least: ${JSON.stringify(dayA.skipped)}`);
  const dayB = (await reconciliation(b.id)).json.data.at(-1);
  assert.deepEqual(dayB, { day: todayIst, delivered: 0, ...expected(logB) });
  assert.equal(dayB.parked + dayB.in_flight, 2, 'the probe in flight, the next one parked');
  assert.equal(receiver.received(`${b.base}/${held}`).length, 0, 'nothing parked was sent');

  // Rows made old, as time would: all of them 60 days back at 01:00 local time (IST, UTC+5:30),
  // except the paid postback, at 23:45 the evening before.
  const day = dayOf(Date.now() - 60 * DAY);
  const midnight = Date.parse(`${day}T00:00:00Z`) - 330 * MINUTE;
  const before = dayOf(Date.parse(`${day}T00:00:00Z`) - DAY);
  const id = sqlText(container.id);
  await own.restart((stateDir) => executeD1(stateDir, `
    UPDATE deliveries SET created_at = ${midnight + 60 * MINUTE} WHERE container_id = ${id};
    UPDATE deliveries SET created_at = ${midnight - 15 * MINUTE} WHERE container_id = ${id} AND status = 'delivered' AND event_row_id IS NOT NULL;
    UPDATE events SET created_at = ${midnight + 60 * MINUTE} WHERE container_id = ${id};`));
  ({ worker, call: api } = await own.ready);

  const range = `?from=${before}&to=${day}`;
  const beforePurge = { a: (await reconciliation(a.id, range)).json, b: (await reconciliation(b.id, range)).json,
    events: (await daily(container.id, range)).json };
  assert.deepEqual(beforePurge.a.data.map((d) => [d.day, d.triggered, d.delivered]), [[before, 1, 1], [day, counted.length - 1, 0]],
    'a delivery at 23:45 local time counts on that local day, one at 01:00 on the next');
  assert.deepEqual(beforePurge.events.data[1], { day, total: 7, received: 4, approved: 3, rejected: 0, reversed: 0 });

  const swept = await fetch(`${worker.url}/cdn-cgi/handler/scheduled?cron=*/5+*+*+*+*`);
  assert.equal(swept.status, 200);
  await pollUntil(() => sql(`SELECT COUNT(*) AS n FROM events WHERE container_id = ${id}`)[0].n === 0
    && sql(`SELECT COUNT(*) AS n FROM deliveries WHERE container_id = ${id} AND status NOT IN ('parked', 'retrying', 'queued')`)[0].n === 0,
  { what: 'the purge', timeoutMs: 40_000 });
  assert.deepEqual((await reconciliation(a.id, range)).json, beforePurge.a, 'A\'s counts outlive its deliveries');
  // B's two rows are pending (never purged); its probe may move between in flight and parked.
  const afterB = (await reconciliation(b.id, range)).json.data[1];
  assert.equal(afterB.triggered, beforePurge.b.data[1].triggered);
  assert.equal(afterB.parked + afterB.in_flight, 2);
  assert.deepEqual((await daily(container.id, range)).json, beforePurge.events, 'the events\' counts outlive them');

  // A change of time zone re-buckets the rolled-up days exactly: in UTC both are the day before.
  const utc = await api('PATCH', `/admin/api/containers/${container.id}`, { body: { time_zone: 'UTC' } });
  assert.equal(utc.status, 200, utc.text);
  const inUtc = (await reconciliation(a.id, range)).json;
  assert.equal(inUtc.time_zone, 'UTC');
  assert.deepEqual(inUtc.data.map((d) => [d.day, d.triggered]), [[before, counted.length], [day, 0]]);
  assert.ok(inUtc.data.every(balances));
});

test('a failed postback sent again and delivered counts once, as delivered; a Test Webhook send does not count', async () => {
  const made = (await api('POST', '/admin/api/containers', { body: { name: unique('shop-'), cookie_domain: 'shop.localhost.test' } })).json;
  const key = (await api('POST', `/admin/api/containers/${made.id}/api-keys`, { body: { name: 'k' } })).json.key;
  const net = await connector(made);
  const order = unique('o-');
  receiver.script(`${net.base}/${order}`, { status: 500, body: 'down' });
  const res = await api('GET', `/webhook?${new URLSearchParams({ k: key, track: 'Purchase', value: '5', currency: 'EUR', eventId: order })}`, { token: null });
  assert.equal(res.status, 200, res.text);
  const [failed] = by(await logOnce(net.id, (log) => by(log, 'failed').length === 1, 'the postback failed'), 'failed');
  const today = () => reconciliation(net.id).then((r) => r.json.data.at(-1));
  assert.deepEqual([(await today()).triggered, (await today()).failed], [1, 1]);

  receiver.script(`${net.base}/${order}`, { status: 200, body: 'ok' });
  assert.equal((await api('POST', `/admin/api/deliveries/${failed.id}/replay`)).status, 202);
  assert.equal((await api('POST', `/admin/api/connectors/${net.id}/test`)).status, 202);
  await logOnce(net.id, (log) => by(log, 'delivered').length === 2, 'the copy and the test send delivered');
  const day = await today();
  assert.deepEqual([day.triggered, day.delivered, day.failed, day.in_flight], [1, 1, 0, 0],
    'one conversion, paid once: its copy\'s outcome, and the test send left out');
  assert.ok(balances(day));
});

test('bad days, ranges and time zones are refused naming the field', async () => {
  const made = (await api('POST', '/admin/api/containers', { body: { name: unique('shop-'), cookie_domain: 'shop.localhost.test' } })).json;
  assert.equal(made.time_zone, 'UTC', 'UTC unless set');
  const net = await connector(made);
  for (const [query, field] of [['?from=2026-13-01', 'from'], ['?to=yesterday', 'to'], ['?from=2026-02-30', 'from'],
    ['?from=2026-12-01&to=2026-11-01', 'from'], ['?from=2025-01-01&to=2026-01-02', 'from']]) {
    for (const res of [await reconciliation(net.id, query), await daily(made.id, query)]) {
      assert.equal(res.status, 422, `${query}: ${res.text}`);
      assert.equal(res.json.error.field, field, query);
    }
  }
  const year = await reconciliation(net.id, '?from=2025-01-01&to=2026-01-01');
  assert.equal(year.status, 200);
  assert.equal(year.json.data.length, 366);
  for (const zone of ['Mars/Olympus_Mons', 'Europe/Helsinki\n', '../etc/passwd', 42]) {
    const created = await api('POST', '/admin/api/containers', { body: { name: 'x', cookie_domain: 'shop.localhost.test', time_zone: zone } });
    assert.equal(created.status, 422, created.text);
    assert.equal(created.json.error.field, 'time_zone');
    const patched = await api('PATCH', `/admin/api/containers/${made.id}`, { body: { time_zone: zone } });
    assert.equal(patched.status, 422, patched.text);
  }
  const helsinki = await api('PATCH', `/admin/api/containers/${made.id}`, { body: { time_zone: 'Europe/Helsinki' } });
  assert.equal(helsinki.json.time_zone, 'Europe/Helsinki');
  assert.equal((await reconciliation('con_nope')).status, 404);
});
