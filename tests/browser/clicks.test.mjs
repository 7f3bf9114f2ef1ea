// Real headless Chromium against the real worker: a landing page on https://www.shop.localhost.test
// loads t.js from https://t.shop.localhost.test (both served through the test's TLS site, see
// tests/harness/site.mjs), and the browser's own cookie jar and D1 show what happened.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { admin, BASE, newContainer, rowsOnce, sql, sqlText, unique } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { PC_VID, visitorIdOf } from '../harness/tracking.mjs';
import { CHROMIUM_SITE_ARGS, COOKIE_DOMAIN, installSnippet, startSite } from '../harness/site.mjs';

const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync'];
const DAY_S = 86_400;

let site;
let browser;

before(async () => {
  site = await startSite(BASE);
  // Playwright gives each launch a fresh temporary --user-data-dir.
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_FLAGS, ...CHROMIUM_SITE_ARGS] });
});

after(async () => {
  await browser?.close();
  await site?.close();
});

async function siteContainer(overrides = {}) {
  return newContainer({ cookie_domain: COOKIE_DOMAIN, allowed_origins: [site.origin], ...overrides });
}

function landingPage(containerId, { before: queued = '' } = {}) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
${installSnippet(site.trackingOrigin, containerId, { before: queued })}
</head><body><h1>Welcome to the shop</h1></body></html>`;
}

const cookieNamed = (cookies, name) => cookies.find((c) => c.name === name);

test('a landing page with click ids gets first-party cookies on the site\'s domain, and track() stores the event for that visitor', async () => {
  const c = await siteContainer();
  const connector = await admin.createConnector(c.id, { name: 'Affiliate', trigger_events: ['Purchase'], mode: 'enabled',
    click_id: { enabled: true, param: 'click_id', source_param: 'utm_source' } });
  assert.equal(connector.status, 201, connector.text);
  const path = `/landing-${unique()}`;
  site.page(path, landingPage(c.id, { before: "postclick.track('ViewContent', { content_id: 'sku-1' });" }));

  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const page = await context.newPage();
    const landing = `${site.origin}${path}?gclid=Cj0KEQ-Browser_1&click_id=Aff-777xZ&utm_source=affnet`;
    await page.goto(landing);
    const cookies = await pollUntil(async () => {
      const all = await context.cookies();
      return cookieNamed(all, 'pc_vid') && cookieNamed(all, 'pc_clk') && all;
    }, { what: 'the first-party cookies in the browser' });

    const now = Date.now() / 1000;
    const vid = cookieNamed(cookies, 'pc_vid');
    assert.match(vid.value, PC_VID, 'the visitor id, signed');
    for (const [name, httpOnly, days] of [['pc_vid', true, 400], ['pc_clk', true, 400], ['_gcl_aw', false, 90]]) {
      const cookie = cookieNamed(cookies, name);
      assert.ok(cookie, name);
      assert.equal(cookie.domain, `.${COOKIE_DOMAIN}`, `${name} lives on the site's registrable domain`);
      assert.equal(cookie.path, '/');
      assert.equal(cookie.secure, true, name);
      assert.equal(cookie.httpOnly, httpOnly, name);
      assert.equal(cookie.sameSite, 'Lax', name);
      assert.ok(Math.abs(cookie.expires - (now + days * DAY_S)) < 120, `${name} lasts ${days} days`);
    }
    assert.match(cookieNamed(cookies, '_gcl_aw').value, /^GCL\.\d+\.Cj0KEQ-Browser_1$/);
    const history = cookieNamed(cookies, 'pc_clk').value;
    assert.match(history, /gclid\*Cj0KEQ-Browser_1\*affnet\*/);
    assert.match(history, /click_id\*Aff-777xZ\*affnet\*/);

    const visible = await page.evaluate(() => document.cookie);
    assert.match(visible, /_gcl_aw=GCL\./, 'Google\'s tag can read _gcl_aw');
    assert.doesNotMatch(visible, /pc_vid|pc_clk/, 'HttpOnly cookies stay out of page scripts');

    const eventId = unique('order-');
    const answer = await page.evaluate((id) => window.postclick.track('Purchase',
      { event_id: id, value: 25.5, currency: 'EUR', order_id: 'A-1', user: { email: 'buyer@example.com' } }), eventId);
    assert.deepEqual(answer, { event_id: eventId, duplicate: false, pixels: [] });

    const events = await pollUntil(() => {
      const rows = sql(`SELECT name, event_id, value, currency, visitor_id, payload FROM events WHERE container_id = ${sqlText(c.id)} ORDER BY name`);
      return rows.length === 2 && rows;
    }, { what: 'the queued ViewContent and the Purchase' });
    const [purchase, view] = events;
    assert.equal(purchase.event_id, eventId);
    assert.equal(purchase.value, 25.5);
    assert.equal(purchase.currency, 'EUR');
    assert.equal(purchase.visitor_id, visitorIdOf(vid.value), 'the event belongs to the visitor in the cookie');
    const payload = JSON.parse(purchase.payload);
    assert.deepEqual(payload.attributes, { order_id: 'A-1' }, 'track() moves custom keys into attributes');
    assert.equal(payload.url, landing);
    assert.equal(view.name, 'ViewContent');
    assert.equal(view.visitor_id, visitorIdOf(vid.value), 'a call queued before t.js loaded waits for the page view: one pc_vid');

    const clicks = await rowsOnce(`SELECT param, value, source, visitor_id, landing_url FROM clicks WHERE container_id = ${sqlText(c.id)} ORDER BY id`, 3);
    assert.deepEqual(clicks.map((r) => [r.param, r.value, r.source]), [
      ['gclid', 'Cj0KEQ-Browser_1', 'affnet'], ['click_id', 'Aff-777xZ', 'affnet'], ['utm_source', 'affnet', 'affnet'],
    ]);
    assert.ok(clicks.every((r) => r.visitor_id === visitorIdOf(vid.value) && r.landing_url === landing));
  } finally {
    await context.close();
  }
});

