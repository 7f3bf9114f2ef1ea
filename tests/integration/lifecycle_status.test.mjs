// The conversion lifecycle on the real worker: statuses with their history, the admin API
// (single, bulk, read, list), status changes from /webhook without track, refunds reversing a
// known conversion, approval-gated connectors, reversals with a status map, duplicate updates.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, unique } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { connectorFor } from '../harness/postbacks.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { ADMIN_TOKEN, BASE, STATE_DIR } from '../harness/app.mjs';
import { apiKeys, customWebhook, eventById, webhookGet, webhooksAt } from '../harness/webhooks.mjs';

const { browserEvent, visitorWithClick } = webhooksAt({ url: BASE, adminToken: ADMIN_TOKEN, stateDir: STATE_DIR });

let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

const lifecycle = {
  get: (id) => call('GET', `/admin/api/events/${id}`),
  change: (id, body) => call('POST', `/admin/api/events/${id}/status`, { body }),
  bulk: (containerId, items) => call('POST', `/admin/api/containers/${containerId}/events/status`, { body: { items } }),
  list: (containerId, query = {}) => call('GET', `/admin/api/containers/${containerId}/events?${new URLSearchParams(query)}`),
};

/** A container with a connector (webhook overrides in `webhook`) and an API key. */
async function shop(webhook = {}, extra = {}) {
  const made = await connectorFor(receiver, {
    webhook: { params: [{ name: 'v', value: '{{VALUE}}' }, { name: 's', value: '{{CONVERSION_STATUS}}' }], ...webhook },
    ...extra,
  });
  const key = await apiKeys.create(made.container.id, { name: unique('key-') });
  assert.equal(key.status, 201, key.text);
  return { ...made, key: key.json.key };
}

async function purchase(key, orderId, value = '49.90') {
  const res = await webhookGet({ k: key, track: 'Purchase', value, currency: 'EUR', eventId: orderId });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

const received = (path, n) => pollUntil(() => { const got = receiver.received(path); return got.length >= n && got; },
  { what: `${n} postbacks at ${path}` });
const rowOf = (containerId, orderId) => eventById(containerId, orderId);

test('an approval-gated connector sends only after the conversion is approved, and the history keeps each change', async () => {
  const { container, connector, path, key } = await shop({ fire_on_status: 'approved' });
  assert.equal(connector.webhook.fire_on_status, 'approved');
  const orderId = unique('order-');
  await purchase(key, orderId);
  const row = rowOf(container.id, orderId);
  assert.equal(row.status, 'received');
  const skipped = await pollUntil(async () => {
    const log = (await call('GET', `/admin/api/connectors/${connector.id}/deliveries`)).json.data;
    return log.length === 1 && log[0];
  }, { what: 'the awaiting row' });
  assert.equal(skipped.status, 'skipped');
  assert.equal(skipped.reason, 'awaiting_approval');
  assert.equal(receiver.received(path).length, 0, 'nothing is paid before approval');

  const approved = await lifecycle.change(row.id, { status: 'approved', reason: 'validated by the shop' });
  assert.equal(approved.status, 200, approved.text);
  assert.equal(approved.json.status, 'approved');
  assert.deepEqual(approved.json.history.map((h) => [h.status, h.provenance, h.reason]),
    [['received', 'server', null], ['approved', 'admin', 'validated by the shop']]);
  const [paid] = await received(path, 1);
  assert.equal(paid.query.get('s'), 'approved');
  assert.equal(paid.query.get('v'), '49.9');
  const log = (await call('GET', `/admin/api/connectors/${connector.id}/deliveries`)).json.data;
  assert.equal(log.length, 1, 'the awaiting row became the delivery');

  const read = await lifecycle.get(row.id);
  assert.equal(read.status, 200);
  assert.equal(read.json.history.length, 2);
});

test('illegal transitions get 409 and unknown events 404 naming the field, on every surface', async () => {
  const { container, key } = await shop();
  const orderId = unique('order-');
  await purchase(key, orderId);
  const row = rowOf(container.id, orderId);
  assert.equal((await lifecycle.change(row.id, { status: 'reversed' })).status, 200);
  const again = await lifecycle.change(row.id, { status: 'approved' });
  assert.equal(again.status, 409, again.text);
  assert.equal(again.json.error.code, 'illegal_transition');
  const bad = await lifecycle.change(row.id, { status: 'received' });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.error.field, 'status');
  assert.equal((await lifecycle.change('evt_unknownunknownunknown1', { status: 'approved' })).status, 404);

  const unknown = await webhookGet({ k: key, eventId: unique('nope-'), status: 'approved' });
  assert.equal(unknown.status, 404, unknown.text);
  assert.equal(unknown.json.error.field, 'eventId');
  const illegal = await webhookGet({ k: key, eventId: orderId, status: 'approved' });
  assert.equal(illegal.status, 409, illegal.text);
  const rows = (await lifecycle.list(container.id)).json.data;
  assert.equal(rows.length, 1, 'a status change creates no event');
});

