// The ledger run of `make bench-postbacks`: postbacks to a receiver that fails 30% of attempts
// (half 503, half hanging longer than the worker's request timeout), with the worker stopped and
// started again mid-run on the same persisted D1 and queue state. Then the ledger: triggered,
// acknowledged exactly once by Idempotency-Key, extra receipts (each explained: an attempt that
// timed out, or one in flight at the restart), and lost. A lost postback, or an extra
// acknowledgement nothing explains, fails the bench.
//
// The worker runs on plain workerd (Miniflare API) with the consumer settings of wrangler.toml,
// a short retry schedule and request timeout (vars), and the cron sweep triggered every 2 s (it
// re-queues rows whose message was lost with the stopped worker, as the real cron does each
// minute). Postbacks are made as in the clean run: one real delivery cloned through D1, then one
// queue message per clone.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { adminApi, applyMigrations, cloneDelivery } from './d1.mjs';
import { compatibilityDate, queueConsumers } from './postbacks_settings.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench-out');
const DIST = join(OUT, 'dist');
const STATE = join(OUT, 'ledger-state');
const N = Number(process.env.BENCH_LEDGER_POSTBACKS ?? 300);
const FAILURE_RATE = 0.3;
const TIMEOUT_S = 2;
const HANG_MS = (TIMEOUT_S + 1.5) * 1000;
// Longer than a batch of 100 takes with its hangs (6 connections at a time), so the sweep only
// re-queues what the stopped worker left in flight, never an attempt still running.
const STUCK_AFTER_S = 20;
const TOKEN = 'bench';
const DEADLINE_MS = Number(process.env.BENCH_LEDGER_DEADLINE_S ?? 240) * 1000;


if (!existsSync(DIST)) {
  mkdirSync(OUT, { recursive: true });
  execFileSync(join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', DIST], {
    cwd: ROOT, env: { ...process.env, POSTCLICK_SKIP_BUILD: '1', CI: 'true', WRANGLER_SEND_METRICS: 'false' }, stdio: ['ignore', 'ignore', 'inherit'],
  });
}
const distFiles = readdirSync(DIST).filter((f) => /\.(m?js|wasm)$/.test(f) && statSync(join(DIST, f)).isFile());
const mainModule = distFiles.find((f) => f.endsWith('.js'));
rmSync(STATE, { recursive: true, force: true });

