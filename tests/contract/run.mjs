// The contract run: schemathesis against the real worker, with every check on, for every
// operation of the document the worker serves at /admin/api/openapi.json, public ones included.
//
// It starts the built worker under `wrangler dev` (tests/harness/worker.mjs), a local receiver for
// postbacks, and the fixtures schemathesis needs to reach real resources (tests/contract/
// fixtures.mjs), then writes a schemathesis config that draws path, query and header values from
// those fixtures and authenticates each operation the way its security requirement says (the
// admin token, or the fixture API key for the webhooks).
//
// The whole run lives in a network namespace of its own with only a loopback interface: the
// fuzzer invents postback URLs, and whatever a connector is pointed at, no request of this run can
// leave the machine.
//
// Usage: node tests/contract/run.mjs   (after scripts/build.sh; `make contract` does both)
// Environment: CONTRACT_MAX_EXAMPLES (default 25 per operation), CONTRACT_SEED (a fixed seed by
// default, so CI is repeatable; set it to explore), SCHEMATHESIS (the `st` binary; set by
// scripts/bootstrap.sh).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWorker, ROOT } from '../harness/worker.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { createFixtures } from './fixtures.mjs';

const ISOLATED = 'POSTCLICK_CONTRACT_ISOLATED';

/** Re-runs this script inside a fresh network namespace (loopback only) and exits with its code. */
function reexecIsolated() {
  const inner = `ip link set lo up && exec "${process.execPath}" "${import.meta.filename}"`;
  const asRoot = process.getuid?.() === 0;
  const args = [...(asRoot ? [] : ['--map-root-user']), '--net', 'sh', '-c', inner];
  const result = spawnSync('unshare', args, { stdio: 'inherit', env: { ...process.env, [ISOLATED]: '1' } });
  if (result.error || result.status === null) {
    console.error(`contract: cannot create a network namespace with unshare (${result.error ?? result.signal});`
      + ' the run needs one so that no fuzzed postback leaves the machine');
    process.exit(1);
  }
  process.exit(result.status);
}

/**
 * Operations whose answer depends on the resource's stored state as well as on the request, so a
 * request the schema admits can still be refused 422 (the existing integration tests pin each):
 * a merge patch is judged merged with the stored resource; a pixel needs HTML to be approved; a
 * Test Webhook needs the connector's webhook URL; a replay needs a settled delivery with a request;
 * a rotation needs a secret other than the current one; a time zone must be one the runtime's
 * time zone data knows; a day range must not run backwards or span more than 366 days (a rule
 * across two parameters, which OpenAPI cannot state).
 * For these alone, a 422 to a schema-valid request is not a contract failure.
 */
const STATEFUL_REFUSALS = {
  'POST /admin/api/containers': 'invalid_time_zone (the runtime\'s time zone data)',
  'GET /admin/api/connectors/{id}/reconciliation': 'invalid_range (from after to, over 366 days)',
  'GET /admin/api/containers/{id}/events/daily': 'invalid_range (from after to, over 366 days)',
  'PATCH /admin/api/containers/{id}': 'the merged container',
  'PATCH /admin/api/connectors/{id}': 'the merged connector',
  'POST /admin/api/connectors/{id}/approve-pixel': 'nothing_to_approve',
  'POST /admin/api/connectors/{id}/test': 'no_webhook',
  'POST /admin/api/deliveries/{id}/replay': 'delivery_pending, nothing_to_replay',
  'POST /admin/api/connectors/{id}/rotate-secret': 'same_secret (the secret the fuzzer rotated to before)',
};
/** A cursor from another connector's log is refused 400 (invalid_cursor), whatever its form. */
const STATEFUL_CURSORS = {
  'GET /admin/api/connectors/{id}/deliveries': 'invalid_cursor',
  'GET /admin/api/containers/{id}/events': 'invalid_query (before)',
};
/**
 * A tracking link's landing must be on its container's own domains, which no schema can know: the
 * stateful phase also sends /c for containers it created itself, with domains of their own, and
 * the fixture landings are refused 400 (invalid_redirect) there.
 */