test('a container that requires consent sets cookies only after the page grants consent', async () => {
  const c = await siteContainer({ require_consent: true });
  const path = `/consent-${unique()}`;
  site.page(path, landingPage(c.id));
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const page = await context.newPage();
    const collects = () => site.requests.filter((r) => r.url.startsWith(`/collect?id=${c.id}`));
    await page.goto(`${site.origin}${path}?gclid=WaitForConsent`);
    // track() waits for the first page view's answer, so once it resolves that answer is in.
    const probe = await page.evaluate(() => window.postclick.track('Probe'));
    assert.equal(probe.duplicate, false);
    assert.equal(collects().length, 1);
    assert.deepEqual((await context.cookies()).filter((k) => k.name.startsWith('pc_')), [], 'no consent, no cookie');
    assert.deepEqual(sql(`SELECT id FROM clicks WHERE container_id = ${sqlText(c.id)}`), []);

    await page.evaluate(() => window.postclick.consent('granted'));
    const cookies = await pollUntil(async () => {
      const all = await context.cookies();
      return cookieNamed(all, 'pc_vid') && all;
    }, { what: 'cookies after consent' });
    assert.match(cookieNamed(cookies, '_gcl_aw').value, /\.WaitForConsent$/);
    assert.match(collects()[1].url, /&consent=granted$/);
    assert.deepEqual(await rowsOnce(`SELECT value FROM clicks WHERE container_id = ${sqlText(c.id)}`), [{ value: 'WaitForConsent' }]);
  } finally {
    await context.close();
  }
});

test('t.js runs main-window pixels in document order and puts sandboxed pixels in a sandboxed iframe', async () => {
  // This test scripts the /e answer in the browser to check t.js's half of the pixel contract on
  // its own: document order across inline and slow external scripts, and refusing a sandboxed
  // `src` that is not on the tracking host (which the real worker never sends). The end-to-end
  // pixel tests through the real worker are in pixels.test.mjs.
  const c = await siteContainer();
  const path = `/pixels-${unique()}`;
  site.page(path, landingPage(c.id));
  site.page('/slow-partner.js', "window.__order.push('external');", { type: 'text/javascript', delayMs: 300 });
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const page = await context.newPage();
    await page.route(`${site.trackingOrigin}/e?*`, (route) => route.fulfill({
      status: 200,
      headers: { 'content-type': 'application/json', 'access-control-allow-origin': site.origin, 'access-control-allow-credentials': 'true' },
      body: JSON.stringify({ event_id: 'evt_scripted', duplicate: false, pixels: [
        { connector: 'con_main', sandbox: false, html: `<script>window.__order = ['inline-1'];</script>
<script src="${site.origin}/slow-partner.js"></script><div id="partner-mark">ok</div>
<script>window.__order.push('inline-2');</script>` },
        { connector: 'con_sandboxed', sandbox: true, src: '/px/scripted-token' },
        { connector: 'con_elsewhere', sandbox: true, src: 'https://evil.example/px' },
      ] }),
    }));
    await page.goto(`${site.origin}${path}`);
    const answer = await page.evaluate(() => window.postclick.track('Purchase'));
    assert.equal(answer.event_id, 'evt_scripted');

    const order = await pollUntil(() => page.evaluate(() => window.__order && window.__order.length === 3 && window.__order),
      { what: 'the pixel scripts' });
    assert.deepEqual(order, ['inline-1', 'external', 'inline-2']);
    assert.equal(await page.locator('#partner-mark').count(), 1);

    const frames = await page.evaluate(() => [...document.querySelectorAll('iframe')].map((f) => ({ src: f.src, sandbox: f.getAttribute('sandbox') })));
    assert.deepEqual(frames, [{ src: `${site.trackingOrigin}/px/scripted-token`, sandbox: 'allow-scripts' }],
      'only the tracking host\'s own pixel documents are framed');
  } finally {
    await context.close();
  }
});
