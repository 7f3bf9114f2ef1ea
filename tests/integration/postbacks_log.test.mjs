// The connector preview, the webhook log (masking, pagination) and replay.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { admin, call, waitForDelivery, sql, sqlText } from '../harness/app.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { connectorFor, sendTest } from '../harness/postbacks.mjs';

let receiver;
before(async () => { receiver = await startReceiver(); });
after(async () => { await receiver.close(); });

const AFFILIATE = {
  mode: 'enabled',
  webhook: {
    params: [{ name: 'cid', value: '{{CLICK_ID}}' }, { name: 'track', value: '{{EVENT_NAME}}' },
      { name: 'v', value: '{{VALUE}}' }, { name: 'tx', value: '{{TRANSACTION_ID}}' },
      { name: 'mail', value: '{{EMAIL_SHA256}}' }],
    headers: [{ name: 'Authorization', value: 'Bearer abc123def456ghi' }],
    event_renames: { Purchase: 'sale' },
  },
  click_id: { enabled: true, param: 'aff_click_id', source_param: 'utm_source', source_value: 'platform_x',
    attribution: 'last_click', window_days: 14 },
  pixel: { enabled: true, html: '<img src="https://px.example/p?v={{VALUE}}&t={{TRANSACTION_ID}}" alt="{{EVENT_NAME}}">' },
};

const SAMPLE = {
  event: 'Purchase', value: 49.9, currency: 'EUR',
  attributes: { transaction_id: '"><script>alert(1)</script>' },
  user: { email: ' A@B.COM ' },
  clicks: [{ param: 'aff_click_id', value: 'abc123', age_days: 2, landing_params: { utm_source: 'platform_x' } }],
};

test('preview returns exactly the request the Test Webhook then sends, and sends nothing itself', async () => {
  const { connector, path } = await connectorFor(receiver, AFFILIATE);
  const preview = await admin.preview(connector.id, SAMPLE);
  assert.equal(preview.status, 200);
  const p = preview.json;
  assert.equal(p.would_send, true);
  assert.equal(p.reason, null);
  assert.equal(p.method, 'GET');
  assert.equal(p.url, `${receiver.url}${path}?cid=abc123&track=sale&v=49.9`
    + '&tx=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E'
    + '&mail=fb98d44ad7501a959f3f4f4a3f004fe2d9e581ea6207e218c4b02c08a4d75adf');
  assert.deepEqual(p.headers.find((h) => h.name === 'Authorization'), { name: 'Authorization', value: 'Bearer abc123def456ghi' });
  assert.ok(p.headers.some((h) => h.name === 'User-Agent' && h.value.startsWith('postclick/')));
  assert.equal(p.body, null);
  assert.deepEqual(p.unresolved, []);
  assert.equal(p.click.value, 'abc123');
  assert.equal(p.click.source, 'platform_x');
  assert.equal(p.pixel_html,
    '<img src="https://px.example/p?v=49.9&t=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E" alt="sale">');
  assert.equal(receiver.received(path).length, 0, 'preview sends nothing');
  assert.deepEqual((await admin.deliveries(connector.id)).json.data, [], 'preview logs nothing');

  const id = await sendTest(connector.id, SAMPLE);
  await waitForDelivery(connector.id, id);
  const [sent] = receiver.received(path);
  assert.equal(`${receiver.url}${sent.url}`, p.url, 'the same sample sends exactly the previewed URL');
  assert.equal(sent.headers.authorization, 'Bearer abc123def456ghi');
});

