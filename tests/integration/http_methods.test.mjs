// Methods a route does not take, as schemathesis found them: 405 with the route's methods in
// `Allow` (RFC 9110), also for methods the runtime does not know by name, which it used to run as
// GET.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, newContainer } from '../harness/app.mjs';

test('a method a route does not take is answered 405 with the methods it does take in Allow', async () => {
  const res = await call('PUT', '/admin/api/containers');
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'POST, GET');
  assert.equal(res.json.error.code, 'method_not_allowed');
  const container = await newContainer();
  const one = await call('DELETE', `/admin/api/containers/${container.id}`);
  assert.equal(one.status, 405);
  assert.equal(one.headers.get('allow'), 'GET, PATCH');
});

test('a method the runtime does not know is answered 405, never run as a GET', async () => {
  const res = await call('QUERY', '/admin/api/containers');
  assert.equal(res.status, 405, res.text);
  assert.equal(res.headers.get('allow'), 'POST, GET');
  assert.equal(res.json.data, undefined, 'no container list');
  assert.equal((await call('QUERY', '/no/such/route')).status, 404);
});
