// `make bench`: serves the release build on plain workerd (Miniflare API, no wrangler dev
// proxy) next to an empty baseline worker, loads both with wrk over loopback, and prints req/s,
// their ratio, and the wasm and upload gzip sizes. Runs alternate (baseline, worker, ...) and
// the median is reported, because these machines are noisy: read the ratios.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench-out');
const DURATION = process.env.BENCH_SECONDS ?? '5';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function gz(path) {
  return gzipSync(readFileSync(path), { level: 9 }).length;
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

// 1. The upload exactly as `wrangler deploy` would send it.
rmSync(join(OUT, 'dist'), { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
execFileSync(join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', join(OUT, 'dist')], {
  cwd: ROOT, env: { ...process.env, POSTCLICK_SKIP_BUILD: '1', CI: 'true', WRANGLER_SEND_METRICS: 'false' }, stdio: ['ignore', 'ignore', 'inherit'],
});
const distFiles = readdirSync(join(OUT, 'dist')).filter((f) => /\.(m?js|wasm)$/.test(f) && statSync(join(OUT, 'dist', f)).isFile());
const uploadGzip = distFiles.reduce((sum, f) => sum + gz(join(OUT, 'dist', f)), 0);
const wasmFile = distFiles.find((f) => f.endsWith('.wasm'));
const wasmGzip = gz(join(OUT, 'dist', wasmFile));
const mainModule = distFiles.find((f) => f.endsWith('.js'));

// 2. Serve both workers on plain workerd.
const compatibilityDate = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8').match(/compatibility_date = "([^"]+)"/)[1];
const product = new Miniflare(convertV4MiniflareOptions({
  host: '127.0.0.1', port: 0,
  workers: [{
    name: 'postclick',
    modulesRoot: join(OUT, 'dist'),
    modules: [mainModule, ...distFiles.filter((f) => f !== mainModule)].map((f) => ({
      type: f.endsWith('.wasm') ? 'CompiledWasm' : 'ESModule', path: join(OUT, 'dist', f),
    })),
    compatibilityDate,
    d1Databases: { DB: 'bench-db' },
    queueProducers: { POSTBACKS: { queueName: 'postclick-postbacks' } },
    bindings: { ADMIN_TOKEN: 'bench', SIGNING_KEY: 'bench', ALLOW_PRIVATE_TARGETS: 'true' },
  }],
}));
const baseline = new Miniflare(convertV4MiniflareOptions({
  host: '127.0.0.1', port: 0,
  workers: [{ name: 'baseline', modules: true, scriptPath: join(ROOT, 'benches/baseline.mjs'), compatibilityDate }],
}));
const productUrl = await product.ready;
const baselineUrl = await baseline.ready;

// The product's in-memory D1 starts empty: apply the migrations, then add the container the
// browser surface serves and API keys (as prefix and SHA-256, as the admin API stores them).
// Statements are split on `;` after dropping `--` comments (no string literal holds either).
const db = await product.getD1Database('DB');
for (const file of readdirSync(join(ROOT, 'migrations')).filter((f) => f.endsWith('.sql')).sort()) {
  const statements = readFileSync(join(ROOT, 'migrations', file), 'utf8')
    .replace(/--[^\n]*/g, '').split(';').map((stmt) => stmt.trim()).filter(Boolean);
  await db.batch(statements.map((sql) => db.prepare(sql)));
}
const BENCH_CONTAINER = 'ctr_benchbenchbenchbench00';
const TRACKING_HOST = 't.bench.example';
const now = Date.now();
await db.prepare(`INSERT INTO containers (id, name, cookie_domain, allowed_origins, created_at, updated_at)
  VALUES (?1, 'bench', 'bench.example', '["https://www.bench.example"]', ?2, ?2)`).bind(BENCH_CONTAINER, now).run();
const collectUrl = (page) => new URL(`/collect?id=${BENCH_CONTAINER}&url=${encodeURIComponent(page)}&ref=`, productUrl).href;
// The worker sets cookies only for a Host under the container's cookie domain, as in production.
const trackingHeaders = ['-H', `Host: ${TRACKING_HOST}`, '-H', 'Origin: https://www.bench.example'];
// Several keys, used in turn, so the per-key limit (at most 100000 a minute) never binds.
const benchKeys = Array.from({ length: 8 }, () => `pck_${randomBytes(32).toString('base64url')}`);
for (const [i, key] of benchKeys.entries()) {
  await db.prepare(`INSERT INTO api_keys (id, container_id, name, prefix, key_hash, rate_limit_per_minute, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, 100000, ?6)`)
    .bind(`key_bench${i}`, BENCH_CONTAINER, `bench ${i}`, key.slice(0, 12), createHash('sha256').update(key).digest('hex'), now).run();
}
// A track webhook with an email, and no eventId: every request stores a new event (and its
// pending identity), matched against the identities first.
const webhookScript = join(OUT, 'webhook.lua');
writeFileSync(webhookScript, `local keys = {${benchKeys.map((k) => `"${k}"`).join(', ')}}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/webhook?k=" .. keys[(n % #keys) + 1] .. "&track=Lead&value=10&currency=EUR&email=lead%40example.com")
end
`);

function wrk(url, { headers = [], script } = {}) {
  const args = ['-t2', '-c16', `-d${DURATION}s`, '--latency', ...headers, ...(script ? ['-s', script] : []), url];
  const out = execFileSync('wrk', args).toString();
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)[1]);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0);
  if (non2xx > 0) throw new Error(`${url}: ${non2xx} non-2xx answers\n${out}`);
  return rps;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const targets = [
  ['/healthz', new URL('/healthz', productUrl).href, {}],
  // A page view without click parameters: one D1 read (the container), no write.
  ['/collect (no click params)', collectUrl('https://www.bench.example/products?page=2'), { headers: trackingHeaders }],
  // A landing with a gclid and UTM tags: the read, plus one batch writing three click rows.
  ['/collect (gclid + utm)', collectUrl('https://www.bench.example/?gclid=Cj0KCQjw-bench_1&utm_source=google&utm_campaign=bench'), { headers: trackingHeaders }],
  ['GET /webhook (accepted, D1)', new URL('/', productUrl).href, { script: webhookScript }],
];
const results = { baseline: [] };
for (const [name] of targets) results[name] = [];
wrk(new URL('/', baselineUrl).href); // warm up both
for (const [, url, options] of targets) wrk(url, options);
for (let round = 0; round < ROUNDS; round++) {
  results.baseline.push(wrk(new URL('/', baselineUrl).href));
  for (const [name, url, options] of targets) results[name].push(wrk(url, options));
}
// wrk runs synchronously, so Miniflare's kept-alive proxy socket may have been closed under us
// meanwhile: a failed first try goes out again on a new connection.
async function count(sql) {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await db.prepare(sql).first()).n;
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}
const storedClicks = await count('SELECT COUNT(*) AS n FROM clicks');
if (storedClicks === 0) throw new Error('the /collect bench with click parameters stored no clicks');
const stored = await count(`SELECT COUNT(*) AS n FROM events WHERE container_id = '${BENCH_CONTAINER}'`);
await product.dispose();
await baseline.dispose();

const base = median(results.baseline);
console.log(`\npostclick bench (wrk -t2 -c16 -d${DURATION}s, median of ${ROUNDS} alternating rounds, plain workerd)`);
console.log(`  baseline (empty JS worker)   ${base.toFixed(0).padStart(7)} req/s   ratio 1.000`);
for (const [name] of targets) {
  const rps = median(results[name]);
  console.log(`  ${name.padEnd(28)} ${rps.toFixed(0).padStart(7)} req/s   ratio ${(rps / base).toFixed(3)}`);
}
console.log(`  webhook events stored         ${stored} (one per accepted request)`);
console.log(`  wasm gzip                    ${kib(wasmGzip)} (${wasmFile})`);
console.log(`  upload gzip (all modules)    ${kib(uploadGzip)} (${distFiles.join(', ')})`);
console.log(`  t.js gzip                    ${gz(join(ROOT, 'assets/t.js'))} bytes (${statSync(join(ROOT, 'assets/t.js')).size} bytes raw)`);
console.log(`  clicks stored during the run ${storedClicks}`);
