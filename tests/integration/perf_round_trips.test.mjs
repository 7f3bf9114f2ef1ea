// What each hot path costs the platform, read from the Server-Timing header the worker adds
// when SERVER_TIMING is on (the harness turns it on): D1 round trips and queue sends.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, call, newContainer, rowsOnce, sqlText, unique } from '../harness/app.mjs';
import { collect, Jar, sendEvent, settledClicks, tracking, visitorIdOf } from '../harness/tracking.mjs';
import { activity, apiKeys, customWebhook, keyedContainer, webhookGet } from '../harness/webhooks.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { startReceiver } from '../harness/receiver.mjs';

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
  assert.ok(costOf(header(first)).d1 <= 2, 'the first view reads the settings and the connectors at most');
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

test('a browser event and both webhook surfaces answer before their postbacks are dispatched, and each postback still arrives', async () => {
  const receiver = await startReceiver();
  try {
    const { container, key } = await keyedContainer();
    const connector = await admin.createConnector(container.id, {
      name: 'Partner', trigger_events: ['Purchase'], mode: 'enabled',
      webhook: { enabled: true, fire_on: 'server_and_browser', method: 'GET', url: `${receiver.url}/pb`,
        params: [{ name: 'eid', value: '{{EVENT_ID}}' }] },
    });
    assert.equal(connector.status, 201, connector.text);
    const jar = new Jar();
    await collect(container.id, LANDING, { jar });

    // One request on each webhook surface first: the isolate then knows the key's container and
    // its settings, as it does for a container that sends webhooks regularly.
    const warm = await webhookGet({ k: key, track: 'Lead', eventId: unique('warm-') });
    assert.equal(warm.status, 200, warm.text);
    const warmCustom = await customWebhook(container.id, 'lead', { conversion_id: unique('warm-') }, { key });
    assert.equal(warmCustom.status, 200, warmCustom.text);

    const ids = [unique('e-'), unique('w-'), unique('c-')];
    const browserEvent = await sendEvent(container.id, { event: 'Purchase', event_id: ids[0], value: 1, currency: 'EUR' }, { jar });
    assert.equal(browserEvent.status, 200, browserEvent.text);
    const tracklution = await webhookGet({ k: key, track: 'Purchase', value: '2', currency: 'EUR', eventId: ids[1] });
    assert.equal(tracklution.status, 200, tracklution.text);
    const custom = await customWebhook(container.id, 'purchase', { conversion_id: ids[2], value: 3, currency: 'EUR' }, { key });
    assert.equal(custom.status, 200, custom.text);
    const costs = [browserEvent, tracklution, custom].map((res) => costOf(header(res)));
    for (const cost of costs) assert.equal(cost.queue, 0, 'no postback is queued before the answer');
    assert.equal(costs[0].d1, 1, `POST /e makes one D1 round trip before answering: its insert returns the row it wrote (${costs[0].d1})`);
    assert.ok(costs[1].d1 <= 2, `GET /webhook makes at most two D1 round trips before answering (${costs[1].d1})`);
    assert.ok(costs[2].d1 <= 2, `the custom webhook makes at most two D1 round trips before answering (${costs[2].d1})`);
    COSTS.push(['POST /e', costs[0].d1], ['GET /webhook', costs[1].d1], ['POST /webhooks/custom', costs[2].d1]);

    await pollUntil(() => ids.every((id) => receiver.received('/pb').some((r) => r.query.get('eid') === id)),
      { what: 'the three postbacks' });
  } finally {
    await receiver.close();
  }
});

