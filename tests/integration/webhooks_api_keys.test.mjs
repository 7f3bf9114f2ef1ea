// API keys for the inbound webhooks: shown once, stored as prefix and hash, listed without the
// key, revocable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, newContainer, sql, sqlText } from '../harness/app.mjs';
import { apiKeys, keyedContainer, sha256, webhookGet } from '../harness/webhooks.mjs';

test('a new key is shown once, and only its prefix and SHA-256 are stored', async () => {
  const container = await newContainer();
  const res = await apiKeys.create(container.id, { name: '  Backend prod ', rate_limit_per_minute: 120 });
  assert.equal(res.status, 201, res.text);
  const created = res.json;
  assert.match(created.key, /^pck_[A-Za-z0-9_-]{43}$/);
  assert.match(created.id, /^key_/);
  assert.equal(created.prefix, created.key.slice(0, 12));
  assert.equal(created.name, 'Backend prod');
  assert.equal(created.rate_limit_per_minute, 120);
  assert.equal(created.revoked, false);
  assert.ok(Date.parse(created.created_at) > 0);

  const [row] = sql(`SELECT * FROM api_keys WHERE id = ${sqlText(created.id)}`);
  assert.equal(row.key_hash, sha256(created.key));
  assert.ok(!Object.values(row).some((v) => String(v).includes(created.key)), 'the key itself is stored nowhere');

  const listed = await apiKeys.list(container.id);
  assert.equal(listed.status, 200);
  assert.equal(listed.json.data.length, 1);
  const [item] = listed.json.data;
  assert.equal(item.id, created.id);
  assert.equal(item.prefix, created.prefix);
  assert.equal(item.name, 'Backend prod');
  assert.equal(item.last_used_at, null);
  assert.ok(!listed.text.includes(created.key), 'the list never shows the key');
  assert.ok(!listed.text.includes(row.key_hash), 'nor its hash');
});

test('a key records when it was last used, and the list shows revoked keys as revoked', async () => {
  const { container, key, keyId } = await keyedContainer();
  assert.equal((await webhookGet({ k: key, track: 'Lead' })).status, 200);
  let [item] = (await apiKeys.list(container.id)).json.data;
  assert.ok(Date.parse(item.last_used_at) > 0);
  assert.equal((await apiKeys.revoke(keyId)).status, 204);
  assert.equal((await apiKeys.revoke(keyId)).status, 204, 'revoking again changes nothing');
  [item] = (await apiKeys.list(container.id)).json.data;
  assert.equal(item.revoked, true);
  assert.ok(Date.parse(item.revoked_at) > 0);
  assert.equal((await webhookGet({ k: key, track: 'Lead' })).status, 401);
});

test('invalid key requests are refused naming the field', async () => {
  const container = await newContainer();
  const cases = [
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: 7 }, 'name'],
    [{ name: 'x'.repeat(101) }, 'name'],
    [{ name: 'ok', rate_limit_per_minute: 0 }, 'rate_limit_per_minute'],
    [{ name: 'ok', rate_limit_per_minute: 100001 }, 'rate_limit_per_minute'],
    [{ name: 'ok', rate_limit_per_minute: '60' }, 'rate_limit_per_minute'],
  ];
  for (const [body, field] of cases) {
    const res = await apiKeys.create(container.id, body);
    assert.equal(res.status, 422, JSON.stringify(body));
    assert.equal(res.json.error.field, field);
  }
  assert.equal((await apiKeys.create(container.id, [])).status, 422);
  assert.deepEqual(sql(`SELECT id FROM api_keys WHERE container_id = ${sqlText(container.id)}`), []);
});

test('key and activity routes need the admin token and a known container or key', async () => {
  const container = await newContainer();
  const paths = [
    ['POST', `/admin/api/containers/${container.id}/api-keys`],
    ['GET', `/admin/api/containers/${container.id}/api-keys`],
    ['DELETE', '/admin/api/api-keys/key_AAAAAAAAAAAAAAAAAAAAAA'],
    ['GET', `/admin/api/containers/${container.id}/webhook-activity`],
  ];
  for (const [method, path] of paths) {
    const res = await call(method, path, { token: null, body: method === 'POST' ? { name: 'x' } : undefined });
    assert.equal(res.status, 401, `${method} ${path}`);
  }
  for (const [method, path] of [
    ['POST', '/admin/api/containers/ctr_AAAAAAAAAAAAAAAAAAAAAA/api-keys'],
    ['GET', '/admin/api/containers/ctr_AAAAAAAAAAAAAAAAAAAAAA/api-keys'],
    ['GET', '/admin/api/containers/ctr_AAAAAAAAAAAAAAAAAAAAAA/webhook-activity'],
    ['DELETE', '/admin/api/api-keys/key_AAAAAAAAAAAAAAAAAAAAAA'],
    ['DELETE', '/admin/api/api-keys/nope'],
  ]) {
    const res = await call(method, path, { body: method === 'POST' ? { name: 'x' } : undefined });
    assert.equal(res.status, 404, `${method} ${path}`);
    assert.equal(res.json.error.code, 'not_found');
  }
});
