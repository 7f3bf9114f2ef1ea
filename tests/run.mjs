// Runs the test suites against one real worker: starts wrangler dev (workerd + local D1 and
// Queues) on fresh state, runs `node --test` on the given folders, and always tears down.
// Usage: node tests/run.mjs tests/integration [tests/browser] [tests/integration/one.test.mjs]
// Each argument is a folder (every *.test.mjs in it) or a single test file.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startWorker, ROOT } from './harness/worker.mjs';

const folders = process.argv.slice(2);
const files = folders.flatMap((arg) => statSync(join(ROOT, arg)).isFile() ? [join(ROOT, arg)] :
  readdirSync(join(ROOT, arg)).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(ROOT, arg, f)));
if (files.length === 0) {
  console.error(`no *.test.mjs files in ${folders.join(', ')}`);
  process.exit(1);
}

mkdirSync(join(ROOT, 'tests/artifacts'), { recursive: true });
// Short delivery tunables, so retries, timeouts and dead-lettering finish within a test.
// PROXY_SECRET: the shared secret of same-origin mode's reverse proxy (tests/harness/site.mjs).
const TEST_VARS = { RETRY_SCHEDULE: '1s,1s,2s', DELIVERY_TIMEOUT_S: '3', PROXY_SECRET: `proxy-${randomBytes(12).toString('hex')}` };
const worker = await startWorker({ logFile: join(ROOT, 'tests/artifacts/wrangler.log'), vars: TEST_VARS });
let status = 1;
try {
  // A test that hangs fails after 4 minutes (the slowest take about 30 s), and the whole run is
  // stopped after 60, so a hang names itself instead of running into CI's time limit.
  const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=240000',
    '--test-reporter=spec', ...files], {
    timeout: 60 * 60 * 1000, killSignal: 'SIGKILL',
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, POSTCLICK_URL: worker.url, POSTCLICK_ADMIN_TOKEN: worker.adminToken,
      POSTCLICK_SIGNING_KEY: worker.signingKey, POSTCLICK_STATE_DIR: worker.stateDir,
      POSTCLICK_WORKER_VARS: JSON.stringify(TEST_VARS) },
  });
  if (result.error) console.error(`the test run was stopped: ${result.error.message}`);
  status = result.status ?? 1;
} finally {
  await worker.stop();
  worker.cleanup();
}
process.exit(status);
