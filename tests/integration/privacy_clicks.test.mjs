// Click ids kept exactly, every refused value counted, cookie and redirect domains checked
// against the Public Suffix List, and {{FBC}} equal to the _fbc cookie a landing set.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { admin, call, rowsOnce, sql, sqlText, unique } from '../harness/app.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { collect, Jar, settledClicks, SITE_ORIGIN } from '../harness/tracking.mjs';
import { keyedContainer, customWebhook } from '../harness/webhooks.mjs';

const receiver = await startReceiver();
after(() => receiver.close());

async function connector(containerId, path, params, clickId) {
  const res = await admin.createConnector(containerId, {
    name: unique('Net '), trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`, params },
    ...(clickId ? { click_id: { enabled: true, param: clickId, attribution: 'any_click', window_days: 30 } } : {}),
  });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

const postback = (path) => pollUntil(() => receiver.received(path)[0] ?? null, { what: `a postback on ${path}` });

test('a click id is stored and sent back byte for byte: aff_click_id=AFF%2F1%2B2%20%C3%BC arrives as cid=AFF%2F1%2B2%20%C3%BC', async () => {
  const { container, key } = await keyedContainer();
  const path = `/${unique('cid-')}`;
  await connector(container.id, path, [{ name: 'cid', value: '{{CLICK_ID}}' }], 'aff_click_id');
  const jar = new Jar();
  const landed = await collect(container.id, `${SITE_ORIGIN}/offer?aff_click_id=AFF%2F1%2B2%20%C3%BC`, { jar });
  assert.equal(landed.status, 204);
  const [row] = await rowsOnce(`SELECT value FROM clicks WHERE container_id = ${sqlText(container.id)} AND param = 'aff_click_id'`);
  assert.equal(row.value, 'AFF/1+2 ü');
  const sent = await customWebhook(container.id, 'purchase', { conversion_id: unique('o-'), visitor_id: jar.get('pc_vid') }, { key });
  assert.equal(sent.status, 200, sent.text);
  const request = await postback(path);
  assert.match(request.url, /[?&]cid=AFF%2F1%2B2%20%C3%BC(&|$)/);
});

test('every refused click value is counted by parameter and reason, and the landing still succeeds', async () => {
  const { container } = await keyedContainer();
  const landing = `${SITE_ORIGIN}/?gclid={gclid}&fbclid=undefined&msclkid=${'a'.repeat(513)}&ttclid=%00x&dclid=&epik=ok`;
  const res = await collect(container.id, landing, { jar: new Jar() });
  assert.equal(res.status, 204);
  const kept = await settledClicks(container.id, 'param, value');
  assert.deepEqual(kept.map((r) => r.param), ['epik']);
  const counted = await call('GET', `/admin/api/containers/${container.id}/click-refusals`);
  assert.equal(counted.status, 200);
  const byParam = Object.fromEntries(counted.json.data.map((r) => [r.param, [r.reason, r.count]]));
  assert.deepEqual(byParam, {
    gclid: ['unfilled_macro', 1], fbclid: ['unfilled_macro', 1], msclkid: ['too_long', 1],
    ttclid: ['invalid_text', 1], dclid: ['empty', 1],
  });
  await collect(container.id, `${SITE_ORIGIN}/?gclid={gclid}`, { jar: new Jar() });
  const again = await call('GET', `/admin/api/containers/${container.id}/click-refusals`);
  assert.equal(again.json.data.find((r) => r.param === 'gclid').count, 2);
});

test('a public suffix is refused as cookie_domain or redirect domain with 422 naming the field; test TLDs stay accepted', async () => {
  for (const suffix of ['co.uk', 'com.au', 'github.io']) {
    const res = await admin.createContainer({ name: 'x', cookie_domain: suffix, allowed_origins: [] });
    assert.equal(res.status, 422, suffix);
    assert.equal(res.json.error.field, 'cookie_domain');
    assert.equal(res.json.error.code, 'public_suffix');
    const redirect = await admin.createContainer({ name: 'x', cookie_domain: 'shop.localhost.test', redirect_domains: [suffix] });
    assert.equal(redirect.status, 422, suffix);
    assert.equal(redirect.json.error.field, 'redirect_domains[0]');
  }
  const { container } = await keyedContainer();
  const patched = await admin.patchContainer(container.id, { redirect_domains: ['github.io'] });
  assert.equal(patched.status, 422);
  for (const ok of ['shop.test', 'shop.localhost.test', 'shop.co.uk']) {
    const res = await admin.createContainer({ name: 'x', cookie_domain: ok, redirect_domains: [ok] });
    assert.equal(res.status, 201, `${ok}: ${res.text}`);
  }
});

test('{{FBC}} is the _fbc cookie: a second landing with the same fbclid changes neither', async () => {
  const { container, key } = await keyedContainer();
  const path = `/${unique('fbc-')}`;
  await connector(container.id, path, [{ name: 'fbc', value: '{{FBC}}' }]);
  const jar = new Jar();
  await collect(container.id, `${SITE_ORIGIN}/?fbclid=AbC.d-e_F`, { jar });
  const cookie = jar.get('_fbc');
  assert.match(cookie, /^fb\.2\.\d{13}\.AbC\.d-e_F$/, 'an fbclid with a dot gets its cookie (shop.localhost.test has two dots)');
  // The second landing comes later than the first, so a rewritten cookie would show it.
  await pollUntil(() => Date.now() > Number(cookie.split('.')[2]) + 5, { intervalMs: 2, what: 'the clock to move on' });
  const second = await collect(container.id, `${SITE_ORIGIN}/again?fbclid=AbC.d-e_F`, { jar });
  assert.equal(second.cookies._fbc, undefined, 'the same fbclid does not rewrite _fbc');
  const sent = await customWebhook(container.id, 'purchase', { conversion_id: unique('o-'), visitor_id: jar.get('pc_vid') }, { key });
  assert.equal(sent.status, 200, sent.text);
  const request = await postback(path);
  assert.equal(request.query.get('fbc'), cookie);
});

test('a 5-segment _fbc from Meta\'s parameter builder is read without being rewritten', async () => {
  const { container } = await keyedContainer();
  const jar = new Jar();
  jar.values.set('_fbc', 'fb.2.1700000000000.IwAR1x.AQIDAQMC');
  const res = await collect(container.id, `${SITE_ORIGIN}/?fbclid=IwAR1x`, { jar });
  assert.equal(res.status, 204);
  assert.equal(res.cookies._fbc, undefined);
  assert.equal(jar.get('_fbc'), 'fb.2.1700000000000.IwAR1x.AQIDAQMC');
});
