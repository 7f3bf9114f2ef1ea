// What each hot path costs the platform, read from the Server-Timing header the worker adds
// when SERVER_TIMING is on (the harness turns it on): D1 round trips and queue sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, call, newContainer, rowsOnce, sqlText, unique } from '../harness/app.mjs';
import { collect, tracking, visitorIdOf } from '../harness/tracking.mjs';
import { keyedContainer, webhookGet } from '../harness/webhooks.mjs';

const LANDING = 'https://www.shop.localhost.test/landing';

/** `{d1, queue, total}` from a Server-Timing header value. */
export function costOf(headerValue) {
  assert.ok(headerValue, 'the answer carries Server-Timing');
  const metrics = Object.fromEntries(headerValue.split(',').map((m) => {
    const [name, ...params] = m.trim().split(';');
    return [name, Object.fromEntries(params.map((p) => p.split('=')))];
  }));
  return { d1: Number(JSON.parse(metrics.d1.desc)), queue: Number(JSON.parse(metrics.queue.desc)), total: Number(metrics.total.dur) };
}

const header = (res) => (typeof res.headers.get === 'function' ? res.headers.get('server-timing') : res.headers['server-timing']);

test('every answer, an error too, carries Server-Timing with its D1 round trips, queue sends and total time', async () => {
  const health = await call('GET', '/healthz');
  assert.match(header(health), /^d1;desc="\d+", queue;desc="\d+", total;dur=\d+\.\d$/);
  const missing = await call('GET', '/no/such/route');
  assert.equal(missing.status, 404);
  assert.deepEqual({ ...costOf(header(missing)), total: 0 }, { d1: 0, queue: 0, total: 0 });
  const unknown = await collect('ctr_unknownunknown', `${LANDING}`);
  assert.equal(unknown.status, 404);
  assert.equal(costOf(header(unknown)).d1, 1, 'an unknown container is looked up in D1 each time');
});

test('a plain page view of a known container makes no D1 call once the isolate has its settings', async () => {
  const c = await newContainer();
  const first = await collect(c.id, LANDING);
  assert.equal(first.status, 204);
  assert.ok(costOf(header(first)).d1 <= 1, 'the first view reads the settings at most once');
  for (let i = 0; i < 3; i += 1) {
    const again = await collect(c.id, `${LANDING}?page=${i}`);
    assert.equal(again.status, 204);
    assert.deepEqual({ ...costOf(header(again)), total: 0 }, { d1: 0, queue: 0, total: 0 });
  }
});

test('an admin change to a container or a connector is seen at once by the isolate that made it', async () => {
  const c = await newContainer();
  await collect(c.id, LANDING);
  const patched = await admin.patchContainer(c.id, { allowed_origins: ['https://other.shop.localhost.test'] });
  assert.equal(patched.status, 200, patched.text);
  const refused = await collect(c.id, LANDING);
  assert.equal(refused.status, 403, 'the old origin is no longer allowed');

  const d = await newContainer();
  await collect(d.id, LANDING);
  const connector = await admin.createConnector(d.id, {
    name: 'Affiliate Y', trigger_events: ['Purchase'], mode: 'enabled',
    click_id: { enabled: true, param: 'yclick' },
  });
  assert.equal(connector.status, 201, connector.text);
  const landing = await collect(d.id, `${LANDING}?yclick=Y-123`);
  assert.equal(landing.status, 204);
  assert.match(landing.cookies.pc_clk.value, /yclick\*Y-123/, 'the new connector\'s click parameter is captured at once');
});

test('a landing with click ids answers after one queue send and no D1 call, and its clicks reach D1 through the clicks queue', async () => {
  const c = await newContainer();
  await collect(c.id, LANDING);
  const landed = await collect(c.id, `${LANDING}?gclid=Queued-1&utm_source=google`);
  assert.equal(landed.status, 204);
  assert.ok(landed.cookies.pc_clk, 'the cookies are set in the answer');
  assert.deepEqual({ ...costOf(header(landed)), total: 0 }, { d1: 0, queue: 1, total: 0 });
  const rows = await rowsOnce(`SELECT param, value, visitor_id FROM clicks WHERE container_id = ${sqlText(c.id)} ORDER BY id`, 2);
  assert.deepEqual(rows.map((r) => [r.param, r.value]), [['gclid', 'Queued-1'], ['utm_source', 'google']]);
  assert.ok(rows.every((r) => r.visitor_id === visitorIdOf(landed.cookies.pc_vid.value)));

  const link = `/c?id=${c.id}&to=${encodeURIComponent(`${LANDING}?msclkid=Queued-2`)}`;
  const redirected = await tracking('GET', link);
  assert.equal(redirected.status, 302);
  assert.deepEqual({ ...costOf(header(redirected)), total: 0 }, { d1: 0, queue: 1, total: 0 });
  await rowsOnce(`SELECT id FROM clicks WHERE container_id = ${sqlText(c.id)} AND value = 'Queued-2'`);
});

test('a webhook that arrived before its click is matched once the clicks queue stores that click', async () => {
  const { container, key } = await keyedContainer();
  const sent = await webhookGet({ k: key, track: 'Lead', eventId: unique('lead-'), gclid: 'Late-Match-1' });
  assert.equal(sent.status, 200, sent.text);
  assert.equal(sent.json.session_matched, false);
  const landed = await collect(container.id, `${LANDING}?gclid=Late-Match-1`);
  assert.equal(landed.status, 204);
  const visitor = visitorIdOf(landed.cookies.pc_vid.value);
  const [event] = await rowsOnce(`SELECT visitor_id, matched_by FROM events WHERE container_id = ${sqlText(container.id)} AND visitor_id IS NOT NULL`);
  assert.deepEqual(event, { visitor_id: visitor, matched_by: 'click:gclid' });
});
