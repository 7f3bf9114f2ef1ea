// `make bench-scale` (BENCH_SCALE=1 node benches/run.mjs): does cost stay flat as data grows?
// Measures the hot paths and the webhook log page on the bench's database as `make bench` seeds
// it, fills it with 1,000,000 clicks, 200,000 events and 100,000 deliveries across 100
// containers (INSERT ... SELECT over recursive CTEs, in batches), measures again, and prints
// each figure filled / empty (target: the filled figure within 1.25x the empty one, i.e. a
// throughput ratio of at least 0.8) and the bytes a click, event and delivery row take.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CONTAINERS = 100;
const CLICKS = 1_000_000;
const EVENTS = 200_000;
const DELIVERIES = 100_000;
const CHUNK = 100_000;
/** Events each wrk thread may approve in one run; statuses are reset after every run. */
const STATUS_POOL = 20_000;

/** The other containers' ids; the bench container is the 100th, so it holds 1% of each fill. */
const otherContainer = (expr) => `'ctr_scale' || printf('%017d', ${expr})`;
const containerOf = (benchContainer) => `CASE WHEN i % ${CONTAINERS} = 0 THEN '${benchContainer}' ELSE ${otherContainer(`i % ${CONTAINERS}`)} END`;
const numbers = (from, count) => `WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${from + count - 1})`;

/**
 * `fn()`, tried again on a new connection if it fails: wrk runs synchronously, so Miniflare's
 * kept-alive proxy socket may have been closed under us meanwhile (as in run.mjs).
 */
async function retried(fn) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

/**
 * The database's size in bytes: SQLite's own page count where D1 allows it (`dbstat`), else the
 * size of the files Miniflare persists it in (run.mjs persists D1 under bench-out/scale-d1 in
 * this mode), the write-ahead log included.
 */
async function dbBytes(db, persistDir) {
  try {
    return (await db.prepare('SELECT SUM(pgsize) AS n FROM dbstat').first()).n;
  } catch {
    if (!existsSync(persistDir)) return NaN;
    const files = readdirSync(persistDir, { recursive: true }).map((f) => join(persistDir, f));
    return files.filter((f) => /\.sqlite(-wal)?$/.test(f)).reduce((sum, f) => sum + statSync(f).size, 0);
  }
}

const MIGRATIONS = resolve(import.meta.dirname, '../migrations');
/** Rows per kind the scratch measurement of bytes per row inserts. */
const SCRATCH_ROWS = 100_000;

/**
 * Bytes per row as SQLite stores them (pages, indexes included), for when local D1 allows no
 * measure of its own: each fill statement runs for SCRATCH_ROWS rows on a scratch SQLite file
 * with the project's migrations (D1 is SQLite), through the sqlite3 CLI the tests use. `kinds`
 * is `[[name, sql(from, count)]]`, filled in order, as the bench fills D1.
 */