test('preview lists unresolved placeholders and says why the connector would not fire', async () => {
  const { connector } = await connectorFor(receiver, AFFILIATE);
  const bare = await admin.preview(connector.id, { event: 'Purchase' });
  assert.equal(bare.status, 200);
  assert.equal(bare.json.would_send, false);
  assert.equal(bare.json.reason, 'no_click');
  assert.match(bare.json.reason_message, /no click/);
  assert.deepEqual(bare.json.unresolved.sort(), ['CLICK_ID', 'EMAIL_SHA256', 'TRANSACTION_ID', 'VALUE']);
  assert.match(bare.json.url, /\?cid=&track=sale&v=&tx=&mail=$/, 'names without a value render empty');

  const cases = [
    [{ clicks: [{ ...SAMPLE.clicks[0], age_days: 15 }] }, 'outside_window'],
    [{ clicks: [{ ...SAMPLE.clicks[0], landing_params: { utm_source: 'platform_y' } }] }, 'source_mismatch'],
    [{ clicks: [SAMPLE.clicks[0], { param: 'gclid', value: 'g1', age_days: 1 }] }, 'not_last_click'],
    [{ clicks: SAMPLE.clicks, consent: { advertising: false } }, 'consent'],
  ];
  for (const [event, reason] of cases) {
    const res = await admin.preview(connector.id, { event: 'Purchase', ...event });
    assert.equal(res.json.reason, reason, JSON.stringify(event));
    assert.equal(res.json.would_send, false);
    assert.ok(res.json.url, 'the would-be request is still shown');
  }
  const anyClick = await admin.patchConnector(connector.id, { click_id: { attribution: 'any_click' } });
  assert.equal(anyClick.status, 200);
  const later = await admin.preview(connector.id, { event: 'Purchase', ...cases[2][0] });
  assert.equal(later.json.would_send, true, 'any_click fires despite a later click from elsewhere');

  await admin.patchConnector(connector.id, { mode: 'test' });
  const testMode = await admin.preview(connector.id, { ...SAMPLE });
  assert.equal(testMode.json.reason, 'test_mode');
  const forced = await admin.preview(connector.id, { ...SAMPLE, pc_test: 1 });
  assert.equal(forced.json.would_send, true, 'pc_test=1 forces a real send');
  await admin.patchConnector(connector.id, { mode: 'disabled' });
  assert.equal((await admin.preview(connector.id, SAMPLE)).json.reason, 'disabled');
  const lead = await admin.preview(connector.id, { ...SAMPLE, event: 'Lead' });
  assert.equal(lead.json.triggered, false);
});

test('preview of a POST connector shows the JSON body, and malformed samples are refused by field', async () => {
  const { connector } = await connectorFor(receiver, {
    webhook: { method: 'POST', params: [{ name: 'value', value: '{{VALUE}}' }, { name: 'n', value: '{{NAME}}' }] },
  });
  const res = await admin.preview(connector.id, { value: 10, currency: 'EUR', attributes: { name: 'Zoë "Q"' } });
  assert.equal(res.json.body, '{"value":10,"n":"Zoë \\"Q\\""}');
  assert.ok(res.json.headers.some((h) => h.name === 'Content-Type' && h.value === 'application/json'));
  assert.equal(res.json.pixel_html, null);

  const refused = [
    [{ event: { currency: 'EURO' } }, 422, 'event.currency'],
    [{ event: { clicks: [{ param: 'gclid' }] } }, 422, 'event.clicks[0].value'],
    [{ event: { value: 5 } }, 422, 'event.currency'],
    [{ sample: {} }, 422, 'sample'],
    [[], 400, undefined],
  ];
  for (const [body, status, field] of refused) {
    const r = await call('POST', `/admin/api/connectors/${connector.id}/preview`, { body });
    assert.equal(r.status, status, JSON.stringify(body));
    assert.equal(r.json.error.field, field);
  }
  const text = await call('POST', `/admin/api/connectors/${connector.id}/preview`, { raw: '{}', headers: { 'content-type': 'text/plain' } });
  assert.equal(text.status, 415);
  const huge = await call('POST', `/admin/api/connectors/${connector.id}/preview`, { raw: `{"event":{"url":"${'x'.repeat(150_000)}"}}`, headers: { 'content-type': 'application/json' } });
  assert.equal(huge.status, 413);
  assert.equal((await call('POST', `/admin/api/connectors/${connector.id}/preview`, { body: {}, token: null })).status, 401);
  assert.equal((await admin.preview('con_nosuchconnector1', {})).status, 404);
});

test('the log masks credentials in the URL, headers and body while the partner gets them in full', async () => {
  const { connector, path } = await connectorFor(receiver, {
    webhook: {
      url: `${receiver.url}/masked?api_key=sk_live_0123456789abcdef&net=x`,
      method: 'POST',
      params: [{ name: 'token', value: 'tok_0123456789abcdef' }, { name: 'value', value: '{{VALUE}}' }],
      headers: [{ name: 'Authorization', value: 'Bearer abc123def456ghi' }, { name: 'X-Api-Key', value: 'short' }],
    },
  });
  const id = await sendTest(connector.id);
  const entry = await waitForDelivery(connector.id, id);
  const [sent] = receiver.received('/masked');
  assert.equal(sent.query.get('api_key'), 'sk_live_0123456789abcdef');
  assert.equal(sent.headers.authorization, 'Bearer abc123def456ghi');
  assert.equal(JSON.parse(sent.body).token, 'tok_0123456789abcdef');

  assert.equal(entry.url, `${receiver.url}/masked?api_key=****cdef&net=x`);
  assert.deepEqual(entry.headers.find((h) => h.name === 'Authorization'), { name: 'Authorization', value: 'Bearer ****6ghi' });
  assert.deepEqual(entry.headers.find((h) => h.name === 'X-Api-Key'), { name: 'X-Api-Key', value: '****' });
  assert.equal(JSON.parse(entry.body).token, '****cdef');
  const [row] = sql(`SELECT url, headers, body FROM deliveries WHERE id = ${sqlText(id)}`);
  assert.ok(!row.url.includes('0123456789abcdef') && !row.headers.includes('abc123def456ghi') && !row.body.includes('tok_0123'),
    'the log columns hold only the masked copy');
  assert.equal(receiver.received(path).length, 0);
});

