// The test app: one helper per endpoint, against the worker the runner started.
// The runner passes POSTCLICK_URL, POSTCLICK_ADMIN_TOKEN and POSTCLICK_STATE_DIR.
import { randomBytes } from 'node:crypto';
import { queryD1 } from './worker.mjs';
import { pollUntil } from './poll.mjs';

export const BASE = process.env.POSTCLICK_URL;
export const ADMIN_TOKEN = process.env.POSTCLICK_ADMIN_TOKEN;
export const STATE_DIR = process.env.POSTCLICK_STATE_DIR;
/** The vars the runner started the worker with (e.g. the short RETRY_SCHEDULE). */
export const WORKER_VARS = JSON.parse(process.env.POSTCLICK_WORKER_VARS ?? '{}');
if (!BASE) throw new Error('run the tests through tests/run.mjs (make test), which starts the worker');

export const unique = (prefix = 'x') => `${prefix}${randomBytes(6).toString('hex')}`;

/** A request helper for the worker at `base`, sending `adminToken` unless told otherwise. */
export function callAt(base, adminToken) {
  return async (method, path, { body, token = adminToken, headers = {}, raw } = {}) => {
    const h = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload = raw;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(base + path, { method, headers: h, body: payload, redirect: 'manual' });
    const text = await res.text();
    let json;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: res.status, headers: res.headers, text, json };
  };
}

export const call = callAt(BASE, ADMIN_TOKEN);

export const admin = {
  createContainer: (body) => call('POST', '/admin/api/containers', { body }),
  getContainer: (id) => call('GET', `/admin/api/containers/${id}`),
  patchContainer: (id, body) => call('PATCH', `/admin/api/containers/${id}`, { body }),
  createConnector: (containerId, body) => call('POST', `/admin/api/containers/${containerId}/connectors`, { body }),
  listConnectors: (containerId, query = '') => call('GET', `/admin/api/containers/${containerId}/connectors${query}`),
  getConnector: (id) => call('GET', `/admin/api/connectors/${id}`),
  patchConnector: (id, body) => call('PATCH', `/admin/api/connectors/${id}`, { body }),
  deleteConnector: (id) => call('DELETE', `/admin/api/connectors/${id}`),
  approvePixel: (id) => call('POST', `/admin/api/connectors/${id}/approve-pixel`),
  parameters: () => call('GET', '/admin/api/parameters'),
  preview: (connectorId, event) => call('POST', `/admin/api/connectors/${connectorId}/preview`, { body: event === undefined ? {} : { event } }),
  testConnector: (connectorId, event) => call('POST', `/admin/api/connectors/${connectorId}/test`, event === undefined ? {} : { body: { event } }),
  deliveries: (connectorId, query = '') => call('GET', `/admin/api/connectors/${connectorId}/deliveries${query}`),
  replay: (deliveryId) => call('POST', `/admin/api/deliveries/${deliveryId}/replay`),
  install: (containerId) => call('GET', `/admin/api/containers/${containerId}/install`),
  erase: (containerId, subject) => call('POST', `/admin/api/containers/${containerId}/erasures`, { body: subject }),
  exportSubject: (containerId, query) => call('GET', `/admin/api/containers/${containerId}/subjects?${new URLSearchParams(query)}`),
};

/** Wait until a delivery of the connector's log satisfies `done` (default: settled), and return it. */
export async function waitForDelivery(connectorId, deliveryId, done = (d) => ['delivered', 'failed'].includes(d.status), timeoutMs = 30_000) {
  return pollUntil(async () => {
    const res = await admin.deliveries(connectorId, '?limit=200');
    if (res.status !== 200) throw new Error(`reading the log: ${res.status} ${res.text}`);
    const found = res.json.data.find((d) => d.id === deliveryId);
    return found && done(found) ? found : null;
  }, { timeoutMs, intervalMs: 200, what: `delivery ${deliveryId}` });
}

/** A fresh container for one test: tests isolate themselves by creating their own. */
export async function newContainer(overrides = {}) {
  const res = await admin.createContainer({
    name: unique('shop-'), cookie_domain: 'shop.localhost.test',
    allowed_origins: ['https://www.shop.localhost.test'], ...overrides,
  });
  if (res.status !== 201) throw new Error(`creating a container: ${res.status} ${res.text}`);
  return res.json;
}

export function sql(query) {
  return queryD1(STATE_DIR, query);
}

export function sqlText(value) {
  return `'${String(value).replaceAll("'", "''")}'`;
}

/**
 * Rows of `query` once there are at least `count` of them. Landings' clicks reach D1 through the
 * clicks queue after the answer, so a test reads them by polling, never right away.
 */
export async function rowsOnce(query, count = 1, timeoutMs = 20_000) {
  return pollUntil(() => {
    const rows = sql(query);
    return rows.length >= count ? rows : null;
  }, { timeoutMs, intervalMs: 100, what: `${count} rows of ${query}` });
}
