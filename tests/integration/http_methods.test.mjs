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

test('a rate limit written as a whole-number float is the same rate limit', async () => {
  const container = await newContainer();
  // Written by hand: JSON.stringify would print 120.
  const res = await call('POST', `/admin/api/containers/${container.id}/api-keys`, {
    raw: '{"name": "Backend", "rate_limit_per_minute": 120.0}',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.rate_limit_per_minute, 120);
  const fraction = await call('POST', `/admin/api/containers/${container.id}/api-keys`,
    { body: { name: 'Backend', rate_limit_per_minute: 120.5 } });
  assert.equal(fraction.status, 422);
  assert.equal(fraction.json.error.field, 'rate_limit_per_minute');
});
