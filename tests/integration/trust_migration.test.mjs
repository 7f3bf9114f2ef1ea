// Migration 0005 on data written before it: events keep their ids and get a provenance, identity
// links count as browser links, deliveries and activity get the provenance of what caused them,
// and every connector with a webhook moves to fire_on server with a one-time notice that the
// console shows until the connector is next saved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { d1File, ROOT, startWorker } from '../harness/worker.mjs';
import { WORKER_VARS } from '../harness/app.mjs';

const migration = (name) => readFileSync(join(ROOT, 'migrations', name), 'utf8');
const sqlite = (file, sql) => execFileSync('sqlite3', ['-json', file], { input: sql }).toString().trim();
const rows = (file, sql) => { const out = sqlite(file, sql); return out ? JSON.parse(out) : []; };

test('migration 0005 gives data stored before it a provenance and moves connectors to fire_on server with a notice', () => {
  const dir = mkdtempSync(join(tmpdir(), 'postclick-migration-'));
  const db = join(dir, 'd1.sqlite');
  try {
    for (const name of ['0001_initial.sql', '0002_matching.sql', '0003_delivery_outbox.sql', '0004_dispatch_state.sql']) {
      sqlite(db, migration(name));
    }
    sqlite(db, `
      INSERT INTO connectors VALUES ('con_hook', 'ctr_a', 'Net', 'enabled',
        '{"name":"Net","trigger_events":["Purchase"],"mode":"enabled","webhook":{"enabled":true,"url":"https://p.example/"}}', 1, 1);
      INSERT INTO connectors VALUES ('con_pixel', 'ctr_a', 'Px', 'enabled',
        '{"name":"Px","trigger_events":["Purchase"],"mode":"enabled","webhook":{"enabled":false}}', 1, 1);
      INSERT INTO events (id, container_id, event_id, name, visitor_id, source, payload, created_at, dispatched_at)
        VALUES ('evt_b', 'ctr_a', 'order-1', 'Purchase', 'v1.AAAAAAAAAAAAAAAAAAAAAA', 'browser', '{}', 1, 2),
               ('evt_s', 'ctr_a', 'order-2', 'Purchase', NULL, 'webhook', '{}', 1, 2);
      INSERT INTO identities VALUES ('ctr_a', 'email_sha256', 'h', 'v1.AAAAAAAAAAAAAAAAAAAAAA', 1);
      INSERT INTO deliveries (id, container_id, connector_id, event_row_id, status, idempotency_key, created_at, updated_at, origin_key)
        VALUES ('dlv_b', 'ctr_a', 'con_hook', 'evt_b', 'delivered', 'dlv_b', 1, 1, 'con_hook:evt_b'),
               ('dlv_t', 'ctr_a', 'con_hook', NULL, 'delivered', 'dlv_t', 1, 1, NULL);
      INSERT INTO webhook_requests (container_id, received_at, status, http_status) VALUES ('ctr_a', 1, 'success', 200), ('ctr_a', 1, 'auth_error', 401);
    `);
    sqlite(db, migration('0005_trust.sql'));

    assert.deepEqual(rows(db, 'SELECT id, event_id, dedup_key, provenance, sent_by, dispatched_at FROM events ORDER BY id'), [
      { id: 'evt_b', event_id: 'order-1', dedup_key: 'order-1', provenance: 'browser', sent_by: 'v1.AAAAAAAAAAAAAAAAAAAAAA', dispatched_at: 2 },
      { id: 'evt_s', event_id: 'order-2', dedup_key: 'order-2', provenance: 'server', sent_by: null, dispatched_at: 2 },
    ]);
    assert.deepEqual(rows(db, 'SELECT provenance FROM identities'), [{ provenance: 'browser' }]);
    assert.deepEqual(rows(db, 'SELECT id, provenance FROM deliveries ORDER BY id'),
      [{ id: 'dlv_b', provenance: 'browser' }, { id: 'dlv_t', provenance: 'admin' }]);
    assert.deepEqual(rows(db, 'SELECT status, provenance FROM webhook_requests ORDER BY id'),
      [{ status: 'success', provenance: 'server' }, { status: 'auth_error', provenance: null }]);
    assert.deepEqual(rows(db, "SELECT id, notice, json_extract(config, '$.webhook.fire_on') AS fire_on FROM connectors ORDER BY id"), [
      { id: 'con_hook', notice: 'fire_on_server', fire_on: 'server' },
      { id: 'con_pixel', notice: null, fire_on: 'server' },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a migrated connector shows its notice until it is next saved', async () => {
  let worker = await startWorker({ vars: WORKER_VARS });
  try {
    const api = (method, path, body) => fetch(worker.url + path, {
      method, headers: { authorization: `Bearer ${worker.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    }).then(async (res) => ({ status: res.status, json: await res.json().catch(() => undefined) }));
    const container = await api('POST', '/admin/api/containers', { name: 'Shop', cookie_domain: 'shop.localhost.test', allowed_origins: [] });
    const created = await api('POST', `/admin/api/containers/${container.json.id}/connectors`, {
      name: 'Net X', trigger_events: ['Purchase'], webhook: { enabled: true, url: 'https://partner.example/pb' } });
    assert.equal(created.status, 201);
    assert.equal(created.json.notice, null, 'a connector made after the change has nothing to be told');

    // Stored as it was before fire_on existed, then migrated by 0005's own statements.
    await worker.stop();
    const connectorStatements = migration('0005_trust.sql').split(';').map((s) => s.trim())
      .filter((s) => s.startsWith('UPDATE connectors'));
    assert.equal(connectorStatements.length, 2);
    sqlite(d1File(worker.stateDir), `UPDATE connectors SET config = json_remove(config, '$.webhook.fire_on');
      ${connectorStatements.join(';\n')};`);
    worker = await startWorker({ vars: WORKER_VARS, stateDir: worker.stateDir });

    const migrated = await api('GET', `/admin/api/connectors/${created.json.id}`);
    assert.equal(migrated.json.webhook.fire_on, 'server');
    assert.equal(migrated.json.notice.code, 'fire_on_server');
    assert.match(migrated.json.notice.message, /no longer fire/);
    assert.equal((await api('GET', `/admin/api/connectors/${created.json.id}`)).json.notice.code, 'fire_on_server',
      'reading the connector does not dismiss the notice');
    const saved = await api('PATCH', `/admin/api/connectors/${created.json.id}`, {});
    assert.equal(saved.status, 200);
    assert.equal(saved.json.notice, null, 'saving the connector (the console\'s "Got it") clears it');
    assert.equal((await api('GET', `/admin/api/connectors/${created.json.id}`)).json.notice, null);
  } finally {
    await worker.stop();
    worker.cleanup();
  }
});