test('a webhook without track changes the status of the named event, and with track status stays an attribute', async () => {
  const { container, key, path } = await shop({ fire_on_status: 'approved' });
  const orderId = unique('order-');
  await purchase(key, orderId);
  const res = await webhookGet({ k: key, eventId: orderId, status: 'approved', reason: 'paid' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.type, 'status');
  const row = rowOf(container.id, orderId);
  assert.equal(row.status, 'approved');
  const history = (await lifecycle.get(row.id)).json.history;
  assert.deepEqual(history.at(-1).provenance, 'server');
  await received(path, 1);

  const other = unique('order-');
  const tracked = await webhookGet({ k: key, track: 'Purchase', value: '5', currency: 'EUR', eventId: other, status: 'shipped' });
  assert.equal(tracked.status, 200, tracked.text);
  const stored = rowOf(container.id, other);
  assert.equal(stored.status, 'received');
  assert.equal(stored.payload.attributes.status, 'shipped');
});

test('bulk changes answer each item, and approve the gated connector\'s conversions', async () => {
  const { container, key, path } = await shop({ fire_on_status: 'approved' });
  const a = unique('order-');
  const b = unique('order-');
  await purchase(key, a, '10');
  await purchase(key, b, '20');
  const malformed = await lifecycle.bulk(container.id, [{ event_id: a, status: 'approved' }, { event_id: a, status: 'bogus' }]);
  assert.equal(malformed.status, 422, 'a malformed item refuses the whole body, and nothing changes');
  assert.equal(malformed.json.error.field, 'items[1].status');
  assert.equal(rowOf(container.id, a).status, 'received');
  const res = await lifecycle.bulk(container.id, [
    { event_id: a, status: 'approved' },
    { event_id: b, status: 'rejected', reason: 'fraud' },
    { event_id: unique('missing-'), status: 'approved' },
    { event_id: b, status: 'reversed' },
  ]);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.data.map((d) => d.code), [200, 200, 404, 409],
    'a rejected conversion cannot be reversed: it can only be approved');
  assert.equal(res.json.data[2].error.field, 'items[2].event_id');
  assert.equal(res.json.data[3].error.code, 'illegal_transition');
  assert.equal(res.json.changed, 2);
  assert.equal(res.json.refused, 2);
  const paid = await received(path, 1);
  assert.equal(paid.length, 1);
  assert.equal(paid[0].query.get('v'), '10', 'only the approved conversion is paid');
  const list = await lifecycle.list(container.id, { status: 'rejected' });
  assert.deepEqual(list.json.data.map((e) => e.event_id), [b]);
  const tooMany = await lifecycle.bulk(container.id, Array.from({ length: 1001 }, (_, i) => ({ event_id: `o-${i}`, status: 'approved' })));
  assert.equal(tooMany.status, 422);
  assert.equal(tooMany.json.error.field, 'items');
});

