// Custom pixels end to end in real headless Chromium: a landing page on
// https://www.shop.localhost.test loads t.js from the tracking host, postclick.track() goes
// through the real worker's /e, and t.js fires the pixels the worker answers with (sandboxed
// ones from the real GET /px/{token}). Nothing is stubbed: what a pixel could reach, and whether
// a hostile value ever runs, is observed in the browser and in the requests the site receives.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { admin, BASE, newContainer, unique } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { COOKIE_DOMAIN, installSnippet, startSite } from '../harness/site.mjs';
import { CHROMIUM_ARGS } from '../harness/chromium.mjs';
import { HOSTILE_VALUES } from '../harness/pixel_corpus.mjs';

// The site's two names resolve to the test's TLS server; every other name fails at once, so a
// value that points a URL elsewhere neither leaves the machine nor waits for DNS.
const RESOLVER = `--host-resolver-rules=MAP *.${COOKIE_DOMAIN} 127.0.0.1, MAP * ~NOTFOUND`;

let site;
let browser;

before(async () => {
  site = await startSite(BASE);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium', headless: true,
    args: [...CHROMIUM_ARGS, RESOLVER, '--ignore-certificate-errors'] });
});

after(async () => {
  await browser?.close();
  await site?.close();
});

async function siteContainer() {
  return newContainer({ cookie_domain: COOKIE_DOMAIN, allowed_origins: [site.origin] });
}

async function pixelConnector(container, pixel, { approved = true } = {}) {
  const res = await admin.createConnector(container.id, {
    name: unique('Pixel '), trigger_events: ['Purchase'], mode: 'enabled', pixel: { enabled: true, ...pixel },
  });
  assert.equal(res.status, 201, res.text);
  if (approved) assert.equal((await admin.approvePixel(res.json.id)).status, 200);
  return res.json;
}

