// Custom pixels through the real /e on the tracking host and GET /px/{token}: which pixels an
// event fires (approval, mode, consent, triggers, duplicates), how values are escaped for where
// they stand, and the signed, short-lived sandboxed pixel document.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { admin, newContainer, unique } from '../harness/app.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { tracking, Jar, SITE_ORIGIN } from '../harness/tracking.mjs';

const SIGNING_KEY = process.env.POSTCLICK_SIGNING_KEY;
const UA = 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130';
/** A value that tries to break out of every context it could land in. */
const HOSTILE = `"'><img src=x onerror=alert(1)>`;

async function pixelConnector(container, pixel, overrides = {}) {
  const res = await admin.createConnector(container.id, {
    name: unique('Pixel '), trigger_events: ['Purchase'], mode: 'enabled',
    pixel: { enabled: true, sandbox: true, ...pixel }, ...overrides,
  });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

async function approve(connector) {
  const res = await admin.approvePixel(connector.id);
  assert.equal(res.status, 200, res.text);
  assert.ok(res.json.pixel.approved_at, 'the approval is recorded');
  return res.json;
}

/** The browser of these tests: its signed pc_vid is the visitor pixel tokens are bound to. */
const browser = new Jar();

async function track(container, body, who = browser) {
  const res = who.take(await tracking('POST', `/e?id=${container.id}`, {
    json: body, cookie: who.header(), origin: SITE_ORIGIN, headers: { 'user-agent': UA },
  }));
  assert.equal(res.status, 200, res.text);
  return res.json;
}

let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

/** The sandboxed iframe's request: it carries the browser's cookies, as a same-site iframe does. */
const frame = (src, who = browser) => tracking('GET', src, { cookie: who.header() });

/** The payload of a pixel token: `[event row id, connector id, expires_at, bound]`. */
function tokenPayload(src) {
  const token = src.replace(/^\/px\//, '');
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}

/**
 * A token signed the way the worker signs one, with the worker's key (or another): the MAC
 * covers the visitor it is bound to (the browser's, unless told otherwise) and the payload.
 */
function forgeToken(payload, key = SIGNING_KEY, visitor = payload[3] ? browser.visitorId() : '') {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const tag = createHmac('sha256', key).update('postclick pixel token v2\0').update(visitor).update('\0')
    .update(body).digest('base64url');
  return `${body}.${tag}`;
}

function flip(text, index) {
  const c = text[index] === 'A' ? 'B' : 'A';
  return text.slice(0, index) + c + text.slice(index + 1);
}

function assertBare404(res, what) {
  assert.equal(res.status, 404, what);
  assert.equal(res.text, '', `${what}: a 404 without content`);
}

test('an approved sandboxed pixel comes back as a /px URL whose document holds the substituted values, served sandboxed and uncached', async () => {
  const container = await newContainer();
  const connector = await pixelConnector(container, {
    html: '<p id="order">Order {{ORDER_ID}} for {{VALUE}} {{CURRENCY}}</p><script>var note = "{{NOTE}}";</script>',
  });
  await approve(connector);
  const answer = await track(container, { event: 'Purchase', value: 49.9, currency: 'EUR', attributes: { order_id: 'A-17', note: HOSTILE } });
  assert.equal(answer.duplicate, false);
  assert.equal(answer.pixels.length, 1);
  const [pixel] = answer.pixels;
  assert.deepEqual(Object.keys(pixel).sort(), ['connector', 'sandbox', 'src']);
  assert.equal(pixel.connector, connector.id);
  assert.equal(pixel.sandbox, true);
  assert.match(pixel.src, /^\/px\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);

  const doc = await frame(pixel.src);
  assert.equal(doc.status, 200, doc.text);
  assert.equal(doc.headers['content-security-policy'], 'sandbox allow-scripts');
  assert.equal(doc.headers['cache-control'], 'no-store');
  assert.equal(doc.headers['x-content-type-options'], 'nosniff');
  assert.match(doc.headers['content-type'], /^text\/html/);
  assert.match(doc.text, /^<!doctype html>/i);
  assert.ok(doc.text.includes('<p id="order">Order A-17 for 49.9 EUR</p>'), doc.text);
  assert.ok(doc.text.includes('var note = "\\u0022\\u0027\\u003e\\u003cimg src=x onerror=alert(1)\\u003e";'), doc.text);
  assert.ok(!doc.text.includes('<img'), 'the hostile value adds no element');

  const again = await frame(pixel.src);
  assert.equal(again.status, 200, 'the token stays valid for the page that loads it late');
  assert.equal(again.text, doc.text);
});

test('a tampered, truncated, forged, expired or garbage pixel token is a bare 404', async () => {
  const container = await newContainer();
  const connector = await pixelConnector(container, { html: '<p>{{ORDER_ID}}</p>' });
  await approve(connector);
  const [pixel] = (await track(container, { event: 'Purchase', attributes: { order_id: 'T-1' } })).pixels;
  const token = pixel.src.slice('/px/'.length);
  const [body, tag] = token.split('.');
  assert.equal((await frame(pixel.src)).status, 200, 'the genuine token works');

  const [eventRowId, connectorId, expiresAt, bound] = tokenPayload(pixel.src);
  assert.equal(connectorId, connector.id);
  assert.equal(bound, 1, 'the token is bound to the visitor it was issued for');
  const nowS = Math.floor(Date.now() / 1000);
  assert.ok(expiresAt > nowS && expiresAt <= nowS + 2 * 60 + 5, 'the token expires within two minutes');
  // A token made with the worker's own key and a future expiry is served, so the refusals below
  // are about what each one changes, not about how they were made.
  assert.equal((await frame(`/px/${forgeToken([eventRowId, connectorId, nowS + 60, 1])}`)).status, 200);

  const refused = {
    'a character of the payload flipped': `${flip(body, 5)}.${tag}`,
    'a character of the MAC flipped': `${body}.${flip(tag, 10)}`,
    'the MAC truncated': `${body}.${tag.slice(0, -4)}`,
    'the token truncated to its payload': body,
    'the token cut in the payload': token.slice(0, 20),
    'garbage': 'not-a-token',
    'garbage with a dot': 'AAAA.BBBB',
    'an empty MAC': `${body}.`,
    'an expired token': forgeToken([eventRowId, connectorId, nowS - 1, 1]),
    'a token signed with another key': forgeToken([eventRowId, connectorId, nowS + 60, 1], 'another key'),
    'a token for an unknown event': forgeToken(['evt_unknown', connectorId, nowS + 60, 1]),
    'a token for another connector': forgeToken([eventRowId, 'con_unknown', nowS + 60, 1]),
    'a token bound to another visitor': forgeToken([eventRowId, connectorId, nowS + 60, 1], SIGNING_KEY, 'v1.AAAAAAAAAAAAAAAAAAAAAA'),
    'a bound token that claims to be unbound': forgeToken([eventRowId, connectorId, nowS + 60, 0], SIGNING_KEY, browser.visitorId()),
    'a token of the old format': forgeToken([eventRowId, connectorId, nowS + 60]),
    'an oversized token': `${'A'.repeat(2000)}.${tag}`,
  };
  for (const [what, bad] of Object.entries(refused)) {
    assertBare404(await frame(`/px/${bad}`), what);
  }
  assertBare404(await frame(pixel.src, new Jar()), 'the genuine URL replayed by another client without pc_vid');
  const other = new Jar();
  await track(container, { event: 'Lead' }, other);
  assertBare404(await frame(pixel.src, other), 'the genuine URL replayed by another visitor');
});

test('a sandboxed pixel edited, switched off or disabled after the event is no longer served', async () => {
  const container = await newContainer();
  const edited = await pixelConnector(container, { html: '<p>first {{ORDER_ID}}</p>' });
  const disabled = await pixelConnector(container, { html: '<p>second {{ORDER_ID}}</p>' });
  // A connector with a webhook too, so it still concerns the event once its pixel is off.
  const hybrid = await pixelConnector(container, { html: '<p>third {{ORDER_ID}}</p>' },
    { webhook: { enabled: true, method: 'GET', url: `${receiver.url}/hybrid` } });
  for (const c of [edited, disabled, hybrid]) await approve(c);
  const { pixels } = await track(container, { event: 'Purchase', attributes: { order_id: 'E-1' } });
  const src = Object.fromEntries(pixels.map((p) => [p.connector, p.src]));
  assert.equal((await frame(src[edited.id])).status, 200);
  assert.equal((await frame(src[disabled.id])).status, 200);
  // pc_test forces test mode, never a disabled connector.
  const forced = (await track(container, { event: 'Purchase', pc_test: 1 })).pixels.find((p) => p.connector === disabled.id);
  assert.equal((await frame(forced.src)).status, 200);

  const patched = await admin.patchConnector(edited.id, { pixel: { html: '<p>changed {{ORDER_ID}}</p>' } });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.json.pixel.approved_at, null, 'editing the HTML clears the approval');
  assertBare404(await frame(src[edited.id]), 'a token for a pixel unapproved since');

  assert.equal((await admin.patchConnector(disabled.id, { mode: 'disabled' })).status, 200);
  assertBare404(await frame(src[disabled.id]), 'a token for a connector disabled since');
  assertBare404(await frame(forced.src), 'a pc_test token for a connector disabled since');

  assert.equal((await frame(src[hybrid.id])).status, 200);
  assert.equal((await admin.patchConnector(hybrid.id, { pixel: { enabled: false } })).status, 200);
  assertBare404(await frame(src[hybrid.id]), 'a token for a pixel switched off since');
});

test('a main-window pixel comes back as HTML with each value escaped for where it stands', async () => {
  const container = await newContainer();
  const connector = await pixelConnector(container, {
    sandbox: false,
    html: '<div title="{{NOTE}}" data-u={{NOTE}}>{{NOTE}}</div>'
      + '<img src="https://partner.example/p.gif?n={{NOTE}}&v={{VALUE}}" alt="">'
      + "<script>var s = '{{NOTE}}'; var c = {{NOTE}}; var v = {{VALUE}};</script>"
      + '<!-- {{NOTE}} -->',
  });
  await approve(connector);
  const answer = await track(container, { event: 'Purchase', value: 12.5, currency: 'EUR', attributes: { note: `${HOSTILE}\${x}` } });
  assert.deepEqual(answer.pixels, [{
    connector: connector.id,
    sandbox: false,
    html: '<div title="&quot;&#39;&gt;&lt;img src&#61;x onerror&#61;alert(1)&gt;${x}"'
      + ' data-u="&#x22;&#x27;&#x3e;&#x3c;img&#x20;src&#x3d;x&#x20;onerror&#x3d;alert&#x28;1&#x29;&#x3e;&#x24;&#x7b;x&#x7d;">'
      + '&quot;&#39;&gt;&lt;img src&#61;x onerror&#61;alert(1)&gt;${x}</div>'
      + '<img src="https://partner.example/p.gif?n=%22%27%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%24%7Bx%7D&v=12.5" alt="">'
      // In the main window, values bound for a script lose '<' and '>'.
      + "<script>var s = '\\u0022\\u0027img src=x onerror=alert(1)${x}';"
      + ' var c = "\\"\\u0027img src=x onerror=alert(1)${x}"; var v = 12.5;</script>'
      + '<!-- "\'&gt;&lt;img src=x onerror=alert(1)&gt;${x} -->',
  }]);
});

test('a value can never choose the scheme of a URL attribute: the start of a URL takes no placeholder', async () => {
  const container = await newContainer();
  const refused = await admin.createConnector(container.id, {
    name: unique('Pixel '), trigger_events: ['Purchase'], mode: 'enabled',
    pixel: { enabled: true, sandbox: false, html: '<a href="{{LINK}}">go</a>' },
  });
  assert.equal(refused.status, 422, refused.text);
  assert.equal(refused.json.error.field, 'pixel.html');
  assert.match(refused.json.error.message, /^line 1, column 10: \{\{LINK\}\} would choose the scheme or host/);
  const connector = await pixelConnector(container, { sandbox: false, html: '<a href="https://partner.example/ok?to={{LINK}}">ok</a>' });
  await approve(connector);
  const { pixels } = await track(container, { event: 'Purchase', attributes: { link: ' JaVa\tScRiPt:alert(1)' } });
  assert.equal(pixels[0].html, '<a href="https://partner.example/ok?to=%20JaVa%09ScRiPt%3Aalert%281%29">ok</a>');
});

test('an unapproved pixel never comes back, comes back once approved, and stops again when its HTML is edited', async () => {
  const container = await newContainer();
  const connector = await pixelConnector(container, { sandbox: false, html: '<p>{{ORDER_ID}}</p>' });
  assert.equal(connector.pixel.approved_at, null);
  assert.deepEqual((await track(container, { event: 'Purchase', attributes: { order_id: 'U-1' } })).pixels, []);

  await approve(connector);
  assert.deepEqual((await track(container, { event: 'Purchase', attributes: { order_id: 'U-2' } })).pixels,
    [{ connector: connector.id, sandbox: false, html: '<p>U-2</p>' }]);

  const patched = await admin.patchConnector(connector.id, { pixel: { html: '<p>new {{ORDER_ID}}</p>' } });
  assert.equal(patched.json.pixel.approved_at, null);
  assert.deepEqual((await track(container, { event: 'Purchase', attributes: { order_id: 'U-3' } })).pixels, []);

  await approve(connector);
  const renamed = await admin.patchConnector(connector.id, { name: 'Renamed' });
  assert.equal(renamed.status, 200, renamed.text);
  assert.ok(renamed.json.pixel.approved_at, 'an edit that leaves the HTML alone keeps the approval');
  assert.deepEqual((await track(container, { event: 'Purchase', attributes: { order_id: 'U-4' } })).pixels,
    [{ connector: connector.id, sandbox: false, html: '<p>new U-4</p>' }]);
});

test('a disabled connector\'s pixel never comes back', async () => {
  const container = await newContainer();
  const connector = await pixelConnector(container, { sandbox: false, html: '<p>{{ORDER_ID}}</p>' }, { mode: 'disabled' });
  await approve(connector);
  assert.deepEqual((await track(container, { event: 'Purchase', attributes: { order_id: 'D-1' } })).pixels, []);
  assert.deepEqual((await track(container, { event: 'Purchase', pc_test: 1 })).pixels, [], 'not even with pc_test');
});

test('in test mode a pixel fires nothing and logs its substituted HTML, and pc_test=1 fires it', async () => {
  const container = await newContainer();
  const connector = await pixelConnector(container, { sandbox: false, html: '<p title="{{NOTE}}">{{ORDER_ID}}</p>' }, { mode: 'test' });
  const answer = await track(container, { event: 'Purchase', attributes: { order_id: 'X-1', note: HOSTILE } });
  assert.deepEqual(answer.pixels, [], 'test mode fires nothing, approved or not');
  const log = await admin.deliveries(connector.id);
  assert.equal(log.status, 200);
  assert.equal(log.json.data.length, 1);
  const [entry] = log.json.data;
  assert.equal(entry.method, 'PIXEL');
  assert.equal(entry.status, 'test');
  assert.equal(entry.reason, 'test_mode');
  assert.equal(entry.url, 'main window');
  assert.equal(entry.body, '<p title="&quot;&#39;&gt;&lt;img src&#61;x onerror&#61;alert(1)&gt;">X-1</p>');

  await approve(connector);
  const forced = await track(container, { event: 'Purchase', attributes: { order_id: 'X-2' }, pc_test: 1 });
  assert.deepEqual(forced.pixels, [{ connector: connector.id, sandbox: false, html: '<p title="">X-2</p>' }]);
  assert.equal((await admin.deliveries(connector.id)).json.data.length, 1, 'a fired pixel is not a test log entry');
});

test('a sandboxed pixel in test mode logs its substituted HTML too', async () => {
  const container = await newContainer();
  const connector = await pixelConnector(container, { html: '<p>{{ORDER_ID}}</p>' }, { mode: 'test' });
  await approve(connector);
  assert.deepEqual((await track(container, { event: 'Purchase', attributes: { order_id: 'S-1' } })).pixels, []);
  const [entry] = (await admin.deliveries(connector.id)).json.data;
  assert.deepEqual([entry.method, entry.status, entry.url, entry.body], ['PIXEL', 'test', 'sandboxed iframe', '<p>S-1</p>']);
  const [forced] = (await track(container, { event: 'Purchase', attributes: { order_id: 'S-2' }, pc_test: 1 })).pixels;
  assert.equal(forced.sandbox, true);
  const doc = await frame(forced.src);
  assert.equal(doc.status, 200, 'pc_test serves the document of a test-mode pixel');
  assert.ok(doc.text.includes('<p>S-2</p>'));
});

test('an event sent twice with one event id fires its pixels once', async () => {
  const container = await newContainer();
  const connector = await pixelConnector(container, { sandbox: false, html: '<p>{{ORDER_ID}}</p>' });
  await approve(connector);
  const who = new Jar();
  const body = { event: 'Purchase', event_id: unique('order-'), attributes: { order_id: 'R-1' } };
  const first = await track(container, body, who);
  assert.equal(first.pixels.length, 1);
  const second = await track(container, body, who);
  assert.equal(second.duplicate, true);
  assert.deepEqual(second.pixels, []);
});

test('a pixel whose trigger does not match the event fires nothing', async () => {
  const container = await newContainer();
  const connector = await pixelConnector(container, { sandbox: false, html: '<p>{{ORDER_ID}}</p>' }, { trigger_events: ['Lead'] });
  await approve(connector);
  assert.deepEqual((await track(container, { event: 'Purchase' })).pixels, []);
  assert.equal((await track(container, { event: 'lead' })).pixels.length, 1, 'event names match without regard to case');
  assert.equal((await track(container, { event: 'Lead' })).pixels.length, 1);
  assert.deepEqual((await admin.deliveries(connector.id)).json.data, [], 'an untriggered pixel logs nothing');
});

test('an event whose consent refuses advertising fires no pixel', async () => {
  const container = await newContainer();
  const main = await pixelConnector(container, { sandbox: false, html: '<p>{{ORDER_ID}}</p>' });
  const sandboxed = await pixelConnector(container, { html: '<p>{{ORDER_ID}}</p>' });
  await approve(main);
  await approve(sandboxed);
  assert.deepEqual((await track(container, { event: 'Purchase', consent: { advertising: false } })).pixels, []);
  const granted = await track(container, { event: 'Purchase', consent: { advertising: true } });
  assert.deepEqual(granted.pixels.map((p) => p.connector).sort(), [main.id, sandboxed.id].sort());
});

test('a pixel with click attribution fires only for the visitor whose click it was', async () => {
  const container = await newContainer();
  const connector = await pixelConnector(container, { sandbox: false, html: '<p>{{CLICK_ID}} {{CLICK_SOURCE}}</p>' }, {
    click_id: { enabled: true, param: 'aff_click_id', source_param: 'utm_source', source_value: 'platform_x', attribution: 'last_click', window_days: 14 },
  });
  await approve(connector);
  const clicked = new Jar();
  const to = `${SITE_ORIGIN}/landing?aff_click_id=abc123&utm_source=platform_x`;
  const res = clicked.take(await tracking('GET', `/c?id=${container.id}&to=${encodeURIComponent(to)}`, { headers: { 'user-agent': UA } }));
  assert.equal(res.status, 302, res.text);
  assert.deepEqual((await track(container, { event: 'Purchase' }, clicked)).pixels,
    [{ connector: connector.id, sandbox: false, html: '<p>abc123 platform_x</p>' }]);
  assert.deepEqual((await track(container, { event: 'Purchase' }, new Jar())).pixels, [], 'a visitor without the click');
});