test('a reversal reaches a connector that delivered, with the mapped status, and not one that skipped', async () => {
  const { container, key, path } = await shop({ send_reversals: true, status_map: { received: '0', reversed: '2' } });
  const skipPath = `/${unique('skip-')}`;
  const second = await call('POST', `/admin/api/containers/${container.id}/connectors`, { body: {
    name: unique('Gated '), trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${skipPath}`, fire_on_status: 'approved', send_reversals: true },
  } });
  assert.equal(second.status, 201, second.text);
  const orderId = unique('order-');
  await purchase(key, orderId);
  const [first] = await received(path, 1);
  assert.equal(first.query.get('s'), '0');

  const refund = await customWebhook(container.id, 'refund', { conversion_id: orderId }, { key });
  assert.equal(refund.status, 200, refund.text);
  assert.equal(refund.json.type, 'status');
  const [, reversal] = await received(path, 2);
  assert.equal(reversal.query.get('s'), '2');
  assert.equal(reversal.headers['idempotency-key'], `${first.headers['idempotency-key']}:reversal`);
  assert.equal(rowOf(container.id, orderId).status, 'reversed');
  assert.equal(receiver.received(skipPath).length, 0, 'the gated connector was never sent it, so no reversal');

  const again = await customWebhook(container.id, 'refund', { conversion_id: orderId }, { key });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.duplicate, true);
  const unknownId = unique('order-');
  const stored = await customWebhook(container.id, 'refund', { conversion_id: unknownId }, { key });
  assert.equal(stored.status, 200, stored.text);
  assert.equal(stored.json.type, 'track');
  assert.equal(rowOf(container.id, unknownId).name, 'Refund', 'an unknown id is stored as a Refund event');
  const log = (await call('GET', `/admin/api/connectors/${(await call('GET', `/admin/api/containers/${container.id}/connectors`)).json.data[0].id}/deliveries`)).json.data;
  assert.equal(log.length, 2, 'the conversion and one reversal: a repeated refund writes nothing');
});

test('duplicate policy update sends an update postback for a changed value, and ignore sends nothing', async () => {
  const { container, key, path } = await shop({ duplicate_policy: 'update' });
  const orderId = unique('order-');
  await purchase(key, orderId, '100');
  const [first] = await received(path, 1);
  const again = await purchase(key, orderId, '100');
  assert.equal(again.duplicate, true);
  await purchase(key, orderId, '60');
  const [, update] = await received(path, 2);
  assert.equal(update.query.get('v'), '60');
  assert.equal(update.headers['idempotency-key'], `${first.headers['idempotency-key']}:update:1`);
  assert.equal(rowOf(container.id, orderId).value, 60);

  const plain = await shop();
  const id = unique('order-');
  await purchase(plain.key, id, '100');
  await received(plain.path, 1);
  await purchase(plain.key, id, '60');
  assert.equal(rowOf(plain.container.id, id).value, 100, 'ignore keeps the first value');
});

test('the event list filters by event id, name, status, provenance and time, and pages', async () => {
  const { container, key } = await shop();
  const ids = [unique('order-'), unique('order-'), unique('order-')];
  for (const id of ids) await purchase(key, id);
  const byId = await lifecycle.list(container.id, { event_id: ids[1] });
  assert.deepEqual(byId.json.data.map((e) => e.event_id), [ids[1]]);
  const page = await lifecycle.list(container.id, { limit: '2' });
  assert.equal(page.json.data.length, 2);
  const next = await lifecycle.list(container.id, { limit: '2', before: page.json.next_before });
  assert.equal(next.json.data.length, 1);
  assert.equal((await lifecycle.list(container.id, { name: 'Lead' })).json.data.length, 0);
  assert.equal((await lifecycle.list(container.id, { provenance: 'server' })).json.data.length, 3);
  assert.equal((await lifecycle.list(container.id, { from: '2100-01-01T00:00:00Z' })).json.data.length, 0);
  const bad = await lifecycle.list(container.id, { status: 'paid' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'status');
});

test('an authenticated approval confirms a browser event: it becomes a server event and pays once', async () => {
  const { container, key, path } = await shop({ params: [{ name: 'p', value: '{{PROVENANCE}}' }] });
  const visitor = await visitorWithClick(container.id, 'gclid', unique('g-'));
  const orderId = unique('order-');
  const res = await browserEvent(container.id, visitor, { event: 'Purchase', event_id: orderId, value: 12, currency: 'EUR' });
  assert.equal(res.status, 200, res.text);
  const row = await pollUntil(() => rowOf(container.id, orderId), { what: 'the browser event' });
  assert.equal(row.provenance, 'browser');
  const approved = await webhookGet({ k: key, eventId: orderId, status: 'approved' });
  assert.equal(approved.status, 200, approved.text);
  assert.equal(approved.json.confirmed, true);
  const [paid] = await received(path, 1);
  assert.equal(paid.query.get('p'), 'server');
  const after = rowOf(container.id, orderId);
  assert.equal(after.provenance, 'server');
  assert.equal(after.status, 'approved');
});