/** A landing page with the install snippet; `head` runs first (the site's own scripts). */
function landingPage(containerId, head = '') {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
<script>${head}</script>
${installSnippet(site.trackingOrigin, containerId)}
</head><body><h1>Thanks for your order</h1></body></html>`;
}

/** A fresh browser context on a fresh landing page, with what the page reports collected. */
async function openPage(containerId, head) {
  const path = `/order-${unique()}`;
  site.page(path, landingPage(containerId, head));
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const seen = { errors: [], dialogs: [], inflight: 0 };
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  page.on('dialog', (d) => { seen.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('request', () => { seen.inflight++; });
  page.on('requestfinished', () => { seen.inflight--; });
  page.on('requestfailed', () => { seen.inflight--; });
  const url = `${site.origin}${path}`;
  await page.goto(url);
  await page.waitForFunction(() => window.postclick && window.postclick.loaded);
  return { context, page, url, seen };
}

const siteRequests = (pathname) => site.requests.filter((r) => r.host === 'www.shop.localhost.test' && new URL(r.url, 'https://x').pathname === pathname);

test('a sandboxed pixel cannot read the site\'s cookies or document, and cannot navigate the top window', async () => {
  const container = await siteContainer();
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
  const { context, page, url } = await openPage(container.id, `
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
  const container = await siteContainer();
  await pixelConnector(container, {
    sandbox: false,
    html: `<script>
  window.__copied = window.dataLayer[0].x + ':' + '{{ORDER_ID}}';
  document.body.setAttribute('data-copied', window.__copied);
</script>`,
  });
  const { context, page, seen } = await openPage(container.id, "window.dataLayer = [{ x: 'from-page-42' }];");
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

/** Slots per event: one hostile value per slot, each slot holding a placeholder in every context. */
const SLOTS = 16;

/** A main-window pixel where {{S0}}..{{S15}} each stand in every context the engine knows. */
function everyContextPixel(beacon) {
  const slot = (k) => `<div class="slot" data-b="{{BATCH}}" data-k="${k}">
<p class="text">{{S${k}}}</p>
<textarea class="rcdata">{{S${k}}}</textarea>
<span class="dq" title="{{S${k}}}"></span><span class="sq" title='{{S${k}}}'></span><span class="uq" title={{S${k}}}></span>
<span class="css" style="color: {{S${k}}}; font-family: '{{S${k}}}'"></span>
<img class="query" src="${site.origin}${beacon}?b={{BATCH}}&k=${k}&v={{S${k}}}#{{S${k}}}" alt="">
<a class="start" href="{{S${k}}}">link</a><img class="start" src="{{S${k}}}" alt="">
<!-- slot ${k}: {{S${k}}} -->
<style>.c${k} { content: "{{S${k}}}"; font-family: '{{S${k}}}'; background: url({{S${k}}}) } /* {{S${k}}} */</style>
<script>
  window.__got.push({ b: {{BATCH}}, k: ${k}, sq: '{{S${k}}}', dq: "{{S${k}}}", bt: \`{{S${k}}}\`, sub: \`\${ {{S${k}}} }\`, code: {{S${k}}} });
</script>
<script><!--
  window.__legacy.push([{{BATCH}}, ${k}, '{{S${k}}}']);
//--></script>
</div>`;
  return Array.from({ length: SLOTS }, (_, k) => slot(k)).join('\n');
}

/** What the HTML parser makes of text: CR and CRLF become LF, NUL becomes U+FFFD. */
const parsed = (s) => s.replace(/\r\n?/g, '\n').replaceAll('\0', '\ufffd');

test('hostile values in every placeholder of a main-window pixel execute nothing and arrive intact', async () => {
  assert.ok(HOSTILE_VALUES.length >= 60, `the corpus has ${HOSTILE_VALUES.length} values`);
  const container = await siteContainer();
  const beacon = `/q-${unique()}.gif`;
  await pixelConnector(container, { sandbox: false, html: everyContextPixel(beacon) });
  const { context, page, seen } = await openPage(container.id, 'window.__got = []; window.__legacy = [];');
  try {
    const batches = [];
    for (let i = 0; i < HOSTILE_VALUES.length; i += SLOTS) batches.push(HOSTILE_VALUES.slice(i, i + SLOTS));
    // The last event fills its spare slots from the start of the corpus: every slot holds a value.
    const last = batches.at(-1);
    while (last.length < SLOTS) last.push(HOSTILE_VALUES[last.length]);
    const answers = await page.evaluate(async (list) => {
      const out = [];
      for (const [b, values] of list.entries()) {
        const attributes = { batch: b };
        values.forEach((v, k) => { attributes[`s${k}`] = v; });
        out.push(await window.postclick.track('Purchase', { attributes }));
      }
      return out;
    }, batches);
    assert.ok(answers.every((a) => a.pixels.length === 1 && a.pixels[0].sandbox === false));

    const total = batches.length * SLOTS;
    const scriptsRan = () => page.evaluate(() => [window.__got.length, window.__legacy.length]);
    // Every slot's scripts ran (each value kept its script valid), then every request the pixels
    // made (images, whose onerror an injection would use) settled. A broken run stops waiting
    // early, so the sentinel is checked first and the counts after it.
    await pollUntil(async () => seen.errors.length > 0 || (await scriptsRan()).every((n) => n === total),
      { what: `${total} slots' scripts`, timeoutMs: 30_000 }).catch(() => {});
    await pollUntil(async () => seen.inflight === 0
      && page.evaluate(() => [...document.images].every((img) => img.complete)), { what: 'the pixels\' images', timeoutMs: 30_000 });

    for (const frame of page.frames()) {
      assert.equal(await frame.evaluate(() => typeof window.__pwned), 'undefined', `no value ran code in ${frame.url()}`);
    }
    assert.deepEqual(seen.dialogs, []);
    assert.deepEqual(seen.errors, [], 'every script stayed valid JavaScript');
    assert.deepEqual(await scriptsRan(), [total, total], 'every slot\'s scripts ran');

    const report = await page.evaluate(() => ({
      got: window.__got,
      legacy: window.__legacy,
      slots: [...document.querySelectorAll('div.slot')].map((d) => ({
        b: Number(d.dataset.b), k: Number(d.dataset.k),
        text: d.querySelector('p.text').textContent,
        rcdata: d.querySelector('textarea.rcdata').value,
        dq: d.querySelector('span.dq').getAttribute('title'),
        sq: d.querySelector('span.sq').getAttribute('title'),
        uq: d.querySelector('span.uq').getAttribute('title'),
        query: d.querySelector('img.query').getAttribute('src'),
        protocols: [...d.querySelectorAll('.start')].map((e) => {
          const href = e.getAttribute('href') ?? e.getAttribute('src');
          // A URL that does not parse (e.g. "//") goes nowhere, which is as safe as it gets.
          try { return new URL(href, document.baseURI).protocol; } catch { return 'unparseable'; }
        }),
        elements: [...d.querySelectorAll('*')].map((e) => e.tagName).join(','),
        handlers: [...d.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name)).filter((n) => n.startsWith('on')),
      })),
    }));
    assert.equal(report.slots.length, total);
    const shape = report.slots[0].elements;
    for (const slot of report.slots) {
      const value = batches[slot.b][slot.k];
      const what = `value ${JSON.stringify(value).slice(0, 60)}`;
      assert.equal(slot.elements, shape, `${what} adds or removes no element`);
      assert.deepEqual(slot.handlers, [], `${what} adds no event handler`);
      assert.equal(slot.text, parsed(value), `${what} in HTML text`);
      assert.equal(slot.rcdata, parsed(value).replace(/^\n/, ''), `${what} in a textarea`);
      for (const attr of ['dq', 'sq', 'uq']) assert.equal(parsed(slot[attr]), parsed(value), `${what} in a ${attr} attribute`);
      const query = new URL(slot.query);
      assert.equal(query.origin, site.origin, `${what} keeps the URL's host`);
      assert.equal(query.searchParams.get('v'), value, `${what} in a URL query`);
      assert.deepEqual([query.searchParams.get('b'), query.searchParams.get('k')], [String(slot.b), String(slot.k)], `${what} adds no query parameter`);
      for (const protocol of slot.protocols) {
        assert.ok(['https:', 'about:', 'unparseable'].includes(protocol), `${what} at the start of a URL: ${protocol}`);
      }
    }
    for (const got of report.got) {
      const value = batches[got.b][got.k];
      const what = `value ${JSON.stringify(value).slice(0, 60)}`;
      assert.deepEqual([got.sq, got.dq, got.bt], [value, value, value], `${what} in script strings`);
      const asCode = typeof got.code === 'number' ? got.code === Number(value) : got.code === value;
      assert.ok(asCode, `${what} in script code is data: ${JSON.stringify(got.code)}`);
      assert.equal(got.sub, String(got.code), `${what} in a template substitution`);
    }
    for (const [b, k, v] of report.legacy) assert.equal(v, batches[b][k]);

    const queries = siteRequests(beacon).map((r) => new URL(r.url, 'https://x').searchParams);
    const arrived = new Set(queries.map((q) => `${q.get('b')}/${q.get('k')}`));
    assert.equal(arrived.size, total, 'every pixel image request reached the site');
  } finally {
    await context.close();
  }
});

test('an unapproved pixel never fires on live traffic, and fires once approved', async () => {
  const container = await siteContainer();
  const mainBeacon = `/main-${unique()}.gif`;
  const frameBeacon = `/frame-${unique()}.gif`;
  const main = await pixelConnector(container, { sandbox: false,
    html: `<script>window.__fired = (window.__fired || []).concat('{{ORDER_ID}}');</script><img src="${site.origin}${mainBeacon}?order={{ORDER_ID}}" alt="">` },
  { approved: false });
  const sandboxed = await pixelConnector(container, { sandbox: true,
    html: `<img src="${site.origin}${frameBeacon}?order={{ORDER_ID}}" alt="">` }, { approved: false });
  const { context, page } = await openPage(container.id);
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
