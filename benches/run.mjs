// `make bench`: serves the release build on plain workerd (Miniflare API, no wrangler dev
// proxy) next to three baselines a user would pick instead: an empty JS worker, a hello-world
// workers-rs worker (benches/hello, same toolchain) and a JS click-capture worker
// (benches/capture.mjs). Loads each with wrk over loopback and prints req/s, every figure as a
// ratio to the hello-world Rust worker (with the targets) and to the JS capture worker, and the
// wasm and upload gzip sizes. Runs alternate (baselines, worker, ...) and the median is
// reported, because these machines are noisy: read the ratios.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { request as httpRequest } from 'node:http';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { applyMigrations } from './d1.mjs';

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

/**
 * The upload exactly as `wrangler deploy` would send it, bundled into `bench-out/<name>`:
 * its files, main module, wasm file, and the gzip sizes of the wasm and of every module.
 */
function dryRun(name, config) {
  const dir = join(OUT, name);
  rmSync(dir, { recursive: true, force: true });
  execFileSync(join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--config', config, '--outdir', dir], {
    cwd: ROOT, env: { ...process.env, POSTCLICK_SKIP_BUILD: '1', CI: 'true', WRANGLER_SEND_METRICS: 'false' }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  const files = readdirSync(dir).filter((f) => /\.(m?js|wasm)$/.test(f) && statSync(join(dir, f)).isFile());
  const wasm = files.find((f) => f.endsWith('.wasm'));
  const main = files.find((f) => f.endsWith('.js'));
  const modules = [main, ...files.filter((f) => f !== main)].map((f) => ({
    type: f.endsWith('.wasm') ? 'CompiledWasm' : 'ESModule', path: join(dir, f),
  }));
  return { dir, files, wasm, modules, wasmGzip: gz(join(dir, wasm)), uploadGzip: files.reduce((sum, f) => sum + gz(join(dir, f)), 0) };
}

// 1. Both Rust workers' uploads. `make bench` built the hello-world worker (benches/hello).
mkdirSync(OUT, { recursive: true });
const upload = dryRun('dist', join(ROOT, 'wrangler.toml'));
const helloUpload = dryRun('hello', join(ROOT, 'benches/hello/wrangler.toml'));
const { files: distFiles, wasm: wasmFile, wasmGzip, uploadGzip } = upload;

const SCALE_D1 = join(OUT, 'scale-d1');
rmSync(SCALE_D1, { recursive: true, force: true });
// 2. Serve both workers on plain workerd.
const compatibilityDate = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8').match(/compatibility_date = "([^"]+)"/)[1];
/** wrangler.toml's Rate Limiting bindings, each with a limit no bench run reaches. */
const benchRateLimits = Object.fromEntries(
  [...readFileSync(join(ROOT, 'wrangler.toml'), 'utf8').matchAll(/\[\[ratelimits\]\]\s*name = "([^"]+)"\s*(?:#[^\n]*)?\s*namespace_id = "([^"]+)"/g)]
    .map(([, name, namespace_id]) => [name, { namespace_id, simple: { limit: 1_000_000_000, period: 60 } }]),
);
if (Object.keys(benchRateLimits).length !== 2) throw new Error(`wrangler.toml's [[ratelimits]] not found: ${JSON.stringify(benchRateLimits)}`);
/** The product's Miniflare options, with `vars` added to its bindings and `shared` options. */
const productOptions = (vars = {}, shared = {}) => convertV4MiniflareOptions({
  host: '127.0.0.1', port: 0,
  ...shared,
  workers: [{
    name: 'postclick',
    modulesRoot: upload.dir,
    modules: upload.modules,
    compatibilityDate,
    d1Databases: { DB: 'bench-db' },
    queueProducers: { POSTBACKS: { queueName: 'postclick-postbacks' }, CLICKS: { queueName: 'postclick-clicks' } },
    // Landings' clicks are stored by the clicks queue's consumer, as in production.
    queueConsumers: { 'postclick-clicks': { maxBatchSize: 100, maxBatchTimeout: 1 } },
    bindings: { ADMIN_TOKEN: 'bench', SIGNING_KEY: 'bench', ALLOW_PRIVATE_TARGETS: 'true', ...vars },
    // Without the abuse limits by default: locally the Rate Limiting binding is Miniflare's
    // simulation, a call to another worker that costs a page view about 60% of its throughput
    // and says nothing of the platform's (its counters are local to each Cloudflare location).
    // BENCH_RATELIMITS=1 adds wrangler.toml's [[ratelimits]], with limits far above the bench's
    // load from one address, so none is refused, to measure that simulation.
    ...(process.env.BENCH_RATELIMITS === '1' ? { ratelimits: benchRateLimits } : {}),
  }],
});
const product = new Miniflare(productOptions({},
  // The scale mode measures the database's files (benches/scale.mjs).
  process.env.BENCH_SCALE === '1' ? { isolatedResourcePersistencePath: SCALE_D1 } : {}));
const baseline = new Miniflare(convertV4MiniflareOptions({
  host: '127.0.0.1', port: 0,
  workers: [{ name: 'baseline', modules: true, scriptPath: join(ROOT, 'benches/baseline.mjs'), compatibilityDate }],
}));
// The click-capture worker a site would write by hand (benches/capture.mjs).
const capture = new Miniflare(convertV4MiniflareOptions({
  host: '127.0.0.1', port: 0,
  workers: [{ name: 'capture', modules: true, scriptPath: join(ROOT, 'benches/capture.mjs'), compatibilityDate }],
}));
// Hello world in workers-rs, built with the same worker, wasm-bindgen and worker-build.
const hello = new Miniflare(convertV4MiniflareOptions({
  host: '127.0.0.1', port: 0,
  workers: [{ name: 'hello', modulesRoot: helloUpload.dir, modules: helloUpload.modules, compatibilityDate }],
}));
// The platform floors: only the D1 round trips postclick's GET /webhook and POST /e make before
// they answer, from JS, on the same migrated and seeded schema, and the JS click capture with the
// one queue send of a landing (benches/floor.mjs).
const floor = new Miniflare(convertV4MiniflareOptions({
  host: '127.0.0.1', port: 0,
  workers: [{
    name: 'floor', compatibilityDate, d1Databases: { DB: 'floor-db' },
    modulesRoot: join(ROOT, 'benches'),
    modules: ['floor.mjs', 'capture.mjs'].map((f) => ({ type: 'ESModule', path: join(ROOT, 'benches', f) })),
    queueProducers: { CLICKS: { queueName: 'floor-clicks' } },
    queueConsumers: { 'floor-clicks': { maxBatchSize: 100, maxBatchTimeout: 1 } },
  }],
}));
const productUrl = await product.ready;
const floorUrl = await floor.ready;
const baselineUrl = await baseline.ready;
const captureUrl = await capture.ready;
const helloUrl = await hello.ready;

// The product's in-memory D1 starts empty: apply the migrations, then add the container the
// browser surface serves and API keys (as prefix and SHA-256, as the admin API stores them).
const BENCH_CONTAINER = 'ctr_benchbenchbenchbench00';
const TRACKING_HOST = 't.bench.example';
const now = Date.now();
const collectUrl = (page) => new URL(`/collect?id=${BENCH_CONTAINER}&url=${encodeURIComponent(page)}&ref=`, productUrl).href;
// The worker sets cookies only for a Host under the container's cookie domain, as in production.
const trackingHeaders = ['-H', `Host: ${TRACKING_HOST}`, '-H', 'Origin: https://www.bench.example'];
// Several keys, used in turn, so the per-key limit (at most 100000 a minute) never binds.
const benchKeys = Array.from({ length: 8 }, () => `pck_${randomBytes(32).toString('base64url')}`);
const keyHash = (key) => createHash('sha256').update(key).digest('hex');
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

// A connector with one approved main-window pixel: a typical 2 KB partner snippet with six
// placeholders in a script string, script code, a URL attribute and HTML text. The config is
// the connector body exactly as the admin API serialises it, approval included, so every
// POST /e below renders and returns this pixel.
const BENCH_PIXEL_CONNECTOR = 'con_benchpixelbenchpixel00';
let pixelHtml = `<script>
!function(w,d){w.pxq=w.pxq||[];w.pxq.push(['init','ACC-1234']);}(window,document);
pxq.push(['track', '{{EVENT_NAME}}', {value: {{VALUE}}, currency: "{{CURRENCY}}", order_id: '{{TRANSACTION_ID}}'}]);
</script>
<img height="1" width="1" style="display:none" alt="" src="https://px.partner.example/c?acc=ACC-1234&ev={{EVENT_NAME}}&vid={{VISITOR_ID}}">
<noscript>Order {{TRANSACTION_ID}}</noscript>
`;
while (pixelHtml.length < 2048) pixelHtml += '<!-- partner tag v3.2: do not modify below this line --><div class="pxl" data-acc="ACC-1234"></div>\n';
const pixelConnector = {
  name: 'bench pixel',
  trigger_events: ['Purchase'],
  mode: 'enabled',
  webhook: { enabled: false, method: 'GET', url: null, params: [], headers: [], event_renames: {}, signing_secret: null },
  pixel: { enabled: true, html: pixelHtml, sandbox: false, approved_at: new Date(now).toISOString() },
  click_id: { enabled: false, param: null, source_param: null, source_value: null, attribution: 'last_click', window_days: 30 },
};

/** Migrates a fresh D1 and adds the bench's container, API keys and pixel connector. */
async function seed(db) {
  await applyMigrations(db);
  await db.prepare(`INSERT INTO containers (id, name, cookie_domain, allowed_origins, created_at, updated_at)
    VALUES (?1, 'bench', 'bench.example', '["https://www.bench.example"]', ?2, ?2)`).bind(BENCH_CONTAINER, now).run();
  for (const [i, key] of benchKeys.entries()) {
    await db.prepare(`INSERT INTO api_keys (id, container_id, name, prefix, key_hash, rate_limit_per_minute, created_at)
      VALUES (?1, ?2, ?3, ?4, ?5, 100000, ?6)`)
      .bind(`key_benchbenchbenchbench0${i}`, BENCH_CONTAINER, `bench ${i}`, key.slice(0, 12), keyHash(key), now).run();
  }
  await db.prepare(`INSERT INTO connectors (id, container_id, name, mode, config, created_at, updated_at)
    VALUES (?1, ?2, ?3, 'enabled', ?4, ?5, ?5)`)
    .bind(BENCH_PIXEL_CONNECTOR, BENCH_CONTAINER, pixelConnector.name, JSON.stringify(pixelConnector), now).run();
}
const db = await product.getD1Database('DB');
await seed(db);
await seed(await floor.getD1Database('DB'));
// A browser event as postclick.track() sends it, without an event_id: every request stores a
// new event and renders the pixel for it.
const eventScript = join(OUT, 'event.lua');
writeFileSync(eventScript, `wrk.method = "POST"
wrk.headers["Host"] = "${TRACKING_HOST}"
wrk.headers["Origin"] = "https://www.bench.example"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"event":"Purchase","value":49.9,"currency":"EUR","url":"https://www.bench.example/checkout/done","attributes":{"transaction_id":"T-1001"}}'
`);

/** One POST /e as the bench sends it, checked before the load runs: it must return the pixel. */
async function checkEventAnswer() {
  const target = new URL(productUrl);
  const body = JSON.stringify({ event: 'Purchase', value: 49.9, currency: 'EUR', attributes: { transaction_id: 'T-1001' } });
  const answer = await new Promise((resolve, reject) => {
    const req = httpRequest({ host: target.hostname, port: target.port, method: 'POST', path: `/e?id=${BENCH_CONTAINER}`,
      headers: { host: TRACKING_HOST, origin: 'https://www.bench.example', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
    (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
  const pixels = answer.status === 200 ? JSON.parse(answer.text).pixels : [];
  if (pixels.length !== 1 || pixels[0].connector !== BENCH_PIXEL_CONNECTOR || !pixels[0].html.includes("order_id: 'T-1001'")) {
    throw new Error(`POST /e does not return the bench pixel: ${answer.status} ${answer.text.slice(0, 300)}`);
  }
}
await checkEventAnswer();

/** One request to `base` over plain HTTP (a Host header of our own): status, headers, text. */
function send(base, method, path, headers = {}, body = undefined) {
  const target = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: target.hostname, port: target.port, method, path,
      headers: { ...headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) } },
    (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * What one accepted GET /webhook and one POST /e, as the load sends them, cost the platform, on
 * a worker of their own with SERVER_TIMING on (off under load, as in production): the D1 round
 * trips and queue sends before the answer (its Server-Timing header), and those of the work it
 * leaves for after the answer (the `postclick-after:` log lines, summed until the log is quiet,
 * divided by the requests). The first request of each warms the isolate's caches and is not
 * counted. With BENCH_SQL=1 it also prints every statement the worker prepared (QUERY_LOG), in
 * the order first run: what benches/floor.mjs must mirror.
 */
async function measureCosts(requests = 10) {
  const logs = [];
  const mf = new Miniflare(productOptions(
    { SERVER_TIMING: 'true', QUERY_LOG: 'true', SERVER_EVENT_DISPATCH_DELAY_S: '0' },
    { handleStructuredLogs: ({ message }) => logs.push(message) }));
  const url = await mf.ready;
  await seed(await mf.getD1Database('DB'));
  const cases = {
    'GET /webhook': (i) => send(url, 'GET', `/webhook?k=${benchKeys[i % benchKeys.length]}&track=Lead&value=10&currency=EUR&email=lead%40example.com`),
    'POST /e': () => send(url, 'POST', `/e?id=${BENCH_CONTAINER}`,
      { host: TRACKING_HOST, origin: 'https://www.bench.example', 'content-type': 'application/json' },
      '{"event":"Purchase","value":49.9,"currency":"EUR","url":"https://www.bench.example/checkout/done","attributes":{"transaction_id":"T-1001"}}'),
  };
  const quiet = async () => {
    for (let seen = -1; seen !== logs.length;) {
      seen = logs.length;
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  const out = {};
  for (const [name, call] of Object.entries(cases)) {
    // The isolate learns each key's container from its first request.
    for (let i = 0; i < benchKeys.length; i++) await call(i);
    await quiet();
    const from = logs.length;
    const before = { d1: 0, queue: 0 };
    for (let i = 1; i <= requests; i++) {
      const res = await call(i);
      if (res.status !== 200) throw new Error(`${name}: ${res.status} ${res.text.slice(0, 300)}`);
      const timing = res.headers['server-timing'] ?? '';
      before.d1 += Number(/d1;desc="(\d+)"/.exec(timing)?.[1] ?? NaN);
      before.queue += Number(/queue;desc="(\d+)"/.exec(timing)?.[1] ?? NaN);
    }
    await quiet();
    const after = { d1: 0, queue: 0 };
    for (const line of logs.slice(from).filter((l) => l.startsWith('postclick-after: '))) {
      after.d1 += Number(/ d1=(\d+)/.exec(line)[1]);
      after.queue += Number(/ queue=(\d+)/.exec(line)[1]);
    }
    const mean = ({ d1, queue }) => ({ d1: +(d1 / requests).toFixed(2), queue: +(queue / requests).toFixed(2) });
    out[name] = { before: mean(before), after: mean(after), requests };
  }
  if (process.env.BENCH_SQL === '1') {
    for (const line of logs.filter((l) => l.startsWith('postclick-query: '))) console.log(line);
  }
  await mf.dispose();
  return out;
}
if (process.env.BENCH_COSTS_ONLY === '1') {
  console.log(await measureCosts());
  process.exit(0);
}

function wrk(url, { headers = [], script } = {}) {
  const args = ['-t2', '-c16', `-d${DURATION}s`, '--latency', ...headers, ...(script ? ['-s', script] : []), url];
  const out = execFileSync('wrk', args).toString();
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)[1]);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0);
  if (non2xx > 0) throw new Error(`${url}: ${non2xx} non-2xx answers\n${out}`);
  return rps;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// `make bench-scale`: the same product and seed, measured before and after a large fill.
if (process.env.BENCH_SCALE === '1') {
  const { runScale } = await import('./scale.mjs');
  await runScale({
    db, productUrl, container: BENCH_CONTAINER, keys: benchKeys, wrk, median, rounds: ROUNDS,
    collectLanding: collectUrl('https://www.bench.example/?gclid=Cj0KCQjw-bench_1&utm_source=google&utm_campaign=bench'),
    trackingHeaders, eventScript, webhookScript, connectorConfig: pixelConnector, persistDir: SCALE_D1,
    writeScript: (name, text) => { const path = join(OUT, name); writeFileSync(path, text); return path; },
  });
  await Promise.all([product.dispose(), baseline.dispose(), capture.dispose(), hello.dispose(), floor.dispose()]);
  process.exit(0);
}

// [name, url, wrk options, target as a ratio to the hello-world Rust worker or null, the same
// request to the platform floor worker (benches/floor.mjs) or null]
const targets = [
  ['/healthz', new URL('/healthz', productUrl).href, {}, null],
  // A page view without click parameters: the container from the isolate's cache, no D1 call.
  ['/collect (no click params)', collectUrl('https://www.bench.example/products?page=2'), { headers: trackingHeaders }, 0.9],
  // A landing with a gclid and UTM tags: one send to the clicks queue; its consumer writes the rows.
  ['/collect (gclid + utm)', collectUrl('https://www.bench.example/?gclid=Cj0KCQjw-bench_1&utm_source=google&utm_campaign=bench'), { headers: trackingHeaders }, 0.6,
    ['queue floor of a landing', new URL(`/collect?url=${encodeURIComponent('https://www.bench.example/?gclid=Cj0KCQjw-bench_1&utm_source=google&utm_campaign=bench')}`, floorUrl).href, { headers: trackingHeaders }]],
  ['GET /webhook (accepted, D1)', new URL('/', productUrl).href, { script: webhookScript }, 0.3,
    ['D1 floor of GET /webhook', new URL('/', floorUrl).href, { script: webhookScript }]],
  // A browser event: stores it, loads the container's connectors, renders one 2 KB pixel.
  ['POST /e (one pixel)', new URL(`/e?id=${BENCH_CONTAINER}`, productUrl).href, { script: eventScript }, 0.4,
    ['D1 floor of POST /e', new URL(`/e?id=${BENCH_CONTAINER}`, floorUrl).href, { script: eventScript }]],
];
// BENCH_ONLY=<regex> measures only the targets whose name matches it (with their floors), for a
// quick look while working on one route; the full run is what the closing figures come from.
if (process.env.BENCH_ONLY) {
  const only = new RegExp(process.env.BENCH_ONLY);
  targets.splice(0, targets.length, ...targets.filter(([name]) => only.test(name)));
}
const floors = targets.map((t) => t[4]).filter(Boolean);
const captureLanding = new URL(`/collect?url=${encodeURIComponent('https://www.bench.example/?gclid=Cj0KCQjw-bench_1&utm_source=google&utm_campaign=bench')}`, captureUrl).href;
const results = { baseline: [], hello: [], capture: [] };
for (const [name] of [...targets, ...floors]) results[name] = [];
wrk(new URL('/', baselineUrl).href); // warm up every worker
wrk(new URL('/', helloUrl).href);
wrk(captureLanding, { headers: trackingHeaders });
for (const [, url, options] of [...targets, ...floors]) wrk(url, options);
for (let round = 0; round < ROUNDS; round++) {
  results.baseline.push(wrk(new URL('/', baselineUrl).href));
  results.hello.push(wrk(new URL('/', helloUrl).href));
  results.capture.push(wrk(captureLanding, { headers: trackingHeaders }));
  for (const [name, url, options] of floors) results[name].push(wrk(url, options));
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
// Clicks reach D1 through the clicks queue after the answers: wait until the count settles.
let storedClicks = await count('SELECT COUNT(*) AS n FROM clicks');
for (let settled = 0; settled < 3;) {
  await new Promise((r) => setTimeout(r, 1000));
  const now = await count('SELECT COUNT(*) AS n FROM clicks');
  settled = now === storedClicks ? settled + 1 : 0;
  storedClicks = now;
}
if (storedClicks === 0 && targets.some(([name]) => name.includes('gclid'))) throw new Error('the /collect bench with click parameters stored no clicks');
const stored = await count(`SELECT COUNT(*) AS n FROM events WHERE container_id = '${BENCH_CONTAINER}' AND source = 'webhook'`);
const browserEvents = await count(`SELECT COUNT(*) AS n FROM events WHERE container_id = '${BENCH_CONTAINER}' AND source = 'browser'`);
await product.dispose();
await baseline.dispose();
await capture.dispose();
await hello.dispose();
await floor.dispose();
const costs = await measureCosts();

const base = median(results.baseline);
const rust = median(results.hello);
const cap = median(results.capture);
const row = (name, rps, target, floorRps) => {
  const toRust = rps / rust;
  const verdict = target == null ? '' : `   target >= ${target.toFixed(2)}: ${toRust >= target ? 'met' : 'NOT MET'}`;
  const toFloor = floorRps == null ? '' : `   to its floor ${(rps / floorRps).toFixed(3)}`;
  return `  ${name.padEnd(28)} ${rps.toFixed(0).padStart(7)} req/s   to Rust hello ${toRust.toFixed(3)}   to JS capture ${(rps / cap).toFixed(3)}   to empty JS ${(rps / base).toFixed(3)}${verdict}${toFloor}`;
};
console.log(`\npostclick bench (wrk -t2 -c16 -d${DURATION}s, median of ${ROUNDS} alternating rounds, plain workerd)`);
console.log('  ratios: to the hello-world workers-rs worker (benches/hello; the targets are against it), to the JS');
console.log('  click-capture worker (benches/capture.mjs, no target) and to the empty JS worker (benches/baseline.mjs)');
console.log(row('empty JS worker', base, null));
console.log(row('hello-world Rust worker', rust, null));
console.log(row('JS click capture (gclid+utm)', cap, null));
for (const [name] of floors) console.log(row(name, median(results[name]), null));
for (const [name, , , target, floorOf] of targets) {
  console.log(row(name, median(results[name]), target, floorOf && median(results[floorOf[0]])));
}
console.log('  what one accepted request costs the platform (SERVER_TIMING on, one isolate, warm caches):');
for (const [name, cost] of Object.entries(costs)) {
  console.log(`    ${name.padEnd(14)} before the answer: D1 round trips ${cost.before.d1}, queue sends ${cost.before.queue};`
    + ` after it (wait_until): ${cost.after.d1} D1, ${cost.after.queue} queue (mean of ${cost.requests})`);
}
console.log(`  webhook events stored         ${stored} (one per accepted request)`);
console.log(`  browser events stored         ${browserEvents} (one per POST /e, each answered with its pixel)`);
console.log(`  wasm gzip                    ${kib(wasmGzip)} (${wasmFile}; target 350 KiB: ${wasmGzip <= 350 * 1024 ? 'met' : 'NOT MET'})`);
console.log(`  hello-world wasm gzip        ${kib(helloUpload.wasmGzip)} (the floor of a workers-rs worker)`);
console.log(`  upload gzip (all modules)    ${kib(uploadGzip)} (${distFiles.join(', ')})`);
// t.js as the worker serves it: minified by esbuild at build time (build.rs).
const served = execFileSync(join(ROOT, 'node_modules/.bin/esbuild'), [join(ROOT, 'assets/t.js'), '--minify', '--log-level=warning']);
const tjsGzip = gzipSync(served, { level: 9 }).length;
console.log(`  t.js gzip (minified, served)  ${tjsGzip} bytes (${served.length} bytes raw; target 2048 gzip: ${tjsGzip <= 2048 ? 'met' : 'NOT MET'})`);
console.log(`  clicks stored during the run ${storedClicks}`);
