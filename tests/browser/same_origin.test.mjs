// Same-origin mode in real Chromium: the site's own host serves the pages and forwards /_pc/* to
// the worker as the README's reverse-proxy configuration does (tests/harness/site.mjs, with the
// shared secret). The whole browser flow runs on one origin: t.js, the page view, the event
// and its sandboxed pixel, with first-party cookies as on a tracking subdomain.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { admin, BASE, WORKER_VARS, newContainer, rowsOnce, sql, sqlText, unique } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { visitorIdOf } from '../harness/tracking.mjs';
import { CHROMIUM_SITE_ARGS, COOKIE_DOMAIN, TRACKING_HOST, startSite } from '../harness/site.mjs';

const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync'];
const CLIENT_IP = '198.51.100.23';

let site;
let browser;

before(async () => {
  site = await startSite(BASE, { sameOrigin: { path: '/_pc', secret: WORKER_VARS.PROXY_SECRET, clientIp: CLIENT_IP } });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_FLAGS, ...CHROMIUM_SITE_ARGS] });
});

after(async () => {
  await browser?.close();
  await site?.close();
});

test('the whole browser flow runs on the site\'s own origin through its reverse proxy, with first-party cookies', async () => {
  const c = await newContainer({ cookie_domain: COOKIE_DOMAIN, allowed_origins: [site.origin] });
  const connector = await admin.createConnector(c.id, { name: 'Partner pixel', trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: false, method: 'GET', params: [{ name: 'ip', value: '{{IP}}' }] },
    pixel: { enabled: true, sandbox: true, html: '<script>document.title = "fired {{EVENT_ID}}";</script>' } });
  assert.equal(connector.status, 201, connector.text);
  assert.equal((await admin.approvePixel(connector.json.id)).status, 200);
  const install = await admin.install(c.id);
  assert.equal(install.status, 200, install.text);
  const sameOrigin = install.json.modes.find((m) => m.mode === 'same_origin');
  assert.equal(sameOrigin.script_src, `${site.origin}/_pc/t.js?id=${c.id}`);

  const path = `/landing-${unique()}`;
  site.page(path, `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
${sameOrigin.html}
</head><body><h1>Welcome</h1></body></html>`);
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const page = await context.newPage();
    await page.goto(`${site.origin}${path}?gclid=Cj0-SameOrigin_1&fbclid=IwAR-same`);
    const cookies = await pollUntil(async () => {
      const all = await context.cookies();
      return all.some((x) => x.name === 'pc_vid') && all.some((x) => x.name === '_fbc') && all;
    }, { what: 'first-party cookies from the same origin' });
    const vid = cookies.find((x) => x.name === 'pc_vid');
    for (const cookie of cookies.filter((x) => ['pc_vid', 'pc_clk', '_fbc', '_gcl_aw'].includes(x.name))) {
      assert.equal(cookie.domain, `.${COOKIE_DOMAIN}`, `${cookie.name} is set exactly as on the tracking subdomain`);
      assert.equal(cookie.secure, true);
      assert.ok(cookie.expires - Date.now() / 1000 > 80 * 86_400, `${cookie.name} lasts beyond Safari's 7 days`);
    }

    const eventId = unique('order-');
    const answer = await page.evaluate((id) => window.postclick.track('Purchase', { event_id: id, value: 12, currency: 'EUR' }), eventId);
    assert.equal(answer.pixels.length, 1);
    assert.match(answer.pixels[0].src, /^\/px\//);
    const frame = await pollUntil(() => page.frames().find((f) => f.url().startsWith(`${site.origin}/_pc/px/`)), { what: 'the pixel frame' });
    await pollUntil(async () => (await frame.title()) === `fired ${eventId}`, { what: 'the pixel to run' });

    const [event] = await pollUntil(() => {
      const rows = sql(`SELECT visitor_id, payload FROM events WHERE container_id = ${sqlText(c.id)}`);
      return rows.length === 1 && rows;
    }, { what: 'the event' });
    assert.equal(event.visitor_id, visitorIdOf(vid.value), 'the event belongs to the signed pc_vid\'s visitor');
    assert.equal(JSON.parse(event.payload).ip, CLIENT_IP, 'the proxy\'s forwarded client address is trusted with the secret');
    const clicks = await rowsOnce(`SELECT param, visitor_id FROM clicks WHERE container_id = ${sqlText(c.id)} ORDER BY id`, 2);
    assert.deepEqual(clicks.map((r) => r.param), ['gclid', 'fbclid']);

    const toWorker = site.requests.filter((r) => r.url.startsWith('/_pc/'));
    assert.ok(['/_pc/t.js', '/_pc/collect', '/_pc/e', '/_pc/px/'].every((p) => toWorker.some((r) => r.url.startsWith(p))),
      toWorker.map((r) => r.url).join('\n'));
    assert.ok(site.requests.every((r) => r.host !== TRACKING_HOST), 'no request left the site\'s own origin');
  } finally {
    await context.close();
  }
});
