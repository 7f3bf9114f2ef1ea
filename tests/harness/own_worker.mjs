// A worker of the test file's own, for tests that need other settings than the shared one
// (tests/run.mjs) or that write to D1 directly: the hooks that start it on fresh state and stop
// it again, and a restart on the same state, as after a crash or a deploy.
import { before, after } from 'node:test';
import { callAt } from './app.mjs';
import { startWorker } from './worker.mjs';

/**
 * Registers `before`/`after` hooks that start a worker with `options` (see `startWorker`) and
 * stop it, removing its state. The returned object's `worker` and `call` (the request helper
 * bound to it, sending its admin token) are set once `ready` has resolved (to the object itself):
 * a file's own `before` hook awaits it, since Node does not run a file's hooks one after another.
 */
export function ownWorker(options = {}) {
  let started;
  let failed;
  const own = {
    worker: null,
    call: null,
    ready: new Promise((resolve, reject) => { started = resolve; failed = reject; }),
    /**
     * Stops the worker, runs `whileStopped(stateDir)` (e.g. an executeD1 that ages rows, as time
     * would), and starts it again on the same state; `worker` and `call` then name the new one.
     */
    async restart(whileStopped = () => {}) {
      await own.worker.stop();
      await whileStopped(own.worker.stateDir);
      await start({ ...options, stateDir: own.worker.stateDir });
    },
  };
  async function start(startOptions) {
    own.worker = await startWorker(startOptions);
    own.call = callAt(own.worker.url, own.worker.adminToken);
  }
  before(() => start(options).then(() => started(own), (err) => { failed(err); throw err; }));
  after(async () => {
    await own.worker?.stop();
    own.worker?.cleanup();
  });
  return own;
}
