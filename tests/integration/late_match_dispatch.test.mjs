// A server event that arrives before its click: the clicks queue stores the click a moment
// later, matches the event to its visitor, and the event's connectors are decided again, so a
// partner whose postback needs its own click id is paid once that click is known.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, rowsOnce, sqlText, unique } from '../harness/app.mjs';
import { collect } from '../harness/tracking.mjs';
import { keyedContainer, webhookGet } from '../harness/webhooks.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { startReceiver } from '../harness/receiver.mjs';

const LANDING = 'https://www.shop.localhost.test/landing';

let receiver;
before(async () => { receiver = await startReceiver(); });
after(async () => { await receiver.close(); });

test('a server event that arrived before its click is dispatched once the click is stored, and its partner is paid once', async () => {
  const { container, key } = await keyedContainer();
  const path = `/${unique('late-')}`;
  const connector = await admin.createConnector(container.id, {
    name: 'Affiliate Y', trigger_events: ['Purchase'], mode: 'enabled',
    click_id: { enabled: true, param: 'yclick' },
    webhook: { enabled: true, fire_on: 'server', method: 'GET', url: `${receiver.url}${path}`,
      params: [{ name: 'cid', value: '{{CLICK_ID}}' }, { name: 'eid', value: '{{EVENT_ID}}' }] },
  });
  assert.equal(connector.status, 201, connector.text);

  const eventId = unique('order-');
  const gclid = unique('G-late-');
  const sent = await webhookGet({ k: key, track: 'Purchase', value: '10', currency: 'EUR', eventId, gclid });
  assert.equal(sent.status, 200, sent.text);
  assert.equal(sent.json.session_matched, false);
  const [skipped] = await rowsOnce(`SELECT status, reason FROM deliveries WHERE connector_id = ${sqlText(connector.json.id)}`);
  assert.deepEqual(skipped, { status: 'skipped', reason: 'no_click' }, 'without its click the partner is not paid yet');

  const landed = await collect(container.id, `${LANDING}?gclid=${gclid}&yclick=Y-late-1`);
  assert.equal(landed.status, 204);

  const [postback] = await pollUntil(() => {
    const got = receiver.received(path);
    return got.length ? got : null;
  }, { what: 'the late postback' });
  assert.equal(postback.query.get('cid'), 'Y-late-1');
  assert.equal(postback.query.get('eid'), eventId);
  const rows = await rowsOnce(`SELECT status FROM deliveries WHERE connector_id = ${sqlText(connector.json.id)} AND status = 'delivered'`);
  assert.equal(rows.length, 1);
  const all = await rowsOnce(`SELECT id FROM deliveries WHERE connector_id = ${sqlText(connector.json.id)}`);
  assert.equal(all.length, 1, 'the skipped row became the delivery: one row per event and connector');
  assert.equal(receiver.received(path).length, 1, 'the partner is paid once');
});