test('the webhook log is newest first and pages with before', async () => {
  const { connector } = await connectorFor(receiver);
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push(await sendTest(connector.id));
  await Promise.all(ids.map((id) => waitForDelivery(connector.id, id)));
  const first = await admin.deliveries(connector.id, '?limit=2');
  assert.equal(first.status, 200);
  assert.deepEqual(first.json.data.map((d) => d.id), [ids[2], ids[1]]);
  assert.equal(first.json.next_before, ids[1]);
  const second = await admin.deliveries(connector.id, `?limit=2&before=${first.json.next_before}`);
  assert.deepEqual(second.json.data.map((d) => d.id), [ids[0]]);
  assert.equal(second.json.next_before, null);
  const entry = second.json.data[0];
  for (const key of ['time', 'url', 'method', 'response_code', 'attempt', 'status', 'error', 'reason', 'latency_ms']) {
    assert.ok(key in entry, `each entry has ${key}`);
  }
  assert.ok(Date.parse(entry.time) > 0);

  const other = await connectorFor(receiver);
  assert.equal((await admin.deliveries(other.connector.id, `?before=${ids[0]}`)).status, 400, 'a cursor from another log');
  assert.equal((await admin.deliveries(connector.id, '?before=nonsense')).status, 400);
  assert.equal((await admin.deliveries(connector.id, '?limit=0')).status, 400);
  assert.equal((await admin.deliveries('con_nosuchconnector1')).status, 404);
  assert.equal((await call('GET', `/admin/api/connectors/${connector.id}/deliveries`, { token: null })).status, 401);
});

test('replay sends the stored request again as a new logged delivery with the same idempotency key', async () => {
  const { connector, path } = await connectorFor(receiver, {
    webhook: { method: 'POST', params: [{ name: 'v', value: '{{VALUE}}' }], signing_secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
  });
  // A 400 on every attempt fails the delivery (a 410 would park its destination instead).
  receiver.script(path, { status: 400 });
  const id = await sendTest(connector.id, { value: 12.5, currency: 'EUR' });
  const failed = await waitForDelivery(connector.id, id);
  assert.equal(failed.status, 'failed');

  receiver.script(path, { status: 200, body: 'thanks' });
  const res = await admin.replay(id);
  assert.equal(res.status, 202);
  assert.equal(res.json.replay_of, id);
  const replayId = res.json.delivery_id;
  assert.notEqual(replayId, id);
  const replayed = await waitForDelivery(connector.id, replayId);
  assert.equal(replayed.status, 'delivered');
  assert.equal(replayed.kind, 'replay');
  assert.equal(replayed.replay_of, id);
  assert.equal(replayed.idempotency_key, id);
  const got = receiver.received(path);
  const [original, again] = [got[0], got[got.length - 1]];
  assert.equal(again.url, original.url);
  assert.equal(again.body, original.body);
  assert.equal(again.headers['idempotency-key'], id, 'the same conversion keeps its key');
  assert.equal(again.headers['webhook-id'], id);
  const [row] = sql(`SELECT origin_key, replay_of FROM deliveries WHERE id = ${sqlText(replayId)}`);
  assert.deepEqual(row, { origin_key: null, replay_of: id });
  const log = await admin.deliveries(connector.id);
  assert.deepEqual(log.json.data.map((d) => d.id), [replayId, id]);
});

test('replay refuses a delivery that is still being attempted, and an unknown one', async () => {
  const { connector, path } = await connectorFor(receiver);
  receiver.script(path, { status: 200, delayMs: 2000 });
  const id = await sendTest(connector.id);
  await pollUntil(() => receiver.received(path).length === 1, { what: 'the attempt in flight' });
  const busy = await admin.replay(id);
  assert.equal(busy.status, 422);
  assert.equal(busy.json.error.code, 'delivery_pending');
  await waitForDelivery(connector.id, id);
  assert.equal((await admin.replay('dlv_nosuchdelivery00')).status, 404);
  assert.equal((await admin.replay('not-an-id')).status, 404);
  assert.equal((await call('POST', `/admin/api/deliveries/${id}/replay`, { token: null })).status, 401);
});
