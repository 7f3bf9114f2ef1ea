// The resources schemathesis needs to reach real code instead of 404s: containers, connectors,
// API keys, deliveries and a pixel token, created through the public API of the running worker.
// Operations that change or remove a resource get resources of their own, so that what the rest
// of the run relies on (the tracking container, its key, its connector) stays as created here.
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { pollUntil } from '../harness/poll.mjs';

export const COOKIE_DOMAIN = 'shop.localhost.test';
export const SITE_ORIGIN = 'https://www.shop.localhost.test';
const unique = (prefix) => `${prefix}${randomBytes(4).toString('hex')}`;

/** One JSON call to the worker at `base`; throws unless the answer has status `expect`. */
function callAt(base, adminToken) {
  return (method, path, { body, expect, headers = {} } = {}) => new Promise((resolve, reject) => {
    const target = new URL(base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const h = { authorization: `Bearer ${adminToken}`, ...headers };
    if (payload !== undefined) {
      h['content-type'] = 'application/json';
      h['content-length'] = Buffer.byteLength(payload);
    }
    const req = request({ host: target.hostname, port: target.port, method, path, headers: h }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (expect !== undefined && res.statusCode !== expect) {
          reject(new Error(`${method} ${path}: expected ${expect}, got ${res.statusCode} ${text}`));
          return;
        }
        resolve(text ? JSON.parse(text) : undefined);
      });
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** The text of a public GET at `base` + `path`. */
async function getText(base, path) {
  const res = await fetch(new URL(path, base));
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
  return res.text();
}

const containerBody = () => ({
  name: unique('Contract shop '), cookie_domain: COOKIE_DOMAIN, allowed_origins: [SITE_ORIGIN],
});

const connectorBody = (receiverUrl, overrides = {}) => ({
  name: unique('Contract partner '),
  trigger_events: ['Purchase', 'Lead'],
  mode: 'enabled',
  webhook: { enabled: true, method: 'GET', url: `${receiverUrl}/postback?tid={{TRANSACTION_ID}}&v={{VALUE}}` },
  pixel: { enabled: true, sandbox: true, html: '<img src="https://px.example/p?v={{VALUE}}">' },
  ...overrides,
});

/**
 * Creates the fixtures and answers the ids schemathesis should draw from, by role:
 * `{consoleAssets, containers, patchContainers, connectors, patchConnectors, deleteConnectors,
 *   apiKey, revokeKeys, deliveries, events, skippedDeliveries, eventIds, pixelTokens, origin,
 *   landings}`.
 */
export async function createFixtures({ url, adminToken, receiverUrl }) {
  const call = callAt(url, adminToken);
  const container = await call('POST', '/admin/api/containers', { body: containerBody(), expect: 201 });
  const patchContainer = await call('POST', '/admin/api/containers', { body: containerBody(), expect: 201 });

  const newConnector = (containerId, overrides) => call('POST', `/admin/api/containers/${containerId}/connectors`,
    { body: connectorBody(receiverUrl, overrides), expect: 201 });
  const connector = await newConnector(container.id);
  await call('POST', `/admin/api/connectors/${connector.id}/approve-pixel`, { expect: 200 });
  const patchConnectors = [await newConnector(patchContainer.id),
    await newConnector(patchContainer.id, { click_id: { enabled: true, param: 'aff_click_id' } })];
  const deleteConnectors = [];
  for (let i = 0; i < 4; i += 1) deleteConnectors.push(await newConnector(patchContainer.id));

  const key = await call('POST', `/admin/api/containers/${container.id}/api-keys`,
    { body: { name: 'Contract backend', rate_limit_per_minute: 100000 }, expect: 201 });
  const revokeKeys = [];
  for (let i = 0; i < 3; i += 1) {
    revokeKeys.push(await call('POST', `/admin/api/containers/${patchContainer.id}/api-keys`,
      { body: { name: unique('Disposable ') }, expect: 201 }));
  }

  // A settled delivery (replayable) and the event deliveries a browser event produces.
  const deliveries = [];
  for (let i = 0; i < 2; i += 1) {
    deliveries.push((await call('POST', `/admin/api/connectors/${connector.id}/test`, { expect: 202 })).delivery_id);
  }
  const event = await call('POST', `/e?id=${container.id}`, {
    body: { event: 'Purchase', value: 49.9, currency: 'EUR', attributes: { transaction_id: 'T-1' } },
    headers: { origin: SITE_ORIGIN }, expect: 200,
  });
  const pixelTokens = event.pixels.filter((p) => p.src).map((p) => p.src.slice('/px/'.length));
  if (pixelTokens.length === 0) throw new Error(`the fixture event fired no sandboxed pixel: ${JSON.stringify(event)}`);
  const log = await pollUntil(async () => {
    const page = await call('GET', `/admin/api/connectors/${connector.id}/deliveries?limit=200`, { expect: 200 });
    const settled = page.data.filter((d) => deliveries.includes(d.id) && ['delivered', 'failed'].includes(d.status));
    return settled.length === deliveries.length ? page.data : null;
  }, { timeoutMs: 30_000, intervalMs: 250, what: 'the fixture deliveries to settle' });
  // The browser event's postback is skipped (browser_event): a delivery to re-evaluate.
  const skipped = log.filter((d) => d.status === 'skipped' && d.kind === 'event').map((d) => d.id);
  if (skipped.length === 0) throw new Error('the fixture event left no skipped delivery to re-evaluate');

  // Conversions whose status the fuzzer may change, read and list: server events of the
  // fixture container, found through the event list.
  for (let i = 0; i < 3; i += 1) {
    await call('GET', `/webhook?${new URLSearchParams({ track: 'Purchase', value: '5', currency: 'EUR', eventId: `contract-order-${i}` })}`,
      { headers: { authorization: `Bearer ${key.key}` }, expect: 200 });
  }
  const events = (await call('GET', `/admin/api/containers/${container.id}/events?name=Purchase`, { expect: 200 }))
    .data.map((e) => e.id);

  // The console's own files, as its page names them.
  const page = await getText(url, '/admin');
  const consoleAssets = [...page.matchAll(/\/admin\/assets\/([\w.-]+)/g)].map((m) => m[1]);
  if (consoleAssets.length === 0) throw new Error('the console page names no asset');

  return {
    consoleAssets: [...new Set(consoleAssets)],
    containers: [container.id],
    patchContainers: [patchContainer.id],
    connectors: [connector.id],
    patchConnectors: patchConnectors.map((c) => c.id),
    deleteConnectors: deleteConnectors.map((c) => c.id),
    apiKey: key.key,
    revokeKeys: revokeKeys.map((k) => k.id),
    deliveries,
    events,
    skippedDeliveries: skipped,
    eventIds: [event.event_id],
    pixelTokens,
    origin: SITE_ORIGIN,
    landings: [`https://www.${COOKIE_DOMAIN}/landing?gclid=contract-click`, `https://${COOKIE_DOMAIN}/`],
  };
}
