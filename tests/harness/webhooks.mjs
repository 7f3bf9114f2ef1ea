// Helpers for the inbound webhook tests: API keys, the two webhook surfaces, what they stored,
// and a visitor to match against. `webhooksAt(worker)` binds them to a worker; the named
// exports are bound to the worker that tests/run.mjs started.
import { createHash } from 'node:crypto';
import { BASE, ADMIN_TOKEN, STATE_DIR, callAt, sqlText, unique } from './app.mjs';
import { queryD1 } from './worker.mjs';
import { tracking, SITE_ORIGIN, visitorIdOf } from './tracking.mjs';

export const sha256 = (text) => createHash('sha256').update(text).digest('hex');


/** @param {{url: string, adminToken: string, stateDir: string}} worker */
export function webhooksAt({ url, adminToken, stateDir }) {
  const call = callAt(url, adminToken);
  /** The signed `pc_vid` cookie value of each visitor id `visitorWithClick` made. */
  const cookieOf = new Map();

  const sql = (query) => queryD1(stateDir, query);

  const apiKeys = {
    create: (containerId, body) => call('POST', `/admin/api/containers/${containerId}/api-keys`, { body }),
    list: (containerId) => call('GET', `/admin/api/containers/${containerId}/api-keys`),
    revoke: (id) => call('DELETE', `/admin/api/api-keys/${id}`),
  };

  async function newContainer() {
    const res = await call('POST', '/admin/api/containers', { body: {
      name: unique('shop-'), cookie_domain: 'shop.localhost.test', allowed_origins: ['https://www.shop.localhost.test'],
    } });
    if (res.status !== 201) throw new Error(`creating a container: ${res.status} ${res.text}`);
    return res.json;
  }

  /** A container's stored events, oldest first, with the payload parsed. */
  const eventsOf = (containerId) =>
    sql(`SELECT * FROM events WHERE container_id = ${sqlText(containerId)} ORDER BY created_at, id`)
      .map((row) => ({ ...row, payload: JSON.parse(row.payload) }));


  return {
    call,
    sql,
    apiKeys,
    newContainer,
    eventsOf,
    eventById: (containerId, eventId) => eventsOf(containerId).find((e) => e.event_id === eventId),
    activity: (containerId) => call('GET', `/admin/api/containers/${containerId}/webhook-activity`),

    /**
     * A fresh container with one API key; `rate` is the key's per-minute limit. `keepRaw` adds a
     * paused connector that sends every raw placeholder, so the container stores raw email,
     * phone, names, IP and user agent (without one, only their hashes are kept).
     */
    async keyedContainer({ rate = 1000, keepRaw = false } = {}) {
      const container = await newContainer();
      const res = await apiKeys.create(container.id, { name: unique('key-'), rate_limit_per_minute: rate });
      if (res.status !== 201) throw new Error(`creating an API key: ${res.status} ${res.text}`);
      if (keepRaw) await keepRawConnector(call, container.id);
      return { container, key: res.json.key, keyId: res.json.id };
    },

    /** `GET /webhook?...`; `params` is an object or a list of pairs, `k` included by the caller. */
    webhookGet: (params, { headers } = {}) =>
      call('GET', `/webhook?${new URLSearchParams(params)}`, { token: null, headers }),

    /** `POST /webhook` with a JSON body (`json`), a form body (`form`) or a raw body. */
    webhookPost({ query, json, form, raw, bearer, headers = {} } = {}) {
      const path = query ? `/webhook?${new URLSearchParams(query)}` : '/webhook';
      if (form !== undefined) {
        return call('POST', path, { token: bearer ?? null, raw: new URLSearchParams(form).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
      }
      if (json !== undefined) return call('POST', path, { token: bearer ?? null, body: json, headers });
      return call('POST', path, { token: bearer ?? null, raw, headers });
    },

    /** `POST /webhooks/custom/{container}/{topic}` with a Bearer key and a JSON (or raw) body. */
    customWebhook(containerId, topic, body, { key, raw, headers = {} } = {}) {
      const path = `/webhooks/custom/${containerId}/${topic}`;
      if (raw !== undefined) return call('POST', path, { token: key ?? null, raw, headers });
      return call('POST', path, { token: key ?? null, body, headers });
    },

    /**
     * A visitor who arrived through a tracking link with `param=value` (a gclid, say), via the
     * real `/c`. Returns the visitor id (what D1 stores and a webhook may name); its signed
     * `pc_vid` cookie is `cookieOf(visitorId)`.
     */
    async visitorWithClick(containerId, param, value) {
      const landing = 'https://www.shop.localhost.test/landing';
      const res = await tracking('GET', `/c?${new URLSearchParams({ id: containerId, to: landing, [param]: value })}`, { base: url });
      const cookie = res.cookies.pc_vid?.value;
      if (res.status !== 302 || !cookie) throw new Error(`/c answered ${res.status} without pc_vid: ${res.text}`);
      cookieOf.set(visitorIdOf(cookie), cookie);
      return visitorIdOf(cookie);
    },

    /** The signed `pc_vid` value the visitor's browser holds. */
    cookieOf: (visitorId) => cookieOf.get(visitorId),

    /** A browser event from the visitor's browser on the site (with its signed `pc_vid`). */
    browserEvent(containerId, visitorId, body) {
      const cookie = `pc_vid=${cookieOf.get(visitorId) ?? visitorId}`;
      return tracking('POST', `/e?id=${containerId}`, { base: url, json: body, cookie, origin: SITE_ORIGIN });
    },
  };
}

/** A paused connector whose webhook sends every raw placeholder: its container keeps them raw. */
export async function keepRawConnector(call, containerId) {
  const params = ['EMAIL', 'PHONE', 'FIRST_NAME', 'LAST_NAME', 'IP', 'USER_AGENT']
    .map((name) => ({ name: name.toLowerCase(), value: `{{${name}}}` }));
  const res = await call('POST', `/admin/api/containers/${containerId}/connectors`, { body: {
    name: 'Raw CRM export', trigger_events: ['NeverFired'], mode: 'disabled',
    webhook: { enabled: true, method: 'GET', url: 'https://crm.example/in', params } } });
  if (res.status !== 201) throw new Error(`creating the raw connector: ${res.status} ${res.text}`);
  return res.json;
}

const shared = webhooksAt({ url: BASE, adminToken: ADMIN_TOKEN, stateDir: STATE_DIR });
export const {
  apiKeys, activity, keyedContainer, webhookGet, webhookPost, customWebhook, eventsOf, eventById,
} = shared;
