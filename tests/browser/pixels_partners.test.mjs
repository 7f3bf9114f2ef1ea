// No false refusals, in real Chromium: every snippet of the partner corpus is saved through the
// admin API (so the pixel rules accept it), fired by one real event through t.js, and run in the
// main window and in the sandbox. Each runs without error, requests its loader, queues its
// commands with the event's values (fbq.queue, dataLayer, uetq, ...), and its image and iframe
// pixels reach a local stand-in of the partner's host: Chromium resolves every partner host to
// the test's server with --host-resolver-rules, so nothing leaves the machine.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { pollUntil } from '../harness/poll.mjs';
import { openPage, pixelConnector, sentinelSet, siteContainer, startPixelBrowsing } from '../harness/pixel_browser.mjs';
import { partnerHosts, partnerSnippets } from '../harness/partner_snippets.mjs';

let site;
let browser;

before(async () => {
  ({ site, browser } = await startPixelBrowsing(partnerHosts()));
});

after(async () => {
  await browser?.close();
  await site?.close();
});

const EMAIL = 'jane@example.com';
const EMAIL_SHA256 = createHash('sha256').update(EMAIL).digest('hex');
const ORDER = 'ORD-1001';
const VALUE = '49.9';

/** Requests the stand-in received for `target` (host and path prefix) since `since`. */
function requestsTo(target, since) {
  const [host, ...path] = target.split('/');
  const prefix = `/${path.join('/')}`;
  return site.requests.slice(since).filter((r) => r.host === host && r.url.startsWith(prefix));
}

/** The JSON of each snippet's queue, from whichever frame of the page holds it. */
async function queues(page, snippets) {
  const found = {};
  for (const frame of page.frames()) {
    const part = await frame.evaluate((list) => {
      const out = {};
      for (const { file, queue } of list) {
        try {
          const value = Function(`return (${queue})`)();
          if (value !== undefined) out[file] = JSON.stringify(value);
        } catch { /* not in this frame */ }
      }
      return out;
    }, snippets.filter((s) => s.queue).map(({ file, queue }) => ({ file, queue }))).catch(() => ({}));
    Object.assign(found, part);
  }
  return found;
}

for (const sandbox of [false, true]) {
  const where = sandbox ? 'in the sandbox' : 'in the main window';
  test(`every partner snippet of the corpus is accepted, runs ${where} and sends the event's values`, async () => {
    const snippets = partnerSnippets();
    assert.ok(snippets.length >= 25, `${snippets.length} snippets`);
    assert.deepEqual(snippets.filter((s) => s.missing).map((s) => s.file), [], 'every snippet says what it does');
    const container = await siteContainer(site);
    for (const { file, html } of snippets) await pixelConnector(container, { sandbox, html }, { name: file });
    const since = site.requests.length;
    const { context, page, seen } = await openPage(browser, site, container.id);
    try {
      const answer = await page.evaluate(({ email, order }) => window.postclick.track('Purchase', {
        value: 49.9, currency: 'EUR', event_id: `evt-${order}-${Date.now()}`,
        user: { email }, attributes: { order_id: order, voucher: 'SPRING10' },
      }), { email: EMAIL, order: ORDER });
      assert.equal(answer.pixels.length, snippets.length);

      const expected = snippets.flatMap(({ file, loader, noscript, pixel }) => [loader, pixel, sandbox ? null : noscript]
        .filter(Boolean).map((target) => ({ file, target })));
      await pollUntil(async () => expected.every(({ target }) => requestsTo(target, since).length > 0)
        && Object.keys(await queues(page, snippets)).length === snippets.filter((s) => s.queue).length,
      { what: 'every loader, pixel and queue', timeoutMs: 30_000 }).catch(() => {});

      assert.deepEqual(seen.errors, [], 'every snippet ran without error');
      assert.equal(await sentinelSet(page), null);
      for (const { file, target } of expected) {
        const got = requestsTo(target, since);
        assert.ok(got.length > 0, `${file}: ${target} was requested`);
      }
      for (const { file, pixel, noscript } of snippets) {
        for (const target of [pixel, sandbox ? null : noscript].filter(Boolean)) {
          const url = decodeURIComponent(requestsTo(target, since)[0].url);
          assert.ok(url.includes(VALUE), `${file}: the pixel request carries the value: ${url}`);
        }
      }
      const found = await queues(page, snippets);
      for (const { file, queue } of snippets.filter((s) => s.queue)) {
        const json = found[file];
        assert.ok(json, `${file}: ${queue} exists`);
        for (const value of [VALUE, ORDER]) assert.ok(json.includes(value), `${file}: ${queue} carries ${value}: ${json}`);
      }
      for (const { file, queue } of snippets.filter((s) => /EMAIL_SHA256/.test(s.html) && s.queue)) {
        assert.ok(found[file].includes(EMAIL_SHA256), `${file}: ${queue} carries the hashed email`);
      }
    } finally {
      await context.close();
    }
  });
}
