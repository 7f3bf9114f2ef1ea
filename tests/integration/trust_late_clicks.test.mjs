// A click made after a conversion did not lead to it. A connector that pays only approved
// conversions is dispatched when the merchant approves, often much later; the visitor's click
// history read then may hold clicks made after the sale (a coupon or cashback site injecting
// its link at checkout). Attribution judges the clicks as of the conversion's own time, so such
// a click never takes the credit. The control: the same flow with the click before the sale pays.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, newContainer, sql, sqlText, unique } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { Jar, SITE_ORIGIN, tracking, visitorIdOf } from '../harness/tracking.mjs';
import { apiKeys, webhookGet } from '../harness/webhooks.mjs';

let receiver;
before(async () => { receiver = await startReceiver(); });
after(async () => { await receiver.close(); });

/** A container whose only connector pays approved Purchases with an `aff_click` click id. */
async function shop() {
  const container = await newContainer();
  const path = `/${unique('late-')}`;
  const connector = await admin.createConnector(container.id, {
    name: unique('Cashback '), trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`, fire_on_status: 'approved',
      params: [{ name: 'cid', value: '{{CLICK_ID}}' }, { name: 'o', value: '{{EVENT_ID}}' }] },
    click_id: { enabled: true, param: 'aff_click', attribution: 'any_click', window_days: 30 },
  });
  assert.equal(connector.status, 201, connector.text);
  const key = await apiKeys.create(container.id, { name: unique('key-') });
  assert.equal(key.status, 201, key.text);
  return { container, connector: connector.json, path, key: key.json.key };
}

/** A landing through the tracking link `/c` with click `param=value`, once its row is stored
 * (clicks reach D1 through the clicks queue after the answer). */
async function land(container, jar, param, value) {
  const to = `${SITE_ORIGIN}/landing?${param}=${value}`;
  const res = jar.take(await tracking('GET', `/c?id=${container.id}&to=${encodeURIComponent(to)}`,
    { cookie: jar.header(), headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130' } }));
  assert.equal(res.status, 302, res.text);
  await pollUntil(() => sql(`SELECT id FROM clicks WHERE container_id = ${sqlText(container.id)}
    AND param = ${sqlText(param)} AND value = ${sqlText(value)}`).length === 1, { what: `the ${param} click stored` });
}

async function purchase(key, jar, order) {
  const res = await webhookGet({ k: key, track: 'Purchase', value: '80', currency: 'EUR', eventId: order,
    visitor_id: visitorIdOf(jar.get('pc_vid')) });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.session_matched, true, res.text);
}

async function approve(key, order) {
  const res = await webhookGet({ k: key, eventId: order, status: 'approved' });
  assert.equal(res.status, 200, res.text);
}

/** The connector's delivery once the approval has been decided (before it, the conversion is
 * skipped as `awaiting_approval`). */
const settled = (connectorId) => pollUntil(async () => {
  const entries = (await admin.deliveries(connectorId)).json.data;
  return entries.find((e) => e.status === 'delivered' || (e.status === 'skipped' && e.reason !== 'awaiting_approval'));
}, { what: 'the approved conversion\'s delivery' });

test('a click made after the sale is not credited when the conversion is approved later', async () => {
  const { container, connector, path, key } = await shop();
  const jar = new Jar();
  // The visitor arrived from a search ad: a click, but none of this partner's.
  await land(container, jar, 'gclid', unique('G-'));
  const order = unique('order-');
  await purchase(key, jar, order);
  // Past the tolerance for a landing and an event stamped out of order by different machines.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  await land(container, jar, 'aff_click', unique('injected-'));
  await approve(key, order);

  const entry = await settled(connector.id);
  assert.equal(entry.status, 'skipped', JSON.stringify(entry));
  assert.equal(entry.reason, 'no_click');
  assert.equal(receiver.received(path).length, 0, 'the partner of the later click is not paid');
});

test('a click before the sale is credited when the conversion is approved later', async () => {
  const { container, connector, path, key } = await shop();
  const jar = new Jar();
  const clickId = unique('before-');
  await land(container, jar, 'aff_click', clickId);
  const order = unique('order-');
  await purchase(key, jar, order);
  await approve(key, order);

  const entry = await settled(connector.id);
  assert.equal(entry.status, 'delivered', JSON.stringify(entry));
  const [got] = receiver.received(path);
  assert.equal(got.query.get('cid'), clickId);
  assert.equal(got.query.get('o'), order);
});
