// Starts the real built worker under `wrangler dev` (workerd, local D1 and Queues) with a fresh
// state directory, waits until it answers, and stops it again.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pollUntil } from './poll.mjs';

export const ROOT = resolve(import.meta.dirname, '../..');
const WRANGLER = join(ROOT, 'node_modules/.bin/wrangler');

/**
 * A port no one listens on now, as the kernel hands it out. A random pick in a range could hit
 * another test file's worker, whose answers would then be taken for this one's.
 */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * @param {{vars?: Record<string,string>, logFile?: string, stateDir?: string, logLevel?: string}} options
 *   `stateDir` reuses an earlier worker's state (D1 and queues), as a restart after a crash would.
 *   `logLevel` is wrangler's (default `warn`); `log` keeps the worker's `console.log` lines too.
 * @returns {Promise<{url: string, adminToken: string, signingKey: string, stateDir: string, stop: () => Promise<void>}>}
 */
export async function startWorker(options = {}) {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'postclick-state-'));
  const adminToken = `pca_test_${randomBytes(16).toString('hex')}`;
  const signingKey = randomBytes(32).toString('base64url');
  const env = { ...process.env, CI: 'true', POSTCLICK_SKIP_BUILD: '1', WRANGLER_SEND_METRICS: 'false' };

  execFileSync(WRANGLER, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', stateDir], {
    cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'],
  });

  const vars = {
    ADMIN_TOKEN: adminToken,
    SIGNING_KEY: signingKey,
    ALLOW_PRIVATE_TARGETS: 'true',
    SERVER_TIMING: 'true',
    // Postbacks of server events are decided at once unless a test sets a delay.
    SERVER_EVENT_DISPATCH_DELAY_S: '0',
    ...(options.vars ?? {}),
  };
  const port = await freePort();
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', stateDir,
    '--inspector-port', String(await freePort()), '--show-interactive-dev-session=false', '--log-level', options.logLevel ?? 'warn'];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);

  const child = spawn(WRANGLER, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const logPath = options.logFile ?? join(stateDir, 'wrangler.log');
  const log = createWriteStream(logPath);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  child.on('exit', (code) => { exited = code; });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  // Ready once the admin API takes this worker's own token: a worker that answers /healthz on
  // this port could still be another one.
  for (;;) {
    if (exited !== null) throw new Error(`wrangler dev exited with ${exited}; see ${logPath}`);
    try {
      const res = await fetch(`${url}/admin/api/containers?limit=1`, { headers: { authorization: `Bearer ${adminToken}` } });
      if (res.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`worker did not answer within 90 s; see ${logPath}`);
    await new Promise((r) => setTimeout(r, 250));
  }

  const stop = async () => {
    if (exited !== null) return;
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    await new Promise((r) => { if (exited !== null) r(); else child.on('exit', r); setTimeout(r, 5000); });
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  };
  return { url, adminToken, signingKey, stateDir, logPath, stop, cleanup: () => rmSync(stateDir, { recursive: true, force: true }) };
}

/** The SQLite file behind the worker's local D1 database in `stateDir`. */
export function d1File(stateDir) {
  const dir = join(stateDir, 'v3/d1/miniflare-D1DatabaseObject');
  const files = readdirSync(dir).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite');
  if (files.length !== 1) throw new Error(`expected one D1 database in ${dir}, found ${files}`);
  return join(dir, files[0]);
}

/**
 * Reads the worker's local D1 directly with the sqlite3 CLI (read-only, so it never interferes
 * with the running worker), returning rows as objects.
 */
export function queryD1(stateDir, sql) {
  const out = execFileSync('sqlite3', ['-readonly', '-json', d1File(stateDir), sql], { stdio: ['ignore', 'pipe', 'pipe'] });
  const text = out.toString().trim();
  return text ? JSON.parse(text) : [];
}

/**
 * Writes to the worker's local D1 with the sqlite3 CLI, for tests that stand for data an earlier
 * version stored (which the API no longer accepts), or that make stored rows old, as time would
 * (then with the worker stopped, and restarted on the same state).
 */
export function executeD1(stateDir, sql) {
  execFileSync('sqlite3', [d1File(stateDir), sql], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The matches of `pattern` (a `/g` RegExp) in the log of a worker started with `logLevel: 'log'`. */
export function logMatches(worker, pattern) {
  return [...readFileSync(worker.logPath, 'utf8').matchAll(pattern)];
}

/** The cron sweep's summary line (see `src/delivery/mod.rs`). */
export const SWEEP_LINE = /sweep: (\d+) D1 queries/g;

/**
 * Runs the cron sweep once through wrangler's scheduled handler and waits until the run has
 * logged its summary line: for a worker started with `logLevel: 'log'`.
 */
export async function runSweep(worker) {
  const runs = logMatches(worker, SWEEP_LINE).length;
  const res = await fetch(`${worker.url}/cdn-cgi/handler/scheduled?cron=*/5+*+*+*+*`);
  if (res.status !== 200) throw new Error(`the scheduled handler answered ${res.status}: ${await res.text()}`);
  await pollUntil(() => logMatches(worker, SWEEP_LINE).length > runs, { what: 'the sweep to log its run' });
}
