// Squatting an order id from an anonymous browser gets the squatter nothing: a status change
// (webhook, custom refund, admin bulk) refuses an id that browser events from several visitors
// sent and no server event holds, and a server event that matches no visitor credits the one
// browser sender only when its event agrees on the money, linking the server's identities to it
// no stronger than a browser would. Played against the real worker, with the partner's receiver.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, call, newContainer, sql, sqlText, unique } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { browserAt as browser } from '../harness/tracking.mjs';
import { apiKeys, customWebhook, eventsOf, sha256, webhookGet, webhookPost } from '../harness/webhooks.mjs';

let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

async function shop() {
  const container = await newContainer();
  const path = `/${unique('squat-')}`;
  const res = await admin.createConnector(container.id, {
    name: unique('Net '), trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`, send_reversals: true,
      params: [{ name: 'cid', value: '{{CLICK_ID}}' }, { name: 'v', value: '{{VALUE}}' }] },
    click_id: { enabled: true, param: 'aff_click', attribution: 'last_click', window_days: 30 },
  });
  assert.equal(res.status, 201, res.text);
  const key = await apiKeys.create(container.id, { name: unique('key-') });
  return { container, connector: res.json, path, key: key.json.key };
}


/** An attacker and a customer who both sent `orderId` from their browsers, the attacker first. */
async function squatted(container, orderId, ips) {
  const attacker = browser(ips[0]);
  await attacker.landOn(container, 'aff_click=ATTACKER');
  await attacker.track(container, { event: 'Purchase', event_id: orderId, value: 9999, currency: 'EUR' });
  const customer = browser(ips[1]);
  await customer.landOn(container, 'aff_click=CUSTOMER');
  await customer.track(container, { event: 'Purchase', event_id: orderId, value: 100, currency: 'EUR' });
  return { attacker, customer };
}

const rowsOf = (containerId, orderId) => eventsOf(containerId).filter((e) => e.event_id === orderId)
  .map((e) => [e.provenance, e.status, e.visitor_id]).sort();
const paidTo = (path, cid) => receiver.received(path).filter((r) => r.query.get('cid') === cid);
/** Lets the work after an answer run, so that a postback it would send has had time to. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));

test('an approval by event id of an id two visitors sent is refused, naming the field, and pays no one', async () => {
  const { container, path, key } = await shop();
  const orderId = unique('order-');
  const { customer } = await squatted(container, orderId, ['198.51.100.61', '198.51.100.62']);
  const before = rowsOf(container.id, orderId);
  assert.deepEqual(before.map(([p, s]) => [p, s]), [['browser', 'received'], ['browser', 'received']]);

  const get = await webhookGet({ k: key, eventId: orderId, status: 'approved' });
  assert.equal(get.status, 409, get.text);
  assert.equal(get.json.error.code, 'ambiguous_event');
  assert.equal(get.json.error.field, 'eventId');
  assert.match(get.json.error.message, /track/, 'the message says to send the conversion itself');
  const post = await webhookPost({ query: { k: key }, json: { eventId: orderId, status: 'approved' } });
  assert.equal(post.status, 409, post.text);
  assert.equal(post.json.error.field, 'eventId');
  const refund = await customWebhook(container.id, 'refund', { conversion_id: orderId }, { key });
  assert.equal(refund.status, 409, refund.text);
  assert.deepEqual([refund.json.error.code, refund.json.error.field], ['ambiguous_event', 'conversion_id']);
  await settle();
  assert.deepEqual(rowsOf(container.id, orderId), before, 'nothing changed, no Refund event stored');
  assert.deepEqual(receiver.received(path), [], 'nothing was sent');

  // The shop sends the conversion itself: its own match decides, and its status then changes.
  const real = await webhookGet({ k: key, track: 'Purchase', value: '100', currency: 'EUR', eventId: orderId,
    visitorId: customer.jar.get('pc_vid') });
  assert.equal(real.status, 200, real.text);
  assert.deepEqual([real.json.confirmed, real.json.session_matched], [true, true]);
  await pollUntil(() => paidTo(path, 'CUSTOMER').length === 1, { what: 'the customer\'s postback' });
  const approved = await webhookGet({ k: key, eventId: orderId, status: 'approved' });
  assert.equal(approved.status, 200, approved.text);
  assert.deepEqual([approved.json.type, approved.json.confirmed], ['status', false], 'the server event holds the id');
  const [server] = eventsOf(container.id).filter((e) => e.event_id === orderId && e.provenance === 'server');
  assert.deepEqual([server.status, server.visitor_id, server.value], ['approved', customer.jar.visitorId(), 100]);
  await settle();
  assert.deepEqual(paidTo(path, 'ATTACKER'), [], 'the squatter is never paid');
});

test('a bulk approval refuses an id two visitors sent, item by item, and confirms a sole sender\'s event as before', async () => {
  const { container, path } = await shop();
  const contested = unique('order-');
  await squatted(container, contested, ['198.51.100.63', '198.51.100.64']);
  const alone = unique('order-');
  const customer = browser('198.51.100.65');
  await customer.landOn(container, 'aff_click=ALONE');
  await customer.track(container, { event: 'Purchase', event_id: alone, value: 40, currency: 'EUR' });

  const bulk = await call('POST', `/admin/api/containers/${container.id}/events/status`, { body: { items: [
    { event_id: contested, status: 'approved' }, { event_id: alone, status: 'approved' }] } });
  assert.equal(bulk.status, 200, bulk.text);
  assert.deepEqual([bulk.json.changed, bulk.json.refused], [1, 1]);
  const [refused, done] = bulk.json.data;
  assert.equal(refused.code, 409);
  assert.deepEqual([refused.error.code, refused.error.field], ['ambiguous_event', 'items[0].event_id']);
  assert.deepEqual([done.code, done.event.status, done.event.provenance], [200, 'approved', 'server']);
  assert.deepEqual(rowsOf(container.id, contested).map(([p, s]) => [p, s]), [['browser', 'received'], ['browser', 'received']]);
  await pollUntil(() => paidTo(path, 'ALONE').length === 1, { what: 'the sole sender\'s confirmed postback' });
  await settle();
  assert.deepEqual(paidTo(path, 'ATTACKER'), []);
});

test('a single sender\'s browser event is still confirmed by an approval by event id', async () => {
  const { container, path, key } = await shop();
  const orderId = unique('order-');
  const customer = browser('198.51.100.66');
  await customer.landOn(container, 'aff_click=ONLY');
  await customer.track(container, { event: 'Purchase', event_id: orderId, value: 70, currency: 'EUR' });
  const approved = await webhookGet({ k: key, eventId: orderId, status: 'approved' });
  assert.equal(approved.status, 200, approved.text);
  assert.deepEqual([approved.json.confirmed, approved.json.session_matched], [true, true]);
  const [paid] = await pollUntil(() => { const got = paidTo(path, 'ONLY'); return got.length === 1 && got; },
    { what: 'the confirmed postback' });
  assert.equal(paid.query.get('v'), '70');
});

test('a pre-claimed order id with another value is not the customer\'s: the server event stays unmatched and the email waits', async () => {
  const { container, path, key } = await shop();
  const orderId = unique('order-');
  const attacker = browser('198.51.100.67');
  await attacker.landOn(container, 'aff_click=ATTACKER');
  await attacker.track(container, { event: 'Purchase', event_id: orderId, value: 1, currency: 'EUR' });

  const email = `${unique('victim-')}@example.com`;
  const real = await webhookGet({ k: key, track: 'Purchase', value: '500', currency: 'EUR', eventId: orderId, email });
  assert.equal(real.status, 200, real.text);
  assert.deepEqual([real.json.confirmed, real.json.session_matched], [true, false]);
  const [event] = eventsOf(container.id).filter((e) => e.event_id === orderId);
  assert.deepEqual([event.provenance, event.value, event.visitor_id], ['server', 500, null]);
  const links = sql(`SELECT visitor_id FROM identities WHERE container_id = ${sqlText(container.id)}
    AND value = ${sqlText(sha256(email))}`);
  assert.deepEqual(links, [], 'the victim\'s email is linked to no one');

  // The victim's next order by email is not the attacker's either.
  const next = await webhookGet({ k: key, track: 'Purchase', value: '80', currency: 'EUR', eventId: unique('order-'), email });
  assert.equal(next.json.session_matched, false);
  await settle();
  assert.deepEqual(paidTo(path, 'ATTACKER'), [], 'the partner gets no postback with the attacker\'s click');
});

test('a sender found only through its browser event links the server\'s email as a browser would, and an asserted link wins', async () => {
  const { container, path, key } = await shop();
  const orderId = unique('order-');
  const guesser = browser('198.51.100.68');
  await guesser.landOn(container, 'aff_click=GUESSER');
  // Even with the right value guessed, the identities the server names are only as sure as
  // the anonymous browser's claim.
  await guesser.track(container, { event: 'Purchase', event_id: orderId, value: 500, currency: 'EUR' });
  const email = `${unique('victim-')}@example.com`;
  const real = await webhookGet({ k: key, track: 'Purchase', value: '500.00', currency: 'EUR', eventId: orderId, email });
  assert.deepEqual([real.json.confirmed, real.json.session_matched], [true, true]);
  const linksOf = () => sql(`SELECT visitor_id, provenance FROM identities WHERE container_id = ${sqlText(container.id)}
    AND kind = 'email_sha256' AND value = ${sqlText(sha256(email))} ORDER BY created_at`);
  assert.deepEqual(linksOf(), [{ visitor_id: guesser.jar.visitorId(), provenance: 'browser' }]);

  // The shop's server names the victim's visitor with the email: that link wins from now on.
  const victim = browser('198.51.100.69');
  await victim.landOn(container, 'aff_click=VICTIM');
  const login = await webhookGet({ k: key, track: 'Lead', eventId: unique('lead-'), email, visitorId: victim.jar.get('pc_vid') });
  assert.equal(login.status, 200, login.text);
  const next = await webhookGet({ k: key, track: 'Purchase', value: '80', currency: 'EUR', eventId: unique('order-'), email });
  assert.equal(next.json.session_matched, true);
  const [paid] = await pollUntil(() => { const got = receiver.received(path).filter((r) => r.query.get('v') === '80'); return got.length === 1 && got; },
    { what: 'the next order\'s postback' });
  assert.equal(paid.query.get('cid'), 'VICTIM');
});
