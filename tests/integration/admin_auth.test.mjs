import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, ADMIN_TOKEN } from '../harness/app.mjs';

const ADMIN_ROUTES = [
  ['GET', '/admin/api/containers'],
  ['POST', '/admin/api/containers'],
  ['GET', '/admin/api/containers/ctr_AAAAAAAAAAAAAAAAAAAAAA'],
  ['PATCH', '/admin/api/containers/ctr_AAAAAAAAAAAAAAAAAAAAAA'],
  ['GET', '/admin/api/containers/ctr_AAAAAAAAAAAAAAAAAAAAAA/connectors'],
  ['POST', '/admin/api/containers/ctr_AAAAAAAAAAAAAAAAAAAAAA/connectors'],
  ['GET', '/admin/api/connectors/con_AAAAAAAAAAAAAAAAAAAAAA'],
  ['PATCH', '/admin/api/connectors/con_AAAAAAAAAAAAAAAAAAAAAA'],
  ['DELETE', '/admin/api/connectors/con_AAAAAAAAAAAAAAAAAAAAAA'],
  ['POST', '/admin/api/connectors/con_AAAAAAAAAAAAAAAAAAAAAA/approve-pixel'],
  ['GET', '/admin/api/parameters'],
];

test('every admin route refuses a request without a token with a 401 JSON error', async () => {
  for (const [method, path] of ADMIN_ROUTES) {
    const res = await call(method, path, { token: null, body: method === 'GET' || method === 'DELETE' ? undefined : {} });
    assert.equal(res.status, 401, `${method} ${path}`);
    assert.equal(res.json.error.code, 'unauthorized');
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
  }
});

test('a wrong token, a token of another length and a non-Bearer scheme are all refused', async () => {
  const wrong = ADMIN_TOKEN.slice(0, -1) + (ADMIN_TOKEN.endsWith('a') ? 'b' : 'a');
  for (const header of [`Bearer ${wrong}`, `Bearer ${ADMIN_TOKEN}x`, `Bearer ${ADMIN_TOKEN.slice(0, 5)}`,
    `Basic ${ADMIN_TOKEN}`, `bearer${ADMIN_TOKEN}`, 'Bearer ', `Bearer  ${ADMIN_TOKEN}`]) {
    const res = await call('GET', '/admin/api/containers', { token: null, headers: { authorization: header } });
    assert.equal(res.status, 401, header);
    assert.equal(res.json.error.code, 'unauthorized');
  }
});

test('the right token is accepted', async () => {
  const res = await call('GET', '/admin/api/containers');
  assert.equal(res.status, 200);
  assert.ok(Array.isArray(res.json.data));
});

test('healthz answers 200 without a token', async () => {
  const res = await call('GET', '/healthz', { token: null });
  assert.equal(res.status, 200);
  assert.equal(res.json.status, 'ok');
});

test('an unknown route is a 404 JSON error and a wrong method a 405 JSON error', async () => {
  const missing = await call('GET', '/no/such/route', { token: null });
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error.code, 'not_found');
  const wrongMethod = await call('PUT', '/admin/api/containers', { body: {} });
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.json.error.code, 'method_not_allowed');
});

test('the OpenAPI document is served and names every admin route', async () => {
  const res = await call('GET', '/admin/api/openapi.json', { token: null });
  assert.equal(res.status, 200);
  assert.match(res.json.openapi, /^3\./);
  for (const [method, path] of ADMIN_ROUTES) {
    const templated = path.replace(/(ctr|con)_A+/, '{id}');
    assert.ok(res.json.paths[templated]?.[method.toLowerCase()], `${method} ${templated} is documented`);
  }
});
