// Custom pixels end to end in real headless Chromium: a landing page on
// https://www.shop.localhost.test loads t.js from the tracking host, postclick.track() goes
// through the real worker's /e, and t.js fires the pixels the worker answers with (sandboxed
// ones from the real GET /px/{token}). Nothing is stubbed: what a pixel could reach, and whether
// a hostile value ever runs, is observed in the browser and in the requests the site receives.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, unique } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { openPage, pixelConnector, siteContainer, startPixelBrowsing } from '../harness/pixel_browser.mjs';

let site;
let browser;

before(async () => {
  ({ site, browser } = await startPixelBrowsing());
});

after(async () => {
  await browser?.close();
  await site?.close();
});

const siteRequests = (pathname) => site.requests.filter((r) => r.host === 'www.shop.localhost.test' && new URL(r.url, 'https://x').pathname === pathname);

test('a sandboxed pixel cannot read the site\'s cookies or document, and cannot navigate the top window', async () => {
  const container = await siteContainer(site);
  const beacon = `/beacon-${unique()}`;
  const connector = await pixelConnector(container, {
    sandbox: true,
    html: `<script>
(function () {
  var r = {};
  function attempt(name, fn) {
    try { r[name] = { value: String(fn()) }; } catch (e) { r[name] = { threw: e.name }; }
  }
  attempt('ownCookie', function () { return document.cookie; });
  attempt('parentCookie', function () { return parent.document.cookie; });
  attempt('topCookie', function () { return top.document.cookie; });
  attempt('parentDocument', function () { return parent.document.title; });
  attempt('parentDataLayer', function () { return JSON.stringify(parent.dataLayer); });
  attempt('storage', function () { return localStorage.length; });
  attempt('popup', function () { return window.open('${site.origin}/popup'); });
  attempt('navigateTop', function () {
    if (top === self) return 'not framed';
    top.location.href = '${site.origin}/hijacked';
    return 'no exception';
  });
  r.origin = { value: String(self.origin) };
  parent.postMessage({ order: '{{ORDER_ID}}', results: r }, '*');
  new Image().src = '${site.origin}${beacon}?order={{ORDER_ID}}&r=' + encodeURIComponent(JSON.stringify(r));
})();
</script>`,
  });
  const { context, page, url } = await openPage(browser, site, container.id, `
document.cookie = 'site_secret=s3cr3t-cookie; path=/';
window.dataLayer = [{ secret: 's3cr3t-datalayer' }];
window.__messages = [];
window.__alive = 'same document';
window.addEventListener('message', function (e) { window.__messages.push({ origin: e.origin, data: e.data }); });`);
  try {
    const answer = await page.evaluate(() => window.postclick.track('Purchase', { order_id: 'SBX-1' }));
    assert.equal(answer.pixels.length, 1);
    assert.equal(answer.pixels[0].connector, connector.id);
    assert.equal(answer.pixels[0].sandbox, true);

    const [message] = await pollUntil(() => page.evaluate(() => window.__messages.length && window.__messages),
      { what: 'the sandboxed pixel\'s message' });
    assert.equal(message.origin, 'null', 'the pixel document has an opaque origin');
    assert.equal(message.data.order, 'SBX-1', 'the pixel ran with the event\'s values');
    const r = message.data.results;
    assert.deepEqual(r.ownCookie, { threw: 'SecurityError' }, 'the pixel has no cookie jar of its own to read');
    assert.deepEqual(r.parentCookie, { threw: 'SecurityError' });
    assert.deepEqual(r.topCookie, { threw: 'SecurityError' });
    assert.deepEqual(r.parentDocument, { threw: 'SecurityError' });
    assert.deepEqual(r.parentDataLayer, { threw: 'SecurityError' });
    assert.deepEqual(r.storage, { threw: 'SecurityError' });
    assert.deepEqual(r.popup, { value: 'null' }, 'no popups');
    assert.deepEqual(r.origin, { value: 'null' });
    assert.deepEqual(r.navigateTop, { threw: 'SecurityError' }, 'setting top.location is refused');

    const [sent] = await pollUntil(() => siteRequests(beacon).length && siteRequests(beacon), { what: 'the pixel\'s beacon' });
    const reported = decodeURIComponent(new URL(sent.url, 'https://x').searchParams.get('r'));
    assert.deepEqual(JSON.parse(reported), r);
    for (const secret of ['s3cr3t-cookie', 's3cr3t-datalayer', 'pc_vid', 'v1.']) {
      assert.ok(!reported.includes(secret), `the pixel got nothing of ${secret}`);
    }
    assert.equal(sent.headers.cookie, undefined, 'the beacon from the opaque origin carries no site cookie');

    assert.equal(page.url(), url, 'the top window stayed on the page');
    assert.equal(await page.evaluate(() => window.__alive), 'same document');
    assert.deepEqual(siteRequests('/hijacked'), []);
    assert.deepEqual(siteRequests('/popup'), []);
    assert.equal(context.pages().length, 1);
    const frames = await page.evaluate(() => [...document.querySelectorAll('iframe')].map((f) => ({ sandbox: f.getAttribute('sandbox'), src: f.src })));
    assert.equal(frames.length, 1);
    assert.equal(frames[0].sandbox, 'allow-scripts');
    assert.ok(frames[0].src.startsWith(`${site.trackingOrigin}/px/`));

    // Opened directly as a page, the document is still sandboxed by its CSP header.
    const direct = await context.newPage();
    try {
      const res = await direct.goto(frames[0].src);
      assert.equal(res.headers()['content-security-policy'], 'sandbox allow-scripts');
      assert.equal(await direct.evaluate(() => self.origin), 'null');
      assert.equal(await direct.evaluate(() => { try { return document.cookie; } catch (e) { return e.name; } }), 'SecurityError');
    } finally {
      await direct.close();
    }
    assert.deepEqual(siteRequests('/hijacked'), []);
  } finally {
    await context.close();
  }
});

