// The route table seen from outside, walked from the OpenAPI document the worker serves: every
// operation that carries the admin security requirement refuses a request without the admin
// token (or with a wrong one) before its handler runs, every other operation answers the same
// with or without it, and a route asked with a method it does not take says which it does.
// (A native test holds the route table's Public/Admin flags to the same document.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, ADMIN_TOKEN } from '../harness/app.mjs';

const METHODS = ['get', 'head', 'options', 'post', 'put', 'patch', 'delete'];
const ADMIN_REFUSAL = 'missing or wrong admin token';

/** Whether a security requirement list names the admin token scheme. */
const requiresAdmin = (security) => (security ?? []).some((requirement) => 'adminToken' in requirement);

/** Every operation of the served document, with whether it requires the admin token. */
async function operations() {
  const res = await call('GET', '/admin/api/openapi.json', { token: null });
  assert.equal(res.status, 200);
  const doc = res.json;
  const ops = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const security = operation.security ?? doc.security;
      ops.push({ method: method.toUpperCase(), path, admin: requiresAdmin(security) });
    }
  }
  return ops;
}

// Path parameters get values of the right shape, so that a handler reached by mistake would
// answer something other than 401 (a 404 for an id nobody created).
const ID_PREFIX = { containers: 'ctr_', connectors: 'con_', deliveries: 'dlv_', 'api-keys': 'key_' };
const PARAMS = { container: 'ctr_AAAAAAAAAAAAAAAAAAAAAA', topic: 'purchase', file: 'console.js', token: 'x.y' };

function concrete(path) {
  const segments = path.split('/');
  return segments.map((segment, i) => {
    const name = segment.match(/^\{(.+)\}$/)?.[1];
    if (!name) return segment;
    return PARAMS[name] ?? `${ID_PREFIX[segments[i - 1]] ?? ''}AAAAAAAAAAAAAAAAAAAAAA`;
  }).join('/');
}

function send({ method, path }, options = {}) {
  const withBody = ['POST', 'PATCH', 'PUT'].includes(method);
  return call(method, concrete(path), { ...(withBody ? { body: {} } : {}), ...options });
}

test('every operation carrying the admin security requirement answers 401 without the token or with a wrong one', async () => {
  const admin = (await operations()).filter((op) => op.admin);
  assert.ok(admin.length >= 20, `only ${admin.length} admin operations documented`);
  const wrong = ADMIN_TOKEN.slice(0, -1) + (ADMIN_TOKEN.endsWith('a') ? 'b' : 'a');
  for (const op of admin) {
    const label = `${op.method} ${op.path}`;
    for (const headers of [{}, { authorization: `Bearer ${wrong}` }, { authorization: `Bearer ${ADMIN_TOKEN}x` }]) {
      const res = await send(op, { token: null, headers });
      assert.equal(res.status, 401, `${label} ${JSON.stringify(headers)}`);
      assert.match(res.headers.get('content-type'), /^application\/json/, label);
      assert.equal(res.json.error.code, 'unauthorized', label);
      assert.equal(res.json.error.message, ADMIN_REFUSAL, label);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer', label);
    }
    const authorised = await send(op);
    assert.notEqual(authorised.status, 401, `${label} with the token reaches its handler`);
  }
});

test('the operations the document declares public answer without the admin token, and the same with it', async () => {
  const ops = await operations();
  const open = ops.filter((op) => !op.admin);
  const expected = ['GET /healthz', 'GET /t.js', 'GET /collect', 'POST /e', 'GET /px/{token}', 'GET /webhook',
    'POST /webhook', 'POST /webhooks/custom/{container}/{topic}', 'GET /admin', 'GET /admin/assets/{file}',
    'GET /admin/api/openapi.json'];
  for (const op of expected) {
    assert.ok(open.some((o) => `${o.method} ${o.path}` === op), `${op} is declared public`);
  }
  for (const op of open) {
    const label = `${op.method} ${op.path}`;
    const without = await send(op, { token: null });
    assert.ok(!(without.status === 401 && without.json?.error?.message === ADMIN_REFUSAL), `${label} asks for the admin token`);
    const withToken = await send(op);
    assert.equal(withToken.status, without.status, `${label} answers the same with the admin token`);
  }
});

test('a route asked with a method it does not take is a 405 JSON error whose Allow lists the methods it takes', async () => {
  for (const [method, path, allow] of [
    ['PUT', '/admin/api/containers', 'POST, GET'],
    ['DELETE', '/admin/api/containers/ctr_AAAAAAAAAAAAAAAAAAAAAA', 'GET, PATCH'],
    ['POST', '/t.js', 'GET, HEAD'],
    ['GET', '/e', 'POST, OPTIONS'],
    ['HEAD', '/healthz', 'GET'],
  ]) {
    const res = await call(method, path, { token: null });
    assert.equal(res.status, 405, `${method} ${path}`);
    assert.equal(res.headers.get('allow'), allow, `${method} ${path}`);
    if (method !== 'HEAD') {
      assert.equal(res.json.error.code, 'method_not_allowed', `${method} ${path}`);
      assert.match(res.headers.get('content-type'), /^application\/json/);
    }
  }
});
