// `make bench-postbacks`: 10,000 postbacks through the local queue to a local receiver, on plain
// workerd (Miniflare API, no wrangler dev proxy), with the queue consumer settings of
// wrangler.toml. Reports delivered/s, lost (must be 0), duplicated (must be 0, counted by
// Idempotency-Key at the receiver), and the ratio of delivered/s to the receiver's own ceiling,
// measured with wrk in the same run.
//
// How the load is made: one real delivery is created through the Test Webhook and delivered;
// its D1 row is then cloned N times (each clone its own id and Idempotency-Key, written through
// D1 before anything is queued, as the outbox does), and one queue message per clone is sent.
// The clock runs from the first message sent to the last postback received, so the figure is
// the consumer's: claim, send, record, settle.
//
// In the same run, the floors (benches/postbacks_floor.mjs): a minimal JS consumer of the same
// messages that fetches the same receiver without D1, and one that also makes the same D1
// round trips per batch (claim and settle). postclick's figure is printed as a ratio to the
// receiver's ceiling and to each floor: what is left above the floors is ours.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from 'node:http';
import { readdirSync, readFileSync, statSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { adminApi, applyMigrations, cloneDelivery } from './d1.mjs';
import { floorTemplate, floorWorker } from './postbacks_floor.mjs';
import { compatibilityDate, queueConsumers } from './postbacks_settings.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench-out');
const N = Number(process.env.BENCH_POSTBACKS ?? 10_000);
const CEILING_SECONDS = process.env.BENCH_SECONDS ?? '5';
const TOKEN = 'bench';

// The consumer settings the deployment uses (BENCH_BATCH overrides the batch size, to explore).
const consumers = queueConsumers(['postclick-postbacks', 'postclick-postbacks-dlq']);
const consumerOptions = consumers['postclick-postbacks'];
if (process.env.BENCH_BATCH) consumerOptions.maxBatchSize = Number(process.env.BENCH_BATCH);