const STATEFUL_REDIRECTS = { 'GET /c': 'invalid_redirect', 'HEAD /c': 'invalid_redirect' };

const tomlString = (s) => JSON.stringify(String(s));
/** Dictionaries with only a few values. */
const SMALL = ['console_assets', 'pixel_tokens'];
const tomlList = (items) => `[${items.map(tomlString).join(', ')}]`;

/**
 * Which fixture dictionary a parameter of an operation draws from. Operations that change or
 * remove a resource get their own, so the resources the rest of the run relies on stay intact.
 */
function dictionaryFor(method, path, location, name) {
  if (location === 'header' && name.toLowerCase() === 'origin') return 'origins';
  if (location === 'query' && name === 'id' && !path.startsWith('/admin')) return 'containers';
  if (location === 'query' && name === 'to' && path === '/c') return 'landings';
  if (location === 'query' && name === 'event_id' && path.endsWith('/explain')) return 'event_ids';
  if (location !== 'path') return null;
  if (path === '/px/{token}') return 'pixel_tokens';
  if (path === '/admin/assets/{file}') return 'console_assets';
  if (path.startsWith('/webhooks/custom/') && name === 'container') return 'containers';
  if (path.startsWith('/admin/api/containers/{id}')) {
    return method === 'patch' ? 'patch_containers' : 'containers';
  }
  if (path.startsWith('/admin/api/connectors/{id}')) {
    if (method === 'delete') return 'delete_connectors';
    if (method === 'patch' || path.endsWith('/approve-pixel')) return 'patch_connectors';
    return 'connectors';
  }
  if (path.startsWith('/admin/api/api-keys/{id}')) return 'revoke_keys';
  if (path === '/admin/api/deliveries/{id}/reevaluate') return 'skipped_deliveries';
  if (path.startsWith('/admin/api/deliveries/{id}')) return 'deliveries';
  if (path.startsWith('/admin/api/events/{id}')) return 'events';
  return null;
}

/**
 * The paths Workers Static Assets serve (wrangler.toml `[assets]`): Cloudflare's asset server, not
 * the worker, answers them, and refuses other methods with a 405 that has no Allow header. They
 * are files, not API, and `tests/integration/static_assets.test.mjs` covers them (README, "Tests").
 */
const STATIC_ASSETS = ['/admin', '/admin/assets/{file}', '/admin/api/openapi.json'];

