// Calls to the browser surface as a browser on the tracking subdomain makes them. Node's fetch
// will not send a chosen Host header, and the worker sets cookies only for a Host under the
// container's cookie domain, so these go through node:http with `Host: t.shop.localhost.test`.
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { BASE, rowsOnce, sql, sqlText } from './app.mjs';
import { pollUntil } from './poll.mjs';

export const TRACKING_HOST = 't.shop.localhost.test';
export const SITE_ORIGIN = 'https://www.shop.localhost.test';

/** What signing appends to `pc_vid` and `pc_clk` values: `.{key id}.{tag}` (base64url). */
export const SIGNATURE = /\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{22}$/;
/** A whole `pc_vid` value: the visitor id, signed. */
export const PC_VID = /^v1\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{22}$/;
/** The visitor id inside a signed `pc_vid` value: what D1 stores and `{{VISITOR_ID}}` gives. */
export const visitorIdOf = (cookieValue) => cookieValue?.replace(SIGNATURE, '');

/**
 * @param {string} method
 * @param {string} path e.g. `/collect?id=...`
 * @param {{base?: string, host?: string, origin?: string, cookie?: string, headers?: Record<string,string>, body?: string|Buffer, json?: unknown}} options
 *   `base` is the worker's URL (the shared test worker unless a test started its own).
 */
export function tracking(method, path, options = {}) {
  const started = Date.now();
  return send(method, path, options).then(async (res) => {
    await landingStored(path, res, options.base ?? BASE, started);
    return res;
  });
}

/**
 * A landing's clicks reach D1 through the clicks queue a moment after the answer (about a second
 * here). A test models a visitor who lands and a shop's server that reports later, so a landing
 * that sent its clicks (`queue;desc="1"` in Server-Timing) is complete once its rows are in D1:
 * this waits for them. Tests that check the answer itself read its Server-Timing instead.
 */
async function landingStored(path, res, base, started) {
  const sent = /(^|,\s*)queue;desc="[1-9]/.test(res.headers['server-timing'] ?? '');
  const vid = res.cookies.pc_vid?.value;
  if (!sent || !vid || base !== BASE || !/\/(collect|c)\?/.test(path)) return;
  const visitor = sqlText(visitorIdOf(vid));
  await pollUntil(() => sql(`SELECT id FROM clicks WHERE visitor_id = ${visitor} AND created_at >= ${started - 2} LIMIT 1`).length > 0,
    { intervalMs: 50, what: `the clicks of the landing ${path}` });
}

function send(method, path, { base = BASE, host = TRACKING_HOST, origin, cookie, headers = {}, body, json } = {}) {
  const target = new URL(base);
  const h = { host, ...headers };
  if (origin) h.origin = origin;
  if (cookie) h.cookie = cookie;
  let payload = body;
  if (json !== undefined) {
    payload = JSON.stringify(json);
    h['content-type'] ??= 'application/json';
  }
  if (payload !== undefined) h['content-length'] = Buffer.byteLength(payload);
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, method, path, headers: h }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed;
        try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
        const setCookies = res.headers['set-cookie'] ?? [];
        resolve({ status: res.statusCode, headers: res.headers, text, json: parsed, setCookies, cookies: parseSetCookies(setCookies) });
      });
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** `Set-Cookie` values as `{name: {value, raw, attributes: {domain, path, 'max-age', secure, httponly, samesite}}}`. */
export function parseSetCookies(values) {
  const out = {};
  for (const raw of values) {
    const [pair, ...attrs] = raw.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    const attributes = {};
    for (const a of attrs) {
      const i = a.indexOf('=');
      if (i < 0) attributes[a.toLowerCase()] = true;
      else attributes[a.slice(0, i).toLowerCase()] = a.slice(i + 1);
    }
    out[pair.slice(0, eq)] = { value: pair.slice(eq + 1), raw, attributes };
  }
  return out;
}

/** A tiny cookie jar: keeps what the worker set and sends it back, as a browser would. */
export class Jar {
  constructor() { this.values = new Map(); }
  take(response) {
    for (const [name, c] of Object.entries(response.cookies)) {
      if (c.attributes['max-age'] === '0') this.values.delete(name);
      else this.values.set(name, c.value);
    }
    return response;
  }
  get(name) { return this.values.get(name); }
  /** The visitor id of the jar's `pc_vid`, without its signature. */
  visitorId() { return visitorIdOf(this.values.get('pc_vid')); }
  header() { return [...this.values].map(([k, v]) => `${k}=${v}`).join('; ') || undefined; }
}

/** `/collect` for a landing URL, as t.js calls it from the site. */
export function collect(containerId, pageUrl, { consent, jar, origin = SITE_ORIGIN, ...options } = {}) {
  let path = `/collect?id=${encodeURIComponent(containerId)}&url=${encodeURIComponent(pageUrl)}&ref=`;
  if (consent !== undefined) path += `&consent=${encodeURIComponent(consent)}`;
  return tracking('GET', path, { origin, cookie: jar?.header(), ...options }).then((res) => (jar ? jar.take(res) : res));
}

/** `/e` with a JSON body, as postclick.track() sends it. */
export function sendEvent(containerId, body, { jar, origin = SITE_ORIGIN, ...options } = {}) {
  return tracking('POST', `/e?id=${encodeURIComponent(containerId)}`, { origin, json: body, cookie: jar?.header(), ...options })
    .then((res) => (jar ? jar.take(res) : res));
}

/**
 * The container's click rows (`columns`, oldest first) once every landing sent before this call
 * is stored. Clicks reach D1 through the clicks queue after the answer, so a test that asserts
 * what was (or was not) stored first sends one more landing, a marker, waits for its row, and
 * reads the rest; the marker is left out.
 */
export async function settledClicks(containerId, columns = 'visitor_id, param, value, source, landing_url') {
  const marker = `Settle-${randomBytes(6).toString('hex')}`;
  const res = await collect(containerId, `${SITE_ORIGIN}/?gclid=${marker}`, { consent: 'granted' });
  if (res.status !== 204) throw new Error(`the marker landing: ${res.status} ${res.text}`);
  const where = `container_id = ${sqlText(containerId)}`;
  await rowsOnce(`SELECT id FROM clicks WHERE ${where} AND value = ${sqlText(marker)}`);
  return sql(`SELECT ${columns} FROM clicks WHERE ${where} AND value NOT LIKE 'Settle-%' ORDER BY id`);
}

/**
 * A browser with its own cookie jar and address (`cf-connecting-ip`, so each counts as its own
 * client): `landOn(container, query)` is a page view of the site with `query`, `track(container,
 * body)` a browser event that must be accepted.
 */
export function browserAt(ip) {
  const jar = new Jar();
  const headers = { 'cf-connecting-ip': ip };
  return {
    jar,
    async landOn(container, query) {
      const url = `${SITE_ORIGIN}/?${query}`;
      return jar.take(await tracking('GET', `/collect?id=${container.id}&url=${encodeURIComponent(url)}&ref=`,
        { cookie: jar.header(), origin: SITE_ORIGIN, headers }));
    },
    async track(container, body) {
      const res = jar.take(await tracking('POST', `/e?id=${container.id}`, { json: body, cookie: jar.header(), origin: SITE_ORIGIN, headers }));
      if (res.status !== 200) throw new Error(`a browser event: ${res.status} ${res.text}`);
      return res.json;
    },
  };
}
