// Per-destination pacing: a 429 with Retry-After pauses the whole destination, not only the
// message that got it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, rowsOnce, sqlText, unique } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { connectorFor } from '../harness/postbacks.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { apiKeys, webhookGet } from '../harness/webhooks.mjs';

let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

async function setUp(webhook = {}) {
  const made = await connectorFor(receiver, { webhook: { params: [{ name: 'o', value: '{{EVENT_ID}}' }], ...webhook } });
  const key = (await apiKeys.create(made.container.id, { name: unique('key-') })).json.key;
  const convert = async (order) => {
    const res = await webhookGet({ k: key, track: 'Purchase', value: '5', currency: 'EUR', eventId: order });
    assert.equal(res.status, 200, res.text);
  };
  return { ...made, convert };
}

test('a 429 with Retry-After pauses the whole destination: a second delivery waits too, and both arrive after', async () => {
  const { connector, path, convert } = await setUp();
  receiver.script(path, { status: 429, headers: { 'retry-after': '2' }, body: 'slow down' }, { status: 200 });
  const [first, second] = [unique('o-'), unique('o-')];
  await convert(first);
  const refused = await pollUntil(() => receiver.received(path)[0], { what: 'the 429' });
  await convert(second);

  const log = await pollUntil(async () => {
    const data = (await admin.deliveries(connector.id)).json.data;
    return data.length === 2 && data.every((d) => d.status === 'delivered') && data;
  }, { what: 'both delivered', timeoutMs: 30_000 });
  const at = (order) => receiver.received(path).filter((r) => r.query.get('o') === order).map((r) => r.at);
  assert.equal(at(first).length, 2, 'the first is tried again once');
  assert.equal(at(second).length, 1, 'the second is sent once, after the pause');
  assert.ok(at(first)[1] - refused.at >= 1_900, `the retry waited ${at(first)[1] - refused.at} ms of the 2 s asked`);
  assert.ok(at(second)[0] - refused.at >= 1_900, `the second waited ${at(second)[0] - refused.at} ms of the 2 s asked`);
  const secondEntry = log.find((d) => new URL(d.url).searchParams.get('o') === second);
  assert.equal(secondEntry.attempt, 1, 'waiting out the pause uses no attempt');
});

test('a burst of 50 to a destination limited to 5 a second arrives no faster than the limit, none lost', async () => {
  const { connector, path, convert } = await setUp({ max_per_second: 5 });
  const orders = Array.from({ length: 50 }, () => unique('o-'));
  await Promise.all(orders.map(convert));
  await pollUntil(() => new Set(receiver.received(path).map((r) => r.query.get('o'))).size === 50,
    { what: 'all 50 postbacks', timeoutMs: 60_000 });
  const busiest = (times) => Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
  const spread = (times) => times.map((t) => t - times[0]).join(',');
  // The worker starts at most 5 sends in any one second (give or take one for a start on the
  // window's edge, times being whole milliseconds), by its own clock: each attempt's started_at.
  const started = (await rowsOnce(`SELECT a.started_at FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
    WHERE d.connector_id = ${sqlText(connector.id)} ORDER BY a.started_at`, 50)).map((r) => r.started_at);
  assert.equal(started.length, 50, 'one attempt each');
  assert.ok(busiest(started) <= 6, `at most 5 (+1) sends started a second, saw ${busiest(started)}: ${spread(started)}`);
  // The partner's clock sees the same pace; on a machine busy enough to hold a request back a
  // moment, two may arrive together, so it gets one more of slack.
  const arrivals = receiver.received(path).map((r) => r.at).sort((a, b) => a - b);
  assert.ok(busiest(arrivals) <= 7, `at most 5 (+2) arrivals a second, saw ${busiest(arrivals)}: ${spread(arrivals)}`);
  assert.ok(arrivals.at(-1) - arrivals[0] >= 49 * 200 * 0.9, `50 at 5/s take about 10 s, took ${arrivals.at(-1) - arrivals[0]} ms`);
  const log = (await admin.deliveries(connector.id)).json.data;
  assert.ok(log.every((d) => d.status === 'delivered' && d.attempt === 1), 'waiting its turn uses no attempt');
});