function configToml(doc, fixtures, adminToken) {
  const lines = [
    // /webhook's rules across parameters, which OpenAPI cannot state (see hooks.py).
    `hooks = ${tomlString(join(import.meta.dirname, 'hooks.py'))}`,
    // 413 (body or URL too large) refuses a request as surely as 400 does.
    '[checks.negative_data_rejection]',
    'expected-statuses = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429, "5XX"]',
    '[auth.openapi.adminToken]', `bearer = ${tomlString(adminToken)}`,
    '[auth.openapi.webhookKey]', `bearer = ${tomlString(fixtures.apiKey)}`,
    '[auth.openapi.webhookKeyQuery]', `api_key = ${tomlString(fixtures.apiKey)}`,
  ];
  const dictionaries = {
    containers: fixtures.containers,
    patch_containers: fixtures.patchContainers,
    connectors: fixtures.connectors,
    patch_connectors: fixtures.patchConnectors,
    delete_connectors: fixtures.deleteConnectors,
    revoke_keys: fixtures.revokeKeys,
    deliveries: fixtures.deliveries,
    events: fixtures.events,
    skipped_deliveries: fixtures.skippedDeliveries,
    event_ids: fixtures.eventIds,
    pixel_tokens: fixtures.pixelTokens,
    origins: [fixtures.origin],
    landings: fixtures.landings,
    console_assets: fixtures.consoleAssets,
  };
  for (const [name, values] of Object.entries(dictionaries)) {
    lines.push(`[dictionaries.${name}]`, `values = ${tomlList(values)}`);
  }
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'head', 'options', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const bindings = [];
      for (const p of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
        const dictionary = dictionaryFor(method, path, p.in, p.name);
        // Mostly the real resource, sometimes whatever the fuzzer makes: both paths get tested.
        // A landing URL must be on the container's own domains, which no schema can know: positive
        // cases always take one; negative cases are still generated from the schema.
        // A dictionary of a few values leaves too few distinct cases to draw 25 from: half of
        // those are drawn from the schema (and answered 404).
        const probability = dictionary === 'landings' ? 1 : SMALL.includes(dictionary) ? 0.5 : 0.9;
        if (dictionary) bindings.push(`${tomlString(`${p.in}.${p.name}`)} = { dictionary = "${dictionary}", probability = ${probability} }`);
      }
      const name = `${method.toUpperCase()} ${path}`;
      const refused = STATEFUL_REFUSALS[name] ?? STATEFUL_CURSORS[name] ?? STATEFUL_REDIRECTS[name];
      if (bindings.length === 0 && !refused) continue;
      lines.push('[[operations]]', `include-name = ${tomlString(name)}`);
      if (bindings.length > 0) lines.push(`parameters = { ${bindings.join(', ')} }`);
      if (refused) {
        // 2xx, 3xx, 401, 403, 404, 409, 429 and 5xx are schemathesis' own defaults.
        const status = STATEFUL_CURSORS[name] || STATEFUL_REDIRECTS[name] ? 400 : 422;
        lines.push(`checks.positive_data_acceptance.expected-statuses = ["2XX", "3XX", 401, 403, 404, 409, ${status}, 429, "5XX"]`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

async function main() {
  const st = process.env.SCHEMATHESIS;
  if (!st) throw new Error('SCHEMATHESIS is not set: run through `eval "$(scripts/bootstrap.sh)"` or make');
  const artifacts = join(ROOT, 'tests/artifacts/contract');
  mkdirSync(artifacts, { recursive: true });
  const worker = await startWorker({ logFile: join(artifacts, 'wrangler.log'),
    vars: { RETRY_SCHEDULE: '1s,1s,2s', DELIVERY_TIMEOUT_S: '3' } });
  const receiver = await startReceiver();
  let status = 1;
  try {
    const fixtures = await createFixtures({ url: worker.url, adminToken: worker.adminToken, receiverUrl: receiver.url });
    const doc = await (await fetch(`${worker.url}/admin/api/openapi.json`)).json();
    const configFile = join(worker.stateDir, 'schemathesis.toml');
    writeFileSync(configFile, configToml(doc, fixtures, worker.adminToken));
    const args = ['--config-file', configFile, 'run', `${worker.url}/admin/api/openapi.json`,
      '--url', worker.url, '--checks', 'all',
      ...STATIC_ASSETS.flatMap((path) => ['--exclude-path', path]),
      '--max-examples', process.env.CONTRACT_MAX_EXAMPLES ?? '25',
      '--seed', process.env.CONTRACT_SEED ?? '20261130',
      // One worker: CPython 3.11's ast module can fail under threads ("AST constructor recursion
      // depth mismatch"), which schemathesis reports as an error of its own.
      '--workers', '1', '--generation-database', 'none', '--no-color',
      '--report', 'junit,ndjson', '--report-dir', artifacts];
    const result = spawnSync(st, args, { cwd: artifacts, stdio: 'inherit' });
    status = result.status ?? 1;
  } finally {
    await receiver.close();
    await worker.stop();
    worker.cleanup();
  }
  process.exit(status);
}

if (process.env[ISOLATED] !== '1') reexecIsolated();
else await main();
