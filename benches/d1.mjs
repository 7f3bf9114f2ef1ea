// What the benches share about the product they start in Miniflare: its D1 schema and its
// admin API.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const MIGRATIONS = resolve(import.meta.dirname, '../migrations');

/**
 * Applies the project's migrations, in order, to a fresh D1 `db` (Miniflare's binding), one batch
 * per file. Statements are split on `;` after dropping `--` comments (no string literal holds
 * either).
 */
export async function applyMigrations(db) {
  for (const file of readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql')).sort()) {
    const statements = readFileSync(join(MIGRATIONS, file), 'utf8')
      .replace(/--[^\n]*/g, '').split(';').map((stmt) => stmt.trim()).filter(Boolean);
    await db.batch(statements.map((sql) => db.prepare(sql)));
  }
}

/**
 * `api(method, path, body?)`: the admin API at `baseUrl()` (a function, so a restarted worker's
 * new address is used) with bearer `token`; the parsed JSON answer, or an error naming the status.
 */
export function adminApi(baseUrl, token) {
  return async (method, path, body) => {
    const res = await fetch(new URL(path, baseUrl()), {
      method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await res.json();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
}

/**
 * Copies the delivery row `template` (the Test Webhook's) into D1 `db` once per id in `ids`, as
 * queued first attempts, 100 rows per batch: the id replaces the template's in the stored
 * request and headers (its idempotency key and `webhook-id`), so each copy is its own postback.
 */
export async function cloneDelivery(db, template, ids) {
  const now = Date.now();
  for (let i = 0; i < ids.length; i += 100) {
    await db.batch(ids.slice(i, i + 100).map((id) => db.prepare(
      `INSERT INTO deliveries (id, container_id, connector_id, status, attempt, method, url, headers, idempotency_key,
         next_attempt_at, created_at, updated_at, request)
       VALUES (?1, ?2, ?3, 'queued', 0, ?4, ?5, ?6, ?1, ?7, ?7, ?7, ?8)`,
    ).bind(id, template.container_id, template.connector_id, template.method, template.url,
      template.headers.replaceAll(template.id, id), now, template.request.replaceAll(template.id, id))));
  }
}
