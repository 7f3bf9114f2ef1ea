// What a first-time marketer meets: a shop's purchase sent with a top-level click id, trigger
// names in any case, {{ORDER_ID}} and {{CONVERSION_ID}}, other platforms' macros refused, the
// network templates, and the why-not explorer (GET /admin/api/containers/{id}/explain).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { admin, call, unique } from '../harness/app.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { customWebhook, keyedContainer, webhookGet } from '../harness/webhooks.mjs';

let receiver;
before(async () => { receiver = await startReceiver(); });
after(async () => { await receiver.close(); });

/** A connector matching on aff_click_id, firing on server events, aimed at the receiver. */
async function affiliate(containerId, { triggers = ['Purchase'], params } = {}) {
  const path = `/${unique('pb-')}`;
  const res = await admin.createConnector(containerId, {
    name: unique('Affiliate '), trigger_events: triggers, mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`,
      params: params ?? [{ name: 'cid', value: '{{CLICK_ID}}' }, { name: 'v', value: '{{VALUE}}' }] },
    click_id: { enabled: true, param: 'aff_click_id', attribution: 'last_click', window_days: 30 },
  });
  assert.equal(res.status, 201, res.text);
  return { connector: res.json, path };
}

const received = (path) => pollUntil(() => receiver.received(path)[0], { what: `a postback on ${path}` });

async function logOf(connectorId, done) {
  return pollUntil(async () => {
    const entry = (await admin.deliveries(connectorId)).json.data[0];
    return entry && done(entry) ? entry : null;
  }, { what: `the log of ${connectorId}` });
}

const explain = (containerId, query) =>
  call('GET', `/admin/api/containers/${containerId}/explain?${new URLSearchParams(query)}`);

test('a custom webhook purchase with a top-level aff_click_id fires the connector matching on it', async () => {
  const { container, key } = await keyedContainer();
  const { path } = await affiliate(container.id);
  const res = await customWebhook(container.id, 'purchase',
    { conversion_id: unique('SO-'), value: 49.9, currency: 'EUR', aff_click_id: 'abc-123' }, { key });
  assert.equal(res.status, 200, res.text);
  const got = await received(path);
  assert.equal(got.query.get('cid'), 'abc-123');
  assert.equal(got.query.get('v'), '49.9');
});

test('a /webhook track request with aff_click_id as a parameter fires the connector, and the trigger ignores case', async () => {
  const { container, key } = await keyedContainer();
  const { path } = await affiliate(container.id);
  const res = await webhookGet({ k: key, track: 'purchase', eventId: unique('T-'), value: '10', currency: 'EUR', aff_click_id: 'xyz' });
  assert.equal(res.status, 200, res.text);
  const got = await received(path);
  assert.equal(got.query.get('cid'), 'xyz');
});

test('a connector triggered on Purchase fires for a custom event named purchase', async () => {
  const { container, key } = await keyedContainer();
  const { path } = await affiliate(container.id);
  const res = await customWebhook(container.id, 'custom',
    { event_name: 'purchase', conversion_id: unique('C-'), click_ids: { aff_click_id: 'lower-1' } }, { key });
  assert.equal(res.status, 200, res.text);
  assert.equal((await received(path)).query.get('cid'), 'lower-1');
});

test('{{ORDER_ID}} is the order_id attribute, else the conversion id, and {{CONVERSION_ID}} the conversion id', async () => {
  const { container, key } = await keyedContainer();
  const params = [{ name: 'order', value: '{{ORDER_ID}}' }, { name: 'conv', value: '{{CONVERSION_ID}}' }];
  const { path } = await affiliate(container.id, { params });
  await customWebhook(container.id, 'purchase', { conversion_id: 'C-1', order_id: 'SO-9', aff_click_id: 'a1' }, { key });
  await customWebhook(container.id, 'purchase', { conversion_id: 'C-2', aff_click_id: 'a2' }, { key });
  const both = await pollUntil(() => (receiver.received(path).length === 2 ? receiver.received(path) : null), { what: 'two postbacks' });
  const byConv = Object.fromEntries(both.map((r) => [r.query.get('conv'), r.query.get('order')]));
  assert.deepEqual(byConv, { 'C-1': 'SO-9', 'C-2': 'C-2' });
  const listed = (await admin.parameters()).json.data.map((p) => p.name);
  assert.ok(listed.includes('ORDER_ID') && listed.includes('CONVERSION_ID'));
});

test('a URL, parameter, header or pixel with another platform\'s macro is refused with the placeholder to write', async () => {
  const { container } = await keyedContainer();
  const base = { name: 'Net', trigger_events: ['Purchase'], mode: 'test' };
  const cases = [
    [{ webhook: { enabled: true, url: 'https://pb.example/?cid={clickid}' } }, 'webhook.url', '{clickid}', '{{CLICK_ID}}'],
    [{ webhook: { enabled: true, url: 'https://pb.example/', params: [{ name: 'cid', value: '[clickid]' }] } }, 'webhook.params[0].value', '[clickid]', '{{CLICK_ID}}'],
    [{ webhook: { enabled: true, url: 'https://pb.example/', headers: [{ name: 'X-Order', value: '#orderid#' }] } }, 'webhook.headers[0].value', '#orderid#', '{{ORDER_ID}}'],
    [{ pixel: { enabled: true, html: '<img src="https://px.example/p?c=%clickid%" alt="">' } }, 'pixel.html', '%clickid%', '{{CLICK_ID}}'],
  ];
  for (const [part, field, found, suggested] of cases) {
    const res = await admin.createConnector(container.id, { ...base, ...part });
    assert.equal(res.status, 422, `${field}: ${res.text}`);
    assert.equal(res.json.error.code, 'foreign_macro');
    assert.equal(res.json.error.field, field);
    assert.ok(res.json.error.message.includes(found) && res.json.error.message.includes(suggested), res.json.error.message);
  }
  const listed = await admin.listConnectors(container.id);
  assert.deepEqual(listed.json.data, [], 'nothing was stored');
});

test('every network template, filled in, is created and previews a request carrying the click id and value', async () => {
  const { container } = await keyedContainer();
  const res = await call('GET', '/admin/api/connector-templates');
  assert.equal(res.status, 200, res.text);
  const names = res.json.data.map((t) => t.name).join(' | ');
  for (const network of ['Awin', 'Impact', 'CJ', 'Partnerize', 'Everflow', 'TUNE', 'RedTrack', 'Voluum', 'Tracknow', 'Generic S2S']) {
    assert.ok(names.includes(network), `${network} in ${names}`);
  }
  for (const template of res.json.data) {
    let text = JSON.stringify(template.connector);
    for (const f of template.fields) text = text.split(`<${f.key}>`).join(f.example);
    const created = await admin.createConnector(container.id, JSON.parse(text));
    assert.equal(created.status, 201, `${template.id}: ${created.text}`);
    const param = created.json.click_id.param;
    const preview = await admin.preview(created.json.id, { event: 'Purchase', event_id: 'SO-1001', value: 49.9, currency: 'EUR',
      clicks: [{ param, value: 'clk-7781', age_days: 1 }] });
    assert.equal(preview.status, 200, `${template.id}: ${preview.text}`);
    const url = new URL(preview.json.url);
    assert.equal(url.protocol, 'https:', template.id);
    const sent = `${preview.json.url} ${preview.json.body ?? ''}`;
    assert.ok(sent.includes('clk-7781') && sent.includes('49.9'), `${template.id}: ${sent}`);
  }
});

test('the explorer says why a purchase without a click did not fire, what to change, and which connector it never triggered', async () => {
  const { container, key } = await keyedContainer();
  const { connector } = await affiliate(container.id);
  const lead = await affiliate(container.id, { triggers: ['Lead'] });
  const order = unique('SO-');
  await customWebhook(container.id, 'purchase',
    { conversion_id: order, value: 20, currency: 'EUR', user_data: { email: 'jane@example.com' } }, { key });
  await logOf(connector.id, (e) => e.status === 'skipped');
  const res = await explain(container.id, { event_id: order });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.searched_by, 'event_id');
  const [event] = res.json.events;
  assert.equal(event.event_id, order);
  assert.equal(event.name, 'Purchase');
  assert.equal(event.provenance, 'server');
  assert.equal(event.visitor_id, null);
  assert.match(event.match_hint, /visitor_id/);
  const verdict = event.connectors.find((c) => c.connector_id === connector.id);
  assert.equal(verdict.fired, false);
  assert.equal(verdict.code, 'no_click');
  assert.match(verdict.reason, /no click/);
  assert.match(verdict.fix, /aff_click_id/);
  assert.ok(verdict.delivery_id);
  const other = event.connectors.find((c) => c.connector_id === lead.connector.id);
  assert.equal(other.code, 'not_triggered');
  assert.match(other.fix, /Add Purchase/);
  const byEmail = await explain(container.id, { email: ' Jane@Example.com ' });
  assert.equal(byEmail.status, 200, byEmail.text);
  assert.deepEqual(byEmail.json.events.map((e) => e.event_id), [order]);
});

test('the explorer finds a fired purchase by its click id and shows the click it carried', async () => {
  const { container, key } = await keyedContainer();
  const { connector } = await affiliate(container.id);
  const order = unique('SO-');
  await customWebhook(container.id, 'purchase', { conversion_id: order, aff_click_id: 'clk-explained' }, { key });
  await logOf(connector.id, (e) => e.status === 'delivered');
  const res = await explain(container.id, { click_id: 'clk-explained' });
  assert.equal(res.status, 200, res.text);
  const [event] = res.json.events;
  assert.equal(event.event_id, order);
  assert.deepEqual(event.clicks, [{ param: 'aff_click_id', value: 'clk-explained', at: null, carried: true }]);
  const verdict = event.connectors.find((c) => c.connector_id === connector.id);
  assert.equal(verdict.fired, true);
  assert.equal(verdict.code, 'delivered');
  assert.equal(verdict.fix, null);
  const none = await explain(container.id, { click_id: 'never-seen' });
  assert.deepEqual(none.json.events, []);
});

test('the explorer refuses a search by none or two keys, a bad email, and an unknown container', async () => {
  const { container } = await keyedContainer();
  for (const query of [{}, { event_id: 'a', click_id: 'b' }, { event_id: '' }, { email: 'not-an-email' }, { event_id: 'x'.repeat(300) }]) {
    const res = await explain(container.id, query);
    assert.equal(res.status, 400, `${JSON.stringify(query)}: ${res.text}`);
    assert.equal(res.json.error.code, 'invalid_query');
  }
  const unknown = await explain('ctr_00000000000000000000000000', { event_id: 'a' });
  assert.equal(unknown.status, 404);
  const anonymous = await call('GET', `/admin/api/containers/${container.id}/explain?event_id=a`, { token: null });
  assert.equal(anonymous.status, 401);
});

test('a skipped delivery is re-evaluated after the set-up is fixed: it fires once, and the skipped row stays in the log', async () => {
  const { container, key } = await keyedContainer();
  const { connector, path } = await affiliate(container.id);
  assert.equal((await admin.patchConnector(connector.id, { mode: 'disabled' })).status, 200);
  await customWebhook(container.id, 'purchase', { conversion_id: unique('SO-'), aff_click_id: 'late-1' }, { key });
  const skipped = await logOf(connector.id, (e) => e.status === 'skipped');
  assert.equal(skipped.reason, 'disabled');
  const early = await call('POST', `/admin/api/deliveries/${skipped.id}/reevaluate`);
  assert.equal(early.status, 202, early.text);
  assert.equal(early.json.status, 'skipped', 'still disabled: skipped again, saying why');
  assert.equal(early.json.reason, 'disabled');
  assert.equal((await admin.patchConnector(connector.id, { mode: 'enabled' })).status, 200);
  const again = await call('POST', `/admin/api/deliveries/${early.json.delivery_id}/reevaluate`);
  assert.equal(again.status, 202, again.text);
  assert.equal(again.json.status, 'queued');
  const got = await received(path);
  assert.equal(got.query.get('cid'), 'late-1');
  const log = await pollUntil(async () => {
    const rows = (await admin.deliveries(connector.id)).json.data;
    return rows.some((d) => d.status === 'delivered') ? rows : null;
  }, { what: 'the re-evaluated delivery to be delivered' });
  assert.deepEqual(log.map((d) => d.status).sort(), ['delivered', 'skipped', 'skipped'], 'both skipped rows stay');
  const twice = await call('POST', `/admin/api/deliveries/${skipped.id}/reevaluate`);
  assert.equal(twice.status, 409);
  assert.equal(twice.json.error.code, 'not_reevaluable');
  assert.equal(receiver.received(path).length, 1, 'the conversion was sent once');
});