test('a main-window pixel can read the page\'s dataLayer', async () => {
  const container = await siteContainer(site);
  await pixelConnector(container, {
    sandbox: false,
    html: `<script>
  window.__copied = window.dataLayer[0].x + ':' + '{{ORDER_ID}}';
  document.body.setAttribute('data-copied', window.__copied);
</script>`,
  });
  const { context, page, seen } = await openPage(browser, site, container.id, "window.dataLayer = [{ x: 'from-page-42' }];");
  try {
    await page.evaluate(() => window.postclick.track('Purchase', { order_id: 'MW-1' }));
    const copied = await pollUntil(() => page.evaluate(() => window.__copied), { what: 'the pixel\'s copy' });
    assert.equal(copied, 'from-page-42:MW-1');
    assert.equal(await page.getAttribute('body', 'data-copied'), 'from-page-42:MW-1');
    assert.deepEqual(seen.errors, []);
  } finally {
    await context.close();
  }
});

test('an unapproved pixel never fires on live traffic, and fires once approved', async () => {
  const container = await siteContainer(site);
  const mainBeacon = `/main-${unique()}.gif`;
  const frameBeacon = `/frame-${unique()}.gif`;
  const main = await pixelConnector(container, { sandbox: false,
    html: `<script>window.__fired = (window.__fired || []).concat('{{ORDER_ID}}');</script><img src="${site.origin}${mainBeacon}?order={{ORDER_ID}}" alt="">` },
  { approved: false });
  const sandboxed = await pixelConnector(container, { sandbox: true,
    html: `<img src="${site.origin}${frameBeacon}?order={{ORDER_ID}}" alt="">` }, { approved: false });
  const { context, page } = await openPage(browser, site, container.id);
  try {
    const before = await page.evaluate(() => window.postclick.track('Purchase', { order_id: 'before-approval' }));
    assert.deepEqual(before.pixels, []);

    for (const c of [main, sandboxed]) assert.equal((await admin.approvePixel(c.id)).status, 200);
    const approved = await page.evaluate(() => window.postclick.track('Purchase', { order_id: 'after-approval' }));
    assert.deepEqual(approved.pixels.map((p) => p.connector).sort(), [main.id, sandboxed.id].sort());

    const orders = (path) => siteRequests(path).map((r) => new URL(r.url, 'https://x').searchParams.get('order'));
    await pollUntil(() => orders(mainBeacon).length && orders(frameBeacon).length, { what: 'both approved pixels' });
    // The approved event's pixels have run, so the unapproved event's would have by now.
    assert.deepEqual(orders(mainBeacon), ['after-approval']);
    assert.deepEqual(orders(frameBeacon), ['after-approval']);
    assert.deepEqual(await page.evaluate(() => window.__fired), ['after-approval']);
    assert.equal(await page.evaluate(() => document.querySelectorAll('iframe').length), 1);
  } finally {
    await context.close();
  }
});
