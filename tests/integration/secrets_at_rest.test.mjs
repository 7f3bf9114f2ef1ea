// Signing secrets at rest. Migration 0013 strips the secrets older delivery rows copied and gives
// each signed row its connector's secret version, losing no row; a connector secret stored in
// plain text before sealing still signs, and is sealed by the connector's next write or by the
// cron sweep.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeD1, ROOT } from '../harness/worker.mjs';
import { call, sql, sqlText, STATE_DIR, unique } from '../harness/app.mjs';
import { connectorFor, verifyStandardWebhook } from '../harness/postbacks.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { apiKeys, webhookGet } from '../harness/webhooks.mjs';

const migration = (name) => readFileSync(join(ROOT, 'migrations', name), 'utf8');
const sqlite = (file, text) => execFileSync('sqlite3', ['-json', file], { input: text }).toString().trim();
const rows = (file, text) => { const out = sqlite(file, text); return out ? JSON.parse(out) : []; };
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OLD = 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

test('migration 0013 strips copied secrets from every delivery row, names the secret version instead, and keeps every row', () => {
  const dir = mkdtempSync(join(tmpdir(), 'postclick-migration-'));
  const db = join(dir, 'd1.sqlite');
  try {
    const earlier = readdirSync(join(ROOT, 'migrations')).filter((f) => f.endsWith('.sql') && f < '0013').sort();
    for (const name of earlier) sqlite(db, migration(name));
    const request = (extra) => JSON.stringify({ request: { method: 'POST', url: 'https://p.example/', headers: [], body: '{}' }, ...extra });
    sqlite(db, `
      INSERT INTO connectors (id, container_id, name, mode, config, created_at, updated_at, previous_secret, previous_secret_until)
        VALUES ('con_rot', 'ctr_a', 'Rotated', 'enabled', '{"webhook":{"signing_secret":"${SECRET}"}}', 1, 1, '${OLD}', 99),
               ('con_one', 'ctr_a', 'Plain', 'enabled', '{"webhook":{"signing_secret":"${SECRET}"}}', 1, 1, NULL, NULL);
      INSERT INTO deliveries (id, container_id, connector_id, status, idempotency_key, created_at, updated_at, request) VALUES
        ('dlv_a', 'ctr_a', 'con_rot', 'delivered', 'dlv_a', 1, 1, '${request({ signing_secret: SECRET, previous_secret: { secret: OLD, until_s: 9 } })}'),
        ('dlv_b', 'ctr_a', 'con_one', 'queued', 'dlv_b', 1, 1, '${request({ signing_secret: SECRET })}'),
        ('dlv_c', 'ctr_a', 'con_one', 'failed', 'dlv_c', 1, 1, '${request({ signing_secret: null })}'),
        ('dlv_d', 'ctr_a', 'con_gone', 'failed', 'dlv_d', 1, 1, '${request({ signing_secret: SECRET })}'),
        ('dlv_e', 'ctr_a', 'con_one', 'skipped', 'dlv_e', 1, 1, NULL);
    `);
    sqlite(db, migration('0013_secret_versions.sql'));
    assert.deepEqual(rows(db, 'SELECT id, secret_version FROM connectors ORDER BY id'),
      [{ id: 'con_one', secret_version: 1 }, { id: 'con_rot', secret_version: 2 }]);
    const after = rows(db, 'SELECT id, request FROM deliveries ORDER BY id');
    assert.equal(after.length, 5, 'no row lost');
    const read = Object.fromEntries(after.map((r) => [r.id, r.request && JSON.parse(r.request)]));
    for (const [id, stored] of Object.entries(read)) {
      assert.ok(!JSON.stringify(stored ?? '').includes('whsec_'), `${id} holds no secret`);
      if (stored) assert.deepEqual(stored.request.url, 'https://p.example/', `${id} keeps its request`);
    }
    assert.equal(read.dlv_a.secret_version, 2, 'a rotated connector\'s row names its version');
    assert.equal(read.dlv_b.secret_version, 1);
    assert.equal(read.dlv_c.secret_version, undefined, 'an unsigned row stays unsigned');
    assert.equal(read.dlv_d.secret_version, 1, 'a signed row of a deleted connector stays signed (its attempt fails saying so)');
    assert.equal(read.dlv_e, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a secret stored in plain text before sealing still signs, and the connector\'s next write seals it', async () => {
  const { container, connector, path } = await connectorFor(receiver, { webhook: { method: 'POST', signing_secret: SECRET } });
  executeD1(STATE_DIR, `UPDATE connectors SET config = json_set(config, '$.webhook.signing_secret', '${SECRET}') WHERE id = ${sqlText(connector.id)}`);
  const read = () => sql(`SELECT json_extract(config, '$.webhook.signing_secret') AS s FROM connectors WHERE id = ${sqlText(connector.id)}`)[0].s;
  assert.equal(read(), SECRET, 'stored as an earlier version did');
  const key = (await apiKeys.create(container.id, { name: unique('key-') })).json.key;
  await webhookGet({ k: key, track: 'Purchase', value: '5', currency: 'EUR', eventId: unique('o-') });
  const [request] = await pollUntil(() => { const got = receiver.received(path); return got.length === 1 && got; }, { what: 'the postback' });
  assert.ok(verifyStandardWebhook(SECRET, request.headers, request.body), 'the plain-text secret signs');
  const saved = await call('PATCH', `/admin/api/connectors/${connector.id}`, { body: { name: unique('renamed ') } });
  assert.equal(saved.status, 200, saved.text);
  assert.match(read(), /^pcsec1:/, 'sealed by the next write');
});

test('the cron sweep seals secrets still stored in plain text, current and previous, and they keep signing', async () => {
  const { container, connector, path } = await connectorFor(receiver, { webhook: { method: 'POST', signing_secret: SECRET } });
  executeD1(STATE_DIR, `UPDATE connectors SET config = json_set(config, '$.webhook.signing_secret', '${SECRET}'),
    previous_secret = '${OLD}', previous_secret_until = ${Date.now() + 3600_000} WHERE id = ${sqlText(connector.id)}`);
  const stored = () => sql(`SELECT json_extract(config, '$.webhook.signing_secret') AS s, previous_secret AS p
    FROM connectors WHERE id = ${sqlText(connector.id)}`)[0];
  assert.deepEqual(stored(), { s: SECRET, p: OLD });
  const swept = await call('GET', '/cdn-cgi/handler/scheduled?cron=*/5+*+*+*+*', { token: null });
  assert.equal(swept.status, 200, swept.text);
  const after = await pollUntil(() => { const row = stored(); return /^pcsec1:/.test(row.s) && row; }, { what: 'the sealed secrets' });
  assert.match(after.p, /^pcsec1:/, 'the previous secret is sealed too');
  const key = (await apiKeys.create(container.id, { name: unique('key-') })).json.key;
  await webhookGet({ k: key, track: 'Purchase', value: '5', currency: 'EUR', eventId: unique('o-') });
  const [request] = await pollUntil(() => { const got = receiver.received(path); return got.length === 1 && got; }, { what: 'the postback' });
  assert.ok(verifyStandardWebhook(SECRET, request.headers, request.body), 'the resealed secret signs');
  assert.ok(verifyStandardWebhook(OLD, request.headers, request.body), 'and so does the resealed previous one, during its overlap');
});