// The receiver. Whether an attempt fails is drawn from a hash of its key and receipt number, so a
// run is repeatable; a key's fifth and later receipts always succeed, so no postback can exhaust
// its retries by bad luck and the run's length is bounded.
const ledger = new Map(); // key -> { receipts, acks: [ms], timedOut, refused }
let workerUp = true;
const draw = (key, n) => createHash('sha256').update(`${key}#${n}`).digest().readUInt32BE(0) / 2 ** 32;
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const key = req.headers['idempotency-key'];
    if (!req.url.startsWith('/ledger') || !key) { res.writeHead(404); res.end(); return; }
    const entry = ledger.get(key) ?? { receipts: 0, acks: [], timedOut: 0, refused: 0, lastAt: 0 };
    ledger.set(key, entry);
    entry.receipts += 1;
    entry.lastAt = Date.now();
    const roll = entry.receipts <= 4 ? draw(key, entry.receipts) : 1;
    if (roll < FAILURE_RATE / 2) {
      entry.refused += 1;
      res.writeHead(503, { 'content-type': 'text/plain' }); res.end('unavailable');
    } else if (roll < FAILURE_RATE) {
      // Longer than the worker's timeout: the attempt times out, whatever this answer says.
      entry.timedOut += 1;
      setTimeout(() => { res.writeHead(200); res.end('late'); }, HANG_MS);
    } else {
      entry.acks.push(Date.now());
      res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok');
    }
  });
});
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}`;

function start() {
  return new Miniflare({
    ...convertV4MiniflareOptions({
      host: '127.0.0.1', port: 0,
      workers: [{
        name: 'postclick',
        modulesRoot: DIST,
        modules: [mainModule, ...distFiles.filter((f) => f !== mainModule)].map((f) => ({
          type: f.endsWith('.wasm') ? 'CompiledWasm' : 'ESModule', path: join(DIST, f),
        })),
        compatibilityDate: compatibilityDate(),
        unsafeTriggerHandlers: true,
        d1Databases: { DB: 'bench-ledger-db' },
        queueProducers: {
          POSTBACKS: { queueName: 'postclick-postbacks' },
          POSTBACKS_DLQ: { queueName: 'postclick-postbacks-dlq' },
        },
        queueConsumers: queueConsumers(['postclick-postbacks', 'postclick-postbacks-dlq']),
        bindings: { ADMIN_TOKEN: TOKEN, SIGNING_KEY: 'bench', ALLOW_PRIVATE_TARGETS: 'true',
          RETRY_SCHEDULE: '1s,1s,2s,2s,3s,3s,5s,5s', DELIVERY_TIMEOUT_S: String(TIMEOUT_S), STUCK_AFTER_S: String(STUCK_AFTER_S) },
      }],
    }),
    resourcePersistencePath: STATE,
  });
}

let mf = start();
let workerUrl = await mf.ready;
let db = await mf.getD1Database('DB');
await applyMigrations(db);

const api = adminApi(() => workerUrl, TOKEN);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One real, signed delivery is the template (sent to another path, outside the ledger).
const container = await api('POST', '/admin/api/containers', { name: 'Ledger', cookie_domain: 'shop.example', allowed_origins: [] });
const connector = await api('POST', `/admin/api/containers/${container.id}/connectors`, {
  name: 'Ledger partner', trigger_events: ['Purchase'],
  webhook: { enabled: true, method: 'POST', url: `${receiverUrl}/ledger`, signing_secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
    // Parking (its own tests cover it) would hold the run up: 30% failures across a batch of 100
    // in flight can reach the default 20 in a row.
    park_after_failures: 1000, params: [{ name: 'v', value: '{{VALUE}}' }] },
});
const tested = await api('POST', `/admin/api/connectors/${connector.id}/test`, { wait: true });
const templateId = tested.delivery_id ?? tested.id;
ledger.delete(templateId);
const template = await db.prepare('SELECT * FROM deliveries WHERE id = ?1').bind(templateId).first();

const ids = [...Array(N)].map((_, i) => `dlv_ledger${String(i).padStart(7, '0')}`);
await cloneDelivery(db, template, ids);
const started = Date.now();
let queue = await mf.getQueueProducer('POSTBACKS');
for (let i = 0; i < N; i += 100) {
  await queue.sendBatch(ids.slice(i, i + 100).map((id) => ({ body: JSON.stringify({ delivery_id: id, attempt: 1 }) })));
}

const acknowledged = () => ids.filter((id) => (ledger.get(id)?.acks.length ?? 0) > 0).length;
let sweeps = 0;
const sweep = async () => {
  if (!workerUp) return;
  try {
    const worker = await mf.getWorker();
    const result = await worker.scheduled({ cron: '* * * * *' });
    if (result.outcome === 'ok') sweeps += 1;
    else console.error(`the sweep ended with ${result.outcome}`);
  } catch (e) { console.error(`the sweep could not run: ${e.message}`); }
};

// Run until 40% are acknowledged, then stop the worker and start it again on the same state.
let restartAt = 0;
while (acknowledged() < N * 0.4 && Date.now() - started < DEADLINE_MS) { await sweep(); await sleep(2000); }
restartAt = Date.now();
workerUp = false;
await mf.dispose();
// Until dispose() returns, the stopping worker may still send and be answered.
const stoppedAt = Date.now();
mf = start();
workerUrl = await mf.ready;
db = await mf.getD1Database('DB');
workerUp = true;
const restartedMs = Date.now() - restartAt;

while (acknowledged() < N && Date.now() - started < DEADLINE_MS) { await sweep(); await sleep(2000); }
// Late duplicates, if any, arrive within a sweep or two.
await sweep(); await sleep(HANG_MS + 2000); await sweep(); await sleep(2000);
const rows = await db.prepare(
  "SELECT status, COUNT(*) AS n, SUM(attempt) AS attempts FROM deliveries WHERE id LIKE 'dlv_ledger%' GROUP BY status",
).all();
const elapsedS = (Date.now() - started) / 1000;
await mf.dispose();
receiver.close();

// The ledger. An attempt the partner received within the stuck time before the worker had
// stopped may have been running when it stopped (its answer never recorded), so the sweep sends
// it again. The stop is not instant: an attempt the old worker sent while it was being disposed
// is answered after the stop began, and counts as in flight at it too.
const inFlightFrom = restartAt - (STUCK_AFTER_S + TIMEOUT_S) * 1000;
let once = 0;
let lost = 0;
let repeatedAtRestart = 0;
let unexplained = 0;
let receipts = 0;
let refused = 0;
let timedOut = 0;
for (const id of ids) {
  const e = ledger.get(id) ?? { receipts: 0, acks: [], timedOut: 0, refused: 0 };
  receipts += e.receipts;
  refused += e.refused;
  timedOut += e.timedOut;
  if (e.acks.length === 0) { lost += 1; continue; }
  if (e.acks.length === 1) { once += 1; continue; }
  const extra = e.acks.length - 1;
  if (e.acks.some((t) => t <= stoppedAt && t >= inFlightFrom)) repeatedAtRestart += extra;
  else unexplained += extra;
}
const acked = N - lost;

console.log(`\npostclick postback ledger (${N} postbacks, ${FAILURE_RATE * 100}% injected failures: 503 or a hang over the ${TIMEOUT_S} s timeout; worker restarted once)`);
console.log(`  triggered                         ${N}`);
console.log(`  acknowledged exactly once         ${once}`);
console.log(`  acknowledged again                ${acked - once} (sent again after the restart, in flight at it: ${repeatedAtRestart}; unexplained: ${unexplained})`);
console.log(`  lost                              ${lost}`);
console.log(`  extra receipts                    ${receipts - acked} (refused with 503 and retried ${refused}, timed out and retried ${timedOut}, acknowledged again at the restart ${repeatedAtRestart + unexplained})`);
console.log(`  restart                           after ${((restartAt - started) / 1000).toFixed(1)} s, stopped in ${((stoppedAt - restartAt) / 1000).toFixed(1)} s, worker back in ${(restartedMs / 1000).toFixed(1)} s`);
console.log(`  finished in                       ${elapsedS.toFixed(1)} s (${sweeps} sweeps)`);
console.log(`  rows by status                    ${rows.results.map((r) => `${r.status} ${r.n} (${r.attempts} attempts)`).join(', ')}`);
if (lost > 0 || unexplained > 0) {
  console.error('FAIL: every triggered postback must be acknowledged, and only timed-out or interrupted attempts may repeat');
  process.exit(1);
}
