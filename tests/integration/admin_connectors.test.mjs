import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, newContainer, sql, sqlText } from '../harness/app.mjs';

export function connectorBody(overrides = {}) {
  return {
    name: 'Affiliate Network X',
    trigger_events: ['Purchase'],
    mode: 'enabled',
    webhook: {
      enabled: true, method: 'GET', url: 'https://partner.example/pb?src=pc',
      params: [{ name: 'value', value: '{{VALUE}}' }, { name: 'cid', value: '{{CLICK_ID}}' }],
      headers: [{ name: 'Authorization', value: 'Bearer abc123' }],
      event_renames: { Purchase: 'sale' }, signing_secret: null,
    },
    pixel: { enabled: false, html: '<script>track("{{EVENT_NAME}}", {v: "{{VALUE}}"})</script>', sandbox: true, approved_at: null },
    click_id: { enabled: true, param: 'aff_click_id', source_param: 'utm_source', source_value: 'platform_x', attribution: 'last_click', window_days: 14 },
    ...overrides,
  };
}

function withField(path, value) {
  const body = structuredClone(connectorBody());
  const keys = path.split('.');
  let at = body;
  for (const k of keys.slice(0, -1)) at = at[k];
  at[keys.at(-1)] = value;
  return body;
}

test('a connector round-trips through create, read, list, patch and delete', async () => {
  const c = await newContainer();
  const created = await admin.createConnector(c.id, connectorBody());
  assert.equal(created.status, 201);
  const con = created.json;
  assert.match(con.id, /^con_/);
  assert.equal(con.container_id, c.id);
  assert.equal(con.webhook.url, 'https://partner.example/pb?src=pc');
  assert.deepEqual(con.webhook.params, connectorBody().webhook.params);
  assert.deepEqual(con.click_id, connectorBody().click_id);
  assert.equal(con.pixel.approved_at, null);

  assert.deepEqual((await admin.getConnector(con.id)).json, con);
  const list = await admin.listConnectors(c.id);
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.data.map((x) => x.id), [con.id]);

  const patched = await admin.patchConnector(con.id, { mode: 'test', webhook: { method: 'POST' } });
  assert.equal(patched.status, 200);
  assert.equal(patched.json.mode, 'test');
  assert.equal(patched.json.webhook.method, 'POST');
  assert.equal(patched.json.webhook.url, con.webhook.url, 'a merge patch keeps other webhook fields');
  assert.deepEqual(sql(`SELECT mode FROM connectors WHERE id = ${sqlText(con.id)}`), [{ mode: 'test' }]);

  const deleted = await admin.deleteConnector(con.id);
  assert.equal(deleted.status, 204);
  assert.equal((await admin.getConnector(con.id)).status, 404);
  assert.equal((await admin.deleteConnector(con.id)).status, 404);
});

test('every connector validation error is a 422 naming its field, and nothing is stored', async () => {
  const c = await newContainer();
  const cases = [
    [withField('webhook.url', 'ftp://partner.example/pb'), 'webhook.url', 'invalid_url'],
    [withField('webhook.url', 'javascript:alert(1)'), 'webhook.url', 'invalid_url'],
    [withField('webhook.url', null), 'webhook.url', 'required'],
    [withField('webhook.method', 'PUT'), 'webhook.method', 'invalid_method'],
    [withField('mode', 'live'), 'mode', 'invalid_mode'],
    [withField('trigger_events', []), 'trigger_events', 'required'],
    [withField('click_id.window_days', 0), 'click_id.window_days', 'invalid_window'],
    [withField('click_id.window_days', 366), 'click_id.window_days', 'invalid_window'],
    [withField('click_id.attribution', 'first_click'), 'click_id.attribution', 'invalid_attribution'],
    [withField('pixel.html', 'x'.repeat(64 * 1024 + 1)), 'pixel.html', 'too_long'],
    [withField('pixel.html', '<img src="https://p.example/?v={{VALUE">'), 'pixel.html', 'invalid_placeholder'],
    [withField('webhook.params', [{ name: 'v', value: '{{ VALUE | nope }}' }]), 'webhook.params[0].value', 'invalid_placeholder'],
    [withField('webhook.headers', [{ name: 'X-A', value: 'a\r\nX-Injected: 1' }]), 'webhook.headers[0].value', 'invalid_header'],
    [withField('webhook.signing_secret', 'hunter2'), 'webhook.signing_secret', 'invalid_signing_secret'],
    [withField('name', ''), 'name', 'required'],
  ];
  for (const [body, field, code] of cases) {
    const res = await admin.createConnector(c.id, body);
    assert.equal(res.status, 422, `${field}: ${res.text}`);
    assert.equal(res.json.error.field, field);
    assert.equal(res.json.error.code, code);
  }
  assert.deepEqual(sql(`SELECT id FROM connectors WHERE container_id = ${sqlText(c.id)}`), []);
});

test('a connector for an unknown container is 404', async () => {
  const res = await admin.createConnector('ctr_AAAAAAAAAAAAAAAAAAAAAA', connectorBody());
  assert.equal(res.status, 404);
});

test('approving a pixel records the date, and editing the HTML clears it', async () => {
  const c = await newContainer();
  const con = (await admin.createConnector(c.id, connectorBody())).json;
  const approved = await admin.approvePixel(con.id);
  assert.equal(approved.status, 200);
  assert.ok(Date.parse(approved.json.pixel.approved_at) > Date.now() - 60_000);

  const renamed = await admin.patchConnector(con.id, { name: 'Renamed' });
  assert.equal(renamed.json.pixel.approved_at, approved.json.pixel.approved_at, 'other edits keep the approval');

  const forged = await admin.patchConnector(con.id, { pixel: { approved_at: '2000-01-01T00:00:00Z' } });
  assert.equal(forged.json.pixel.approved_at, approved.json.pixel.approved_at, 'clients cannot write approved_at');

  const edited = await admin.patchConnector(con.id, { pixel: { html: '<img src="https://p.example/px?v={{VALUE}}">' } });
  assert.equal(edited.status, 200);
  assert.equal(edited.json.pixel.approved_at, null);
});

test('a pixel with no HTML cannot be approved', async () => {
  const c = await newContainer();
  const con = (await admin.createConnector(c.id, connectorBody({ pixel: { enabled: false, html: '' } }))).json;
  const res = await admin.approvePixel(con.id);
  assert.equal(res.status, 422);
  assert.equal(res.json.error.field, 'pixel.html');
});

test('connector lists are paginated with limit and after', async () => {
  const c = await newContainer();
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await admin.createConnector(c.id, connectorBody({ name: `n${i}` }))).json.id);
  const first = await admin.listConnectors(c.id, '?limit=2');
  assert.equal(first.json.data.length, 2);
  assert.ok(first.json.next_after);
  const second = await admin.listConnectors(c.id, `?limit=2&after=${first.json.next_after}`);
  const seen = [...first.json.data, ...second.json.data].map((x) => x.id);
  assert.deepEqual(seen.sort(), [...ids].sort());
  assert.equal(second.json.next_after, null);
  assert.equal((await admin.listConnectors(c.id, '?limit=0')).status, 400);
});

test('the parameter catalogue lists every parameter with a description', async () => {
  const res = await admin.parameters();
  assert.equal(res.status, 200);
  const names = res.json.data.map((p) => p.name);
  for (const n of ['EVENT_NAME', 'VALUE', 'CURRENCY', 'CLICK_ID', 'GCLID', 'FBC', 'EMAIL_SHA256', 'UTM_SOURCE']) {
    assert.ok(names.includes(n), n);
  }
  assert.ok(res.json.data.every((p) => p.description.length > 5));
});