test('a status change, a refund of a known conversion and a set request answer after two D1 round trips, and the reversals still arrive', async () => {
  const receiver = await startReceiver();
  try {
    const { container, key } = await keyedContainer();
    const connector = await admin.createConnector(container.id, {
      name: 'Network', trigger_events: ['Purchase'], mode: 'enabled',
      webhook: { enabled: true, method: 'GET', url: `${receiver.url}/pb`, send_reversals: true, status_map: { reversed: '2' },
        params: [{ name: 'eid', value: '{{EVENT_ID}}' }, { name: 's', value: '{{CONVERSION_STATUS}}' }] },
    });
    assert.equal(connector.status, 201, connector.text);
    const jar = new Jar();
    await collect(container.id, `${LANDING}?gclid=${unique('G-')}`, { jar });
    const visitor = visitorIdOf(jar.get('pc_vid'));
    await settledClicks(container.id);
    const orders = [unique('w-'), unique('c-')];
    const bought = await webhookGet({ k: key, track: 'Purchase', value: '20', currency: 'EUR', eventId: orders[0], visitorId: visitor });
    assert.equal(bought.status, 200, bought.text);
    const boughtCustom = await customWebhook(container.id, 'purchase', { conversion_id: orders[1], value: 30, currency: 'EUR' }, { key });
    assert.equal(boughtCustom.status, 200, boughtCustom.text);
    const sent = (id, status) => receiver.received('/pb').filter((r) => r.query.get('eid') === id && r.query.get('s') === status);
    await pollUntil(() => orders.every((id) => sent(id, 'received').length === 1), { what: 'both conversions\' postbacks' });

    // The isolate knows the key from the requests above, as for a shop that sends regularly.
    const reversed = await webhookGet({ k: key, eventId: orders[0], status: 'reversed' });
    assert.equal(reversed.status, 200, reversed.text);
    assert.equal(reversed.json.type, 'status');
    const refunded = await customWebhook(container.id, 'refund', { conversion_id: orders[1] }, { key });
    assert.equal(refunded.status, 200, refunded.text);
    assert.equal(refunded.json.type, 'status');
    const enriched = await webhookGet({ k: key, visitorId: visitor, email: 'buyer@example.com', firstName: 'Ada' });
    assert.equal(enriched.status, 200, enriched.text);
    assert.equal(enriched.json.type, 'set');
    assert.equal(enriched.json.session_matched, true);
    const costs = [reversed, refunded, enriched].map((res) => costOf(header(res)));
    for (const [i, what] of ['a status change on /webhook', 'a refund on the custom webhook', 'a set request'].entries()) {
      assert.ok(costs[i].d1 <= 2, `${what} makes at most two D1 round trips before answering (${costs[i].d1})`);
      assert.equal(costs[i].queue, 0, `${what} queues no postback before answering`);
    }
    COSTS.push(['/webhook status change', costs[0].d1], ['custom refund', costs[1].d1], ['/webhook set', costs[2].d1]);

    await pollUntil(() => orders.every((id) => sent(id, '2').length === 1), { what: 'both reversals, after the answers' });
    const statuses = rowsOnce(`SELECT event_id, status FROM events WHERE container_id = ${sqlText(container.id)} ORDER BY event_id`, 2);
    assert.deepEqual((await statuses).map((r) => r.status), ['reversed', 'reversed']);
    const linked = await rowsOnce(`SELECT visitor_id FROM identities WHERE container_id = ${sqlText(container.id)} AND kind = 'email_sha256'`);
    assert.deepEqual(linked, [{ visitor_id: visitor }], 'the set request tied the email to the visitor');
    const log = (await activity(container.id)).json.data;
    assert.equal(log.length, 5, 'one activity row per request, the status changes and the set request included');
    assert.ok(log.every((row) => row.status === 'success'), JSON.stringify(log));
  } finally {
    await receiver.close();
  }
});

test('a key revoked after the isolate has read ahead for it is refused on its next webhook, on both surfaces', async () => {
  const { container, key, keyId } = await keyedContainer();
  const warm = await webhookGet({ k: key, track: 'Lead', eventId: unique('warm-') });
  assert.equal(warm.status, 200, warm.text);
  const fast = await webhookGet({ k: key, track: 'Lead', eventId: unique('fast-') });
  assert.equal(fast.status, 200, fast.text);
  assert.ok(costOf(header(fast)).d1 <= 2, 'the second request reads ahead with its key check');
  const revoked = await apiKeys.revoke(keyId);
  assert.ok([200, 204].includes(revoked.status), revoked.text);

  const eventIds = [unique('late-'), unique('late-')];
  const refused = await webhookGet({ k: key, track: 'Lead', eventId: eventIds[0] });
  assert.equal(refused.status, 401, refused.text);
  assert.match(refused.json.error.message, /revoked/);
  const custom = await customWebhook(container.id, 'lead', { conversion_id: eventIds[1] }, { key });
  assert.equal(custom.status, 401, custom.text);
  const stored = await rowsOnce(`SELECT COUNT(*) AS n FROM events WHERE container_id = ${sqlText(container.id)} \
    AND event_id IN (${eventIds.map(sqlText).join(', ')})`);
  assert.deepEqual(stored, [{ n: 0 }], 'nothing is stored for a revoked key');
});

/** D1 round trips each surface made before answering, printed for the report. */
const COSTS = [];
after(() => console.log(`D1 round trips before the answer: ${COSTS.map(([s, n]) => `${s} ${n}`).join(', ')}`));