// 1. The upload exactly as `wrangler deploy` would send it.
rmSync(join(OUT, 'dist'), { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
execFileSync(join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', join(OUT, 'dist')], {
  cwd: ROOT, env: { ...process.env, POSTCLICK_SKIP_BUILD: '1', CI: 'true', WRANGLER_SEND_METRICS: 'false' }, stdio: ['ignore', 'ignore', 'inherit'],
});
const distFiles = readdirSync(join(OUT, 'dist')).filter((f) => /\.(m?js|wasm)$/.test(f) && statSync(join(OUT, 'dist', f)).isFile());
const mainModule = distFiles.find((f) => f.endsWith('.js'));

// 2. The receiver: counts every request by Idempotency-Key, answers 200 at once.
const seen = new Map();
let received = 0;
let lastAt = 0;
const receiver = createServer((req, res) => {
  if (req.url.startsWith('/bench')) {
    const key = req.headers['idempotency-key'];
    seen.set(key, (seen.get(key) ?? 0) + 1);
    received += 1;
    lastAt = performance.now();
  }
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); });
});
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}`;

// 3. A worker on plain workerd, with D1 and both queues, the consumer settings above: postclick
// itself, or one of the floors (benches/postbacks_floor.mjs), named by `script`.
const postclickModules = [mainModule, ...distFiles.filter((f) => f !== mainModule)].map((f) => ({
  type: f.endsWith('.wasm') ? 'CompiledWasm' : 'ESModule', path: join(OUT, 'dist', f),
}));
const PROFILE_PORT = process.env.BENCH_PROFILE ? 9339 : undefined;
function start(name, script, bindings) {
  return new Miniflare(convertV4MiniflareOptions({
    host: '127.0.0.1', port: 0, ...(PROFILE_PORT && !script ? { inspectorPort: PROFILE_PORT } : {}),
    workers: [{
      name,
      ...(script ? { modules: true, script } : { modulesRoot: join(OUT, 'dist'), modules: postclickModules }),
      compatibilityDate: compatibilityDate(),
      d1Databases: { DB: `bench-postbacks-${name}` },
      queueProducers: {
        POSTBACKS: { queueName: 'postclick-postbacks' },
        POSTBACKS_DLQ: { queueName: 'postclick-postbacks-dlq' },
      },
      queueConsumers: consumers,
      bindings,
    }],
  }));
}

const waitUntil = async (what, fn, timeoutMs) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
};

// 4. One real delivery through postclick, the template for the clones.
let mf = start('postclick', null, { ADMIN_TOKEN: TOKEN, SIGNING_KEY: 'bench', ALLOW_PRIVATE_TARGETS: 'true', RETRY_SCHEDULE: '1s,2s,5s' });
const workerUrl = await mf.ready;
const db = await mf.getD1Database('DB');
await applyMigrations(db);
const api = adminApi(() => workerUrl, TOKEN);
const container = await api('POST', '/admin/api/containers', { name: 'Bench', cookie_domain: 'shop.example', allowed_origins: [] });
const connector = await api('POST', `/admin/api/containers/${container.id}/connectors`, {
  name: 'Bench partner', trigger_events: ['Purchase'],
  webhook: { enabled: true, method: 'GET', url: `${receiverUrl}/bench`,
    params: [{ name: 'v', value: '{{VALUE}}' }, { name: 'cid', value: '{{CLICK_ID}}' }, { name: 'e', value: '{{EVENT_NAME}}' }] },
});
const { delivery_id: templateId } = await api('POST', `/admin/api/connectors/${connector.id}/test`);
if (!(await waitUntil('the template delivery', () => seen.has(templateId), 20_000))) throw new Error('the template delivery never arrived');
const template = (await db.prepare('SELECT * FROM deliveries WHERE id = ?1').bind(templateId).first());
const ids = [...Array(N)].map((_, i) => `dlv_bench${String(i).padStart(8, '0')}`);

// 5. Clone it N times into `target`, through D1, before anything is queued.
const cloneInto = (target) => cloneDelivery(target, template, ids);

// The CPU seconds this process's child processes (the workerd Miniflare runs) have used so far,
// from /proc: what a phase costs the machine, beside how long it takes.
const TICKS = 100;
function workerdCpuS() {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid) total += (Number(fields[11]) + Number(fields[12])) / TICKS;
    } catch { /* gone meanwhile */ }
  }
  return total;
}

// 6. Queue one message per clone and time the deliveries: from the first message sent to the
// last postback received.
async function deliver(worker) {
  seen.clear();
  received = 0;
  const queue = await worker.getQueueProducer('POSTBACKS');
  const cpuBefore = workerdCpuS();
  const started = performance.now();
  for (let i = 0; i < N; i += 100) {
    await queue.sendBatch(ids.slice(i, i + 100).map((id) => ({ body: JSON.stringify({ delivery_id: id, attempt: 1 }) })));
  }
  const enqueuedMs = performance.now() - started;
  let previous = -1;
  let stalledSince = Date.now();
  while (seen.size < N) {
    if (seen.size !== previous) { previous = seen.size; stalledSince = Date.now(); }
    if (Date.now() - stalledSince > 30_000) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const deliveredMs = lastAt - started;
  // Let late duplicates, if any, arrive before counting.
  await new Promise((r) => setTimeout(r, 2000));
  const cpuMs = (workerdCpuS() - cpuBefore) * 1000;
  const unique = ids.filter((id) => seen.has(id)).length;
  return { cpuMs, unique, lost: N - unique, duplicated: received - seen.size, deliveredMs, enqueuedMs, rate: unique / (deliveredMs / 1000) };
}

// BENCH_PROFILE=1: a CPU profile of postclick's isolate during its run, through the inspector;
// prints the functions with the most self time (wasm functions are numbered: the release wasm
// has no names).
async function profiled(run) {
  if (!PROFILE_PORT) return run();
  const targets = await (await fetch(`http://127.0.0.1:${PROFILE_PORT}/json/list`)).json();
  const ws = new WebSocket(targets.find((t) => t.webSocketDebuggerUrl).webSocketDebuggerUrl);
  await new Promise((r) => ws.addEventListener('open', r));
  let next = 1;
  const pending = new Map();
  ws.addEventListener('message', (e) => { const m = JSON.parse(e.data); pending.get(m.id)?.(m.result); });
  const send = (method, params = {}) => new Promise((r) => { const id = next++; pending.set(id, r); ws.send(JSON.stringify({ id, method, params })); });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 200 });
  await send('Profiler.start');
  const result = await run();
  const { profile } = await send('Profiler.stop');
  ws.close();
  const dt = new Map();
  profile.nodes.forEach((n) => dt.set(n.id, 0));
  profile.samples.forEach((id, i) => dt.set(id, dt.get(id) + (profile.timeDeltas[i] ?? 0)));
  const byName = new Map();
  for (const n of profile.nodes) {
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
    byName.set(key, (byName.get(key) ?? 0) + dt.get(n.id));
  }
  const total = [...byName.values()].reduce((a, b) => a + b, 0);
  console.log(`\nprofile of postclick's isolate (self time, ${(total / 1000).toFixed(0)} ms sampled)`);
  for (const [k, us] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`  ${(100 * us / total).toFixed(1).padStart(5)}%  ${k}`);
  }
  return result;
}

