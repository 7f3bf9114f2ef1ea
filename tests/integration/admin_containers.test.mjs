import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, call, newContainer, sql, sqlText, unique } from '../harness/app.mjs';

test('a container is created, read back and changed with a merge patch', async () => {
  const created = await admin.createContainer({
    name: 'Shop', cookie_domain: 'Shop.Example', allowed_origins: ['https://www.shop.example'],
    redirect_domains: ['partner-landing.example'], require_consent: true,
  });
  assert.equal(created.status, 201);
  const c = created.json;
  assert.match(c.id, /^ctr_[A-Za-z0-9_-]{22}$/);
  assert.equal(c.cookie_domain, 'shop.example');
  assert.deepEqual(c.allowed_origins, ['https://www.shop.example']);
  assert.equal(c.require_consent, true);
  assert.equal(c.compat_cookies, true);

  const read = await admin.getContainer(c.id);
  assert.equal(read.status, 200);
  assert.deepEqual(read.json, c);

  const patched = await admin.patchContainer(c.id, { compat_cookies: false, name: 'Shop 2' });
  assert.equal(patched.status, 200);
  assert.equal(patched.json.compat_cookies, false);
  assert.equal(patched.json.name, 'Shop 2');
  assert.equal(patched.json.cookie_domain, 'shop.example', 'fields not in the patch are kept');

  const rows = sql(`SELECT name, compat_cookies FROM containers WHERE id = ${sqlText(c.id)}`);
  assert.deepEqual(rows, [{ name: 'Shop 2', compat_cookies: 0 }]);
});

test('each invalid container field gets a 422 naming it, and nothing is stored', async () => {
  const name = unique('refused-');
  const cases = [
    [{ cookie_domain: 'a.example' }, 'name'],
    [{ name }, 'cookie_domain'],
    [{ name, cookie_domain: 'https://a.example/' }, 'cookie_domain'],
    [{ name, cookie_domain: 'a.example', allowed_origins: ['javascript:alert(1)'] }, 'allowed_origins[0]'],
    [{ name, cookie_domain: 'a.example', redirect_domains: ['a b'] }, 'redirect_domains[0]'],
    [{ name, cookie_domain: 'a.example', require_consent: 'yes' }, 'require_consent'],
  ];
  for (const [body, field] of cases) {
    const res = await admin.createContainer(body);
    assert.equal(res.status, 422, JSON.stringify(body));
    assert.equal(res.json.error.field, field);
    assert.ok(res.json.error.message.length > 0);
  }
  assert.deepEqual(sql(`SELECT id FROM containers WHERE name = ${sqlText(name)}`), []);
});

test('a patch that breaks a rule is refused and leaves the container unchanged', async () => {
  const c = await newContainer();
  const res = await admin.patchContainer(c.id, { name: 'ok', cookie_domain: 'not a domain' });
  assert.equal(res.status, 422);
  assert.equal(res.json.error.field, 'cookie_domain');
  assert.deepEqual((await admin.getContainer(c.id)).json, c);
});

test('malformed JSON is 400, a wrong content type 415 and an oversized body 413', async () => {
  const bad = await call('POST', '/admin/api/containers', { raw: '{"name": ', headers: { 'content-type': 'application/json' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.code, 'malformed_json');

  const form = await call('POST', '/admin/api/containers', { raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(form.status, 415);
  assert.equal(form.json.error.code, 'unsupported_media_type');

  const none = await call('POST', '/admin/api/containers', { raw: '{}' });
  assert.equal(none.status, 415);

  const big = await call('POST', '/admin/api/containers', { body: { name: 'x', cookie_domain: 'a.example', pad: 'x'.repeat(70 * 1024) } });
  assert.equal(big.status, 413);
  assert.equal(big.json.error.code, 'payload_too_large');
});

test('unknown and malformed container ids are 404', async () => {
  for (const id of ['ctr_AAAAAAAAAAAAAAAAAAAAAA', 'nope', "ctr_'%20OR%201=1", '..%2f..%2fetc']) {
    const res = await admin.getContainer(id);
    assert.equal(res.status, 404, id);
    assert.equal(res.json.error.code, 'not_found');
  }
  assert.equal((await admin.patchContainer('ctr_AAAAAAAAAAAAAAAAAAAAAA', { name: 'x' })).status, 404);
});

test('hostile admin bodies never cause a 500', async () => {
  const c = await newContainer();
  let deep = 'null';
  for (let i = 0; i < 2000; i++) deep = `{"a":${deep}}`;
  const bodies = [deep, '[]', '"string"', '1e999999', 'null', '{"name": "\\u0000", "cookie_domain": "\\ud800"}',
    `{"name": ${'['.repeat(500)}${']'.repeat(500)}}`, '{"name": "x", "cookie_domain": "a.example", "allowed_origins": [null, 1, {}]}',
    JSON.stringify({ name: 'x'.repeat(10000), cookie_domain: 'a.example' })];
  for (const raw of bodies) {
    for (const [method, path] of [['POST', '/admin/api/containers'], ['PATCH', `/admin/api/containers/${c.id}`],
      ['POST', `/admin/api/containers/${c.id}/connectors`]]) {
      const res = await call(method, path, { raw, headers: { 'content-type': 'application/json' } });
      assert.ok(res.status >= 400 && res.status < 500, `${method} ${path} ${raw.slice(0, 40)} → ${res.status} ${res.text.slice(0, 200)}`);
      assert.ok(res.json?.error?.code, 'every error has the JSON shape');
    }
  }
});
