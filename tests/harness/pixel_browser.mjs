// Helpers for the Chromium pixel tests: the site and browser, a container on the test site, a pixel connector, and a
// fresh landing page with t.js whose errors, dialogs and requests are collected.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { admin, BASE, newContainer, unique } from './app.mjs';
import { CHROMIUM_ARGS } from './chromium.mjs';
import { COOKIE_DOMAIN, installSnippet, startSite } from './site.mjs';

/**
 * The test site and a Chromium that resolves only the site's names and `partnerHosts` (served by
 * the site); every other name fails at once, so a value that points a URL elsewhere neither
 * leaves the machine nor waits for DNS.
 */
export async function startPixelBrowsing(partnerHosts = []) {
  const site = await startSite(BASE);
  const rules = [`MAP *.${COOKIE_DOMAIN} 127.0.0.1`, ...partnerHosts.map((h) => `MAP ${h} 127.0.0.1:${site.port}`), 'MAP * ~NOTFOUND'];
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium', headless: true,
    args: [...CHROMIUM_ARGS, `--host-resolver-rules=${rules.join(', ')}`, '--ignore-certificate-errors'] });
  return { site, browser };
}

export async function siteContainer(site) {
  return newContainer({ cookie_domain: COOKIE_DOMAIN, allowed_origins: [site.origin] });
}

export async function pixelConnector(container, pixel, { approved = true, name = unique('Pixel ') } = {}) {
  const res = await admin.createConnector(container.id, {
    name, trigger_events: ['Purchase'], mode: 'enabled', pixel: { enabled: true, ...pixel },
  });
  assert.equal(res.status, 201, res.text);
  if (approved) assert.equal((await admin.approvePixel(res.json.id)).status, 200);
  return res.json;
}

/** A landing page with the install snippet; `head` runs first (the site's own scripts). */
function landingPage(site, containerId, head = '') {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
<script>${head}</script>
${installSnippet(site.trackingOrigin, containerId)}
</head><body><h1>Thanks for your order</h1></body></html>`;
}

/** A fresh browser context on a fresh landing page, with what the page reports collected. */
export async function openPage(browser, site, containerId, head) {
  const path = `/order-${unique()}`;
  site.page(path, landingPage(site, containerId, head));
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

/** Whether any frame of the page has the sentinel a hostile value would set. */
export async function sentinelSet(page) {
  for (const frame of page.frames()) {
    if (await frame.evaluate(() => typeof window.__pwned !== 'undefined').catch(() => false)) return frame.url();
  }
  return null;
}