await cloneInto(db);
const ours = await profiled(() => deliver(mf));
const rows = await db.prepare(
  "SELECT status, COUNT(*) AS n, SUM(attempt) AS attempts FROM deliveries WHERE id LIKE 'dlv_bench%' GROUP BY status",
).all();
await mf.dispose();

// 7. The floors, one after the other on a fresh workerd each: the queue and fetch alone, then
// with postclick's D1 round trips per batch (on the same schema and cloned rows).
const TEMPLATE = floorTemplate(template, templateId);
const floors = {};
for (const kind of ['fetch', 'd1']) {
  mf = start(`floor-${kind}`, floorWorker(kind), { TEMPLATE });
  await mf.ready;
  if (kind === 'd1') {
    const floorDb = await mf.getD1Database('DB');
    await applyMigrations(floorDb);
    await cloneInto(floorDb);
  }
  floors[kind] = await deliver(mf);
  await mf.dispose();
}

// 8. The receiver's own ceiling, now that the workers are gone (wrk runs asynchronously: the
// receiver lives in this process).
const { stdout: wrk } = await promisify(execFile)('wrk', ['-t2', '-c16', `-d${CEILING_SECONDS}s`, `${receiverUrl}/ceiling`]);
const ceiling = Number(wrk.match(/Requests\/sec:\s+([\d.]+)/)[1]);
receiver.close();

const line = (label, r) => `${r.rate.toFixed(0).padStart(6)}/s  ${r.unique} of ${N} in ${(r.deliveredMs / 1000).toFixed(1)} s (queued in ${(r.enqueuedMs / 1000).toFixed(1)} s), workerd CPU ${(r.cpuMs / N).toFixed(2)} ms a postback, lost ${r.lost}, duplicated ${r.duplicated}  ${label}`;
console.log(`\npostclick postback bench (${N} postbacks, plain workerd, local queue, batch ${consumerOptions.maxBatchSize}, batch timeout ${consumerOptions.maxBatchTimeout} s)`);
console.log(`  delivered/s  ${line('postclick', ours)}`);
console.log(`  floor        ${line('JS consumer: queue + fetch, no D1', floors.fetch)}`);
console.log(`  floor        ${line('JS consumer: queue + fetch + claim and settle in D1 (2 round trips a batch)', floors.d1)}`);
console.log(`  receiver ceiling (wrk -c16)  ${ceiling.toFixed(0)} req/s`);
console.log(`  postclick / receiver ceiling        ${(ours.rate / ceiling).toFixed(3)} (target 0.1: ${ours.rate / ceiling >= 0.1 ? 'met' : 'NOT MET'})`);
console.log(`  postclick / floor (queue + fetch)   ${(ours.rate / floors.fetch.rate).toFixed(2)}`);
console.log(`  postclick / floor (with D1)         ${(ours.rate / floors.d1.rate).toFixed(2)}`);
console.log(`  floors / receiver ceiling           ${(floors.fetch.rate / ceiling).toFixed(3)} (queue + fetch), ${(floors.d1.rate / ceiling).toFixed(3)} (with D1)`);
console.log(`  postclick rows by status            ${rows.results.map((r) => `${r.status} ${r.n} (${r.attempts} attempts)`).join(', ')}`);
const lost = ours.lost + floors.fetch.lost + floors.d1.lost;
const duplicated = ours.duplicated + floors.fetch.duplicated + floors.d1.duplicated;
if (lost > 0 || duplicated > 0) {
  console.error('FAIL: every postback must arrive exactly once');
  process.exit(1);
}
