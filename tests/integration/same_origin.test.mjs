// Same-origin mode at the HTTP level: the browser routes answer under /_pc on the site's own
// host (a Worker route), a reverse proxy's forwarded host and client address count only with
// the shared secret, and nothing but the browser routes answers under the prefix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WORKER_VARS, newContainer, sql, sqlText } from '../harness/app.mjs';
import { Jar, settledClicks, tracking, SITE_ORIGIN, visitorIdOf } from '../harness/tracking.mjs';
import { pollUntil } from '../harness/poll.mjs';

const SITE_HOST = 'www.shop.localhost.test';
const page = (id, query) => `/_pc/collect?id=${id}&url=${encodeURIComponent(`${SITE_ORIGIN}/${query}`)}&ref=`;

test('behind a Worker route on the site\'s own host, /_pc/collect sets the same first-party cookies', async () => {
  const c = await newContainer();
  // A same-origin GET carries no Origin header, as t.js's page view on the site's host.
  const res = await tracking('GET', page(c.id, '?gclid=SameHost_1'), { host: SITE_HOST });
  assert.equal(res.status, 204, res.text);
  assert.equal(res.cookies.pc_vid.attributes.domain, 'shop.localhost.test');
  assert.equal(res.cookies.pc_vid.attributes.httponly, true);
  assert.ok(res.cookies._gcl_aw);
  const script = await tracking('GET', `/_pc/t.js?id=${c.id}`, { host: SITE_HOST });
  assert.equal(script.status, 200);
  assert.match(script.headers['content-type'], /javascript/);
});

test('a tracking link under /_pc/c redirects with the same cookies, and /_pc/e stores the event for that visitor', async () => {
  const c = await newContainer();
  // Another host of the site: wrangler dev's local proxy rewrites a Location on the request's
  // own host to its plain-http address, which a deployed worker never does.
  const to = 'https://shop.localhost.test/product/7';
  const jar = new Jar();
  const link = await tracking('GET', `/_pc/c?id=${c.id}&to=${encodeURIComponent(to)}&gclid=SameHost_C`, { host: SITE_HOST });
  jar.take(link);
  assert.equal(link.status, 302, link.text);
  assert.equal(link.headers.location, to);
  assert.equal(link.cookies.pc_vid.attributes.domain, 'shop.localhost.test');
  assert.match(link.cookies._gcl_aw.value, /^GCL\.\d+\.SameHost_C$/);
  // /_pc/e as the site's reverse proxy forwards it (wrangler dev's local proxy would rewrite an
  // Origin naming the request's own host, so the Worker-route form is not testable here).
  const proxied = { host: 'postclick.workers.example', origin: SITE_ORIGIN,
    headers: { 'x-forwarded-host': SITE_HOST, 'x-postclick-proxy-secret': WORKER_VARS.PROXY_SECRET } };
  const preflight = await tracking('OPTIONS', `/_pc/e?id=${c.id}`, { ...proxied,
    headers: { ...proxied.headers, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers['access-control-allow-methods'], 'POST, OPTIONS');
  const event = await tracking('POST', `/_pc/e?id=${c.id}`, { ...proxied, cookie: jar.header(),
    json: { event: 'Lead', event_id: 'so-lead-1' } });
  assert.equal(event.status, 200, event.text);
  assert.equal(event.cookies.pc_vid.attributes.domain, 'shop.localhost.test');
  const [row] = sql(`SELECT visitor_id, matched_by FROM events WHERE container_id = ${sqlText(c.id)}`);
  assert.deepEqual(row, { visitor_id: visitorIdOf(jar.get('pc_vid')), matched_by: 'cookie' });
});

test('a reverse proxy\'s X-Forwarded-Host and X-Forwarded-For count only with the shared secret', async () => {
  const c = await newContainer({ retention_days: null });
  const forwarded = { 'x-forwarded-host': SITE_HOST, 'x-forwarded-for': '198.51.100.7' };
  for (const secret of [undefined, 'wrong-secret']) {
    const headers = secret ? { ...forwarded, 'x-postclick-proxy-secret': secret } : forwarded;
    const res = await tracking('GET', page(c.id, '?gclid=Forged_1'), { host: 'postclick.workers.example', headers, origin: SITE_ORIGIN });
    assert.equal(res.status, 204);
    assert.deepEqual(res.setCookies, [], `no cookie for a forwarded host without the secret (${secret})`);
  }
  const trusted = await tracking('GET', page(c.id, '?gclid=Proxied_1'), { host: 'postclick.workers.example',
    headers: { ...forwarded, 'x-postclick-proxy-secret': WORKER_VARS.PROXY_SECRET }, origin: SITE_ORIGIN });
  assert.equal(trusted.status, 204);
  assert.equal(trusted.cookies.pc_vid.attributes.domain, 'shop.localhost.test');
  // Only the trusted landing's click is stored: the forged ones before it sent nothing.
  assert.deepEqual((await settledClicks(c.id, 'value')).map((r) => r.value), ['Proxied_1']);
});

test('behind a trusted reverse proxy, the abuse limit counts each forwarded client, not the proxy', async () => {
  const c = await newContainer();
  const viaProxy = (client) => tracking('POST', `/_pc/e?id=${c.id}`, { host: 'postclick.workers.example', origin: SITE_ORIGIN,
    json: { event: 'Lead' },
    headers: { 'x-forwarded-host': SITE_HOST, 'x-forwarded-for': client, 'x-postclick-proxy-secret': WORKER_VARS.PROXY_SECRET,
      'cf-connecting-ip': '192.0.2.250' } });
  // The Rate Limiting binding counts in windows aligned to the minute: start early in one.
  await pollUntil(() => new Date().getSeconds() < 20, { timeoutMs: 45_000, intervalMs: 250, what: 'the first half of a minute' });
  const burst = await Promise.all(Array.from({ length: 105 }, () => viaProxy('198.51.100.71')));
  assert.equal(burst.filter((a) => a.status === 200).length, 100, 'one visitor behind the proxy is limited to 100 events a minute');
  assert.equal(burst.filter((a) => a.status === 429).length, 5);
  assert.equal((await viaProxy('198.51.100.72')).status, 200, 'another visitor of the same site, through the same proxy, goes on');
});

test('only the browser routes answer under the same-origin prefix', async () => {
  for (const path of ['/_pc/admin/api/containers', '/_pc/healthz', '/_pc/webhook', '/_pc/admin', '/_pc/']) {
    const res = await tracking('GET', path, { host: SITE_HOST });
    assert.equal(res.status, 404, path);
    assert.equal(res.json.error.code, 'not_found');
  }
});