export function scratchRowBytes(kinds) {
  const dir = mkdtempSync(join(tmpdir(), 'postclick-rowbytes-'));
  const file = join(dir, 'd1.sqlite');
  const sqlite = (sql) => execFileSync('sqlite3', [file], { input: sql, maxBuffer: 1 << 26 }).toString();
  try {
    sqlite(readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql')).sort()
      .map((f) => readFileSync(join(MIGRATIONS, f), 'utf8')).join('\n'));
    const bytes = () => { const [count, size] = sqlite('PRAGMA page_count; PRAGMA page_size;').trim().split('\n').map(Number); return count * size; };
    const out = {};
    for (const [name, sql] of kinds) {
      const before = bytes();
      for (let from = 0; from < SCRATCH_ROWS; from += CHUNK) sqlite(`${sql(from, Math.min(CHUNK, SCRATCH_ROWS - from))};`);
      out[name] = (bytes() - before) / SCRATCH_ROWS;
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `sql(from, count)` over [0, total) in chunks, and returns the bytes the rows added. Every
 * fill statement is an INSERT OR IGNORE with explicit ids, so a chunk tried again after a lost
 * answer adds nothing twice.
 */
async function fill(db, persistDir, total, sql, ...binds) {
  const before = await dbBytes(db, persistDir);
  for (let from = 0; from < total; from += CHUNK) {
    await retried(() => db.prepare(sql(from, Math.min(CHUNK, total - from))).bind(...binds).run());
  }
  return (await dbBytes(db, persistDir)) - before;
}

/**
 * Runs the scale mode against the product `make bench` serves and seeded. `bench` holds what
 * run.mjs set up: db, productUrl, the bench container, its keys, the wrk helpers and targets.
 */
export async function runScale(bench) {
  const { db, productUrl, container, keys, wrk, median, rounds, collectLanding, trackingHeaders, eventScript, writeScript } = bench;
  const now = Date.now();
  // A disabled connector of the bench container, with 100 deliveries in its log before the fill.
  const connector = 'con_scalebenchscalebench00';
  await db.prepare(`INSERT INTO connectors (id, container_id, name, mode, config, created_at, updated_at)
    VALUES (?1, ?2, 'scale log', 'disabled', ?3, ?4, ?4)`)
    .bind(connector, container, JSON.stringify({ ...bench.connectorConfig, name: 'scale log', mode: 'disabled' }), now).run();
  // Every seeded event carries the payload the worker stored for a real webhook conversion.
  const sample = await fetch(new URL(`/webhook?k=${keys[0]}&track=Purchase&value=49.9&currency=EUR&eventId=scale-sample&email=lead%40example.com`, productUrl));
  if (sample.status !== 200) throw new Error(`the sample conversion was refused: ${sample.status} ${await sample.text()}`);
  const { payload } = await db.prepare(`SELECT payload FROM events WHERE container_id = ?1 AND event_id = 'scale-sample'`).bind(container).first();
  const deliveries = (from, count, containerSql, connectorSql) => `${numbers(from, count)}
    INSERT OR IGNORE INTO deliveries (id, container_id, connector_id, event_row_id, status, attempt, method, url, headers,
      idempotency_key, response_code, response_body, latency_ms, queued_at, created_at, updated_at, origin_key, provenance)
    SELECT printf('dlv_scale%016d', i), ${containerSql}, ${connectorSql}, printf('evt_scale%016d', i * 2), 'delivered', 1, 'GET',
      'https://partner.example/postback?click_id=Cj0KCQjw' || hex(randomblob(12)) || '&amount=49.90&currency=EUR&order=order-' || i,
      '{"user-agent":"postclick"}', printf('dlv_scale%016d', i), 200, 'OK', 120, ${now} - i * 1000, ${now} - i * 1000, ${now} - i * 1000,
      ${connectorSql} || ':' || printf('evt_scale%016d', i * 2), 'server'
    FROM n`;
  await db.prepare(deliveries(1_000_000_000, 100, `'${container}'`, `'${connector}'`)).run();
  // Received events of the bench container that the status runs approve: one pool per wrk thread.
  await db.prepare(`${numbers(0, 2 * STATUS_POOL)}
    INSERT INTO events (id, container_id, event_id, dedup_key, name, value, currency, source, payload, created_at, provenance)
    SELECT printf('evt_status%016d', i), '${container}', 'status-' || (i / ${STATUS_POOL}) || '-' || (i % ${STATUS_POOL}),
      'status-' || (i / ${STATUS_POOL}) || '-' || (i % ${STATUS_POOL}), 'Purchase', 49.9, 'EUR', 'webhook', ?1, ${now}, 'server'
    FROM n`).bind(payload).run();
  const statusScript = writeScript('status.lua', `local keys = {${keys.map((k) => `"${k}"`).join(', ')}}
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/webhook?k=" .. keys[(n % #keys) + 1] .. "&eventId=status-" .. tid .. "-" .. (n % ${STATUS_POOL}) .. "&status=approved")
end
`);
  const resetStatuses = () => retried(() => db.prepare(`UPDATE events SET status = 'received', status_at = NULL, revision = 0
    WHERE container_id = '${container}' AND event_id LIKE 'status-%' AND status <> 'received'`).run());
  const targets = [
    ['/collect (gclid + utm)', collectLanding, { headers: trackingHeaders }],
    ['POST /e (one pixel)', new URL(`/e?id=${container}`, productUrl).href, { script: eventScript }],
    ['GET /webhook (accepted)', new URL('/', productUrl).href, { script: bench.webhookScript }],
    ['status change (approve)', new URL('/', productUrl).href, { script: statusScript }, resetStatuses],
    ['webhook log page', new URL(`/admin/api/connectors/${connector}/deliveries`, productUrl).href, { headers: ['-H', 'Authorization: Bearer bench'] }],
  ];
  const measure = async () => {
    const results = Object.fromEntries(targets.map(([name]) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const [name, url, options, after] of targets) {
        results[name].push(wrk(url, options));
        if (after) await after();
      }
    }
    return Object.fromEntries(targets.map(([name]) => [name, median(results[name])]));
  };
  for (const [, url, options, after] of targets) { wrk(url, options); if (after) await after(); } // warm up
  const empty = await measure();

  const started = Date.now();
  await retried(() => db.prepare(`${numbers(1, CONTAINERS - 1)}
    INSERT INTO containers (id, name, cookie_domain, allowed_origins, created_at, updated_at)
    SELECT ${otherContainer('i')}, 'scale ' || i, 'scale' || i || '.example', '[]', ${now}, ${now} FROM n`).run());
  const clickSql = (from, count) => `${numbers(from, count)}
    INSERT OR IGNORE INTO clicks (id, container_id, visitor_id, param, value, source, landing_url, created_at)
    SELECT 1000000000 + i, ${containerOf(container)}, printf('v%031d', i / 3), 'gclid', 'Cj0KCQjw' || hex(randomblob(16)), 'google',
      'https://www.bench.example/?gclid=Cj0KCQjw&utm_source=google&utm_campaign=scale', ${now} - i * 100 FROM n`;
  const eventSql = (from, count) => `${numbers(from, count)}
    INSERT OR IGNORE INTO events (id, container_id, event_id, dedup_key, name, value, currency, visitor_id, matched_by, source,
      payload, created_at, dispatched_at, provenance, status)
    SELECT printf('evt_scale%016d', i), ${containerOf(container)}, 'order-' || i, 'order-' || i, 'Purchase', 49.9, 'EUR',
      printf('v%031d', i * 5 / 3), 'visitor', 'webhook',
      ?1, ${now} - i * 500, ${now} - i * 500, 'server', 'received' FROM n`;
  const deliverySql = (from, count) => deliveries(from, count, containerOf(container),
    `CASE WHEN i % ${CONTAINERS} = 0 THEN '${connector}' ELSE 'con_scale' || printf('%017d', i % ${CONTAINERS}) END`);
  const clickBytes = await fill(db, bench.persistDir, CLICKS, clickSql);
  const eventBytes = await fill(db, bench.persistDir, EVENTS, eventSql, payload);
  const deliveryBytes = await fill(db, bench.persistDir, DELIVERIES, deliverySql);
  const fillSeconds = (Date.now() - started) / 1000;
  const filled = await measure();

  console.log(`\npostclick scale bench (wrk -t2 -c16, median of ${rounds} rounds, plain workerd)`);
  console.log(`  filled ${CLICKS} clicks, ${EVENTS} events, ${DELIVERIES} deliveries across ${CONTAINERS} containers in ${fillSeconds.toFixed(0)} s`);
  console.log('  throughput filled / empty (target >= 0.80, i.e. cost within 1.25x)');
  for (const [name] of targets) {
    const ratio = filled[name] / empty[name];
    console.log(`  ${name.padEnd(26)} empty ${empty[name].toFixed(0).padStart(6)} req/s   filled ${filled[name].toFixed(0).padStart(6)} req/s   ratio ${ratio.toFixed(3)}   ${ratio >= 0.8 ? 'met' : 'NOT MET'}`);
  }
  if (Number.isNaN(clickBytes)) {
    // Local D1 refuses dbstat and PRAGMA page_count, and Miniflare kept no file under persistDir:
    // the same statements on a scratch SQLite file of the same schema.
    const literal = `'${payload.replaceAll("'", "''")}'`;
    const per = scratchRowBytes([['click', clickSql], ['event', (f, c) => eventSql(f, c).replaceAll('?1', literal)],
      ['delivery', deliverySql]]);
    console.log(`  bytes per row (SQLite pages on a scratch copy of the schema, indexes included, ${SCRATCH_ROWS} rows each)`);
    console.log(`  click ${per.click.toFixed(0)}   event ${per.event.toFixed(0)}   delivery ${per.delivery.toFixed(0)}`);
  } else {
    console.log('  bytes per row (database pages, indexes included)');
    console.log(`  click ${(clickBytes / CLICKS).toFixed(0)}   event ${(eventBytes / EVENTS).toFixed(0)}   delivery ${(deliveryBytes / DELIVERIES).toFixed(0)}`);
  }
}
