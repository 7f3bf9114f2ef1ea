// The pixel rules through the real admin API and /e: the five ways a value could once run as code
// or choose what loads (markup in a script string, regex or division, a script's host,
// stylesheet addresses, dot segments) are each refused at save time with the line and column of
// the placeholder, or rendered inert; a postback whose value makes a dot segment fails unsent
// (dot_segment). Pixels saved under the earlier rules: pixels_stored.test.mjs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, newContainer, unique } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { connectorFor } from '../harness/postbacks.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { tracking, SITE_ORIGIN } from '../harness/tracking.mjs';

let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

async function savePixel(html, { sandbox = false } = {}) {
  const container = await newContainer();
  const res = await admin.createConnector(container.id, {
    name: unique('Pixel '), trigger_events: ['Purchase'], mode: 'enabled', pixel: { enabled: true, sandbox, html },
  });
  return { container, res };
}

async function fire(container, attributes) {
  const res = await tracking('POST', `/e?id=${container.id}`, {
    json: { event: 'Purchase', attributes }, origin: SITE_ORIGIN,
  });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

/** Where `{{` of the first placeholder stands in `html`, as people count: line and column from 1. */
function position(html, marker) {
  const before = html.slice(0, html.indexOf(marker));
  const lines = before.split('\n');
  return { line: lines.length, column: [...lines.at(-1)].length + 1 };
}

function assertRefusedAt(res, html, marker) {
  assert.equal(res.status, 422, `${html}\n${res.text}`);
  const { error } = res.json;
  assert.equal(error.code, 'invalid_placeholder');
  assert.equal(error.field, 'pixel.html');
  const { line, column } = position(html, marker);
  assert.ok(error.message.startsWith(`line ${line}, column ${column}: ${marker}`), `${html}\n${error.message}`);
}

test('a placeholder in a script string that becomes code or markup is refused with its line and column', async () => {
  for (const html of [
    "<script>\n  eval('track({{ORDER_ID}})');\n</script>",
    "<script>\n  setTimeout('track(\"{{ORDER_ID}}\")', 10);\n</script>",
    "<script>\n  var f = new Function('return \"{{ORDER_ID}}\"');\n</script>",
    "<script>\n  document.body.innerHTML = '<img src=x alt=' + '{{ORDER_ID}}' + '>';\n</script>",
    "<script>\n  el.insertAdjacentHTML('beforeend', '<img onerror=\"{{ORDER_ID}}\">');\n</script>",
    "<script>\n  s.src = 'https://{{ORDER_ID}}.example/x.js';\n</script>",
    "<script>\n  import('/x/{{ORDER_ID}}.js');\n</script>",
  ]) {
    const { res } = await savePixel(html);
    assertRefusedAt(res, html, '{{ORDER_ID}}');
  }
});

test('markup written from a script string escapes the value for that markup first', async () => {
  const html = `<script>document.write('<img src="https://aff.example/px?c={{CAMPAIGN_NAME}}">')</script>`;
  const { container, res } = await savePixel(html);
  assert.equal(res.status, 201, res.text);
  assert.equal((await admin.approvePixel(res.json.id)).status, 200);
  const { pixels } = await fire(container, { campaign_name: '"><img src=x onerror=alert(document.domain)>' });
  // Percent-encoded for the URL, then JS-escaped; in the main window '<' and '>' are dropped too.
  assert.equal(pixels[0].html, `<script>document.write('<img src="https://aff.example/px?c=`
    + `%22img%20src%3Dx%20onerror%3Dalert%28document.domain%29">')</script>`);
});

test('a placeholder where a slash may be a regular expression is refused, and regex and division are told apart', async () => {
  const regex = '<script>\nif (a) /x{{ORDER_ID}}/.test(b)\n</script>';
  assertRefusedAt((await savePixel(regex)).res, regex, '{{ORDER_ID}}');
  // `a++ /` is a division, so the quote after it opens a string and the placeholder follows it.
  const division = "<script>\na++ /'/;x='{{ORDER_ID}}'\n</script>";
  assertRefusedAt((await savePixel(division)).res, division, '{{ORDER_ID}}');
  const arrow = "<script>\nvar f = () => {}\n/'/.test(b); var x = '{{ORDER_ID}}';\n</script>";
  const refused = (await savePixel(arrow)).res;
  assertRefusedAt(refused, arrow, '{{ORDER_ID}}');
  assert.match(refused.json.error.message, /regular expression or as a division/);
  const template = "<script>/*\n*/--> `\nvar x = '{{ORDER_ID}}';</script>";
  assert.equal((await savePixel(template)).res.status, 201, 'after a multi-line comment, --> starts a comment');
});

test('a placeholder that could choose where a script or frame loads from is refused in every spelling', async () => {
  for (const [html, marker] of [
    ['<script src="/&#47;{{ORDER_ID}}/x.js"></script>', '{{ORDER_ID}}'],
    ['<script src="/\t/{{ORDER_ID}}/x.js"></script>', '{{ORDER_ID}}'],
    ['<script src="/\n/{{ORDER_ID}}/x.js"></script>', '{{ORDER_ID}}'],
    ['<script src="https://cdn.partner.example/&#46;{{ORDER_ID}}/x.js"></script>', '{{ORDER_ID}}'],
    ['<script src="https://cdn.partner.example/&#x2e;{{ORDER_ID}}/x.js"></script>', '{{ORDER_ID}}'],
    ['<p>Order</p>\n<iframe src="&#x2f;/{{ORDER_ID}}/frame"></iframe>', '{{ORDER_ID}}'],
    ['<iframe src="https://frame.partner.example/{{ORDER_ID}}"></iframe>', '{{ORDER_ID}}'],
  ]) {
    assertRefusedAt((await savePixel(html)).res, html, marker);
  }
  const query = '<script src="https://cdn.partner.example/x.js?o={{ORDER_ID}}"></script>';
  assert.equal((await savePixel(query)).res.status, 201, 'the query of a script address takes a value');
});

test('a placeholder that could choose a stylesheet or an image URL is refused', async () => {
  for (const html of [
    '<style>@import "{{ORDER_ID}}";</style>',
    '<style>\n.a { background: url({{ORDER_ID}}) }\n</style>',
    '<p style="background: url(\'{{ORDER_ID}}\')">x</p>',
    '<p style="color: {{ORDER_ID}}">x</p>',
  ]) {
    assertRefusedAt((await savePixel(html)).res, html, '{{ORDER_ID}}');
  }
  assert.equal((await savePixel('<style>.a::after { content: "{{ORDER_ID}}" }</style>')).res.status, 201);
});

test('a dot-segment value renders empty in a pixel address', async () => {
  const html = '<img src="https://partner.example/pb/{{ORDER_ID}}/confirm" alt="">';
  const { container, res } = await savePixel(html);
  assert.equal(res.status, 201, res.text);
  await admin.approvePixel(res.json.id);
  for (const dots of ['..', '.']) {
    const { pixels } = await fire(container, { order_id: dots });
    assert.equal(pixels[0].html, '<img src="https://partner.example/pb//confirm" alt="">', dots);
  }
  const { pixels } = await fire(container, { order_id: '%2e%2e' });
  assert.equal(pixels[0].html, '<img src="https://partner.example/pb/%252e%252e/confirm" alt="">');
});

test('a postback whose value makes a dot segment fails as dot_segment and is never sent', async () => {
  // A value's own '%' is encoded, so its dots are plain; a literal %2e beside one spells a dot too.
  // The events come from the browser, so the connector opts in to browser events.
  const { container, connector } = await connectorFor(receiver, {
    webhook: { url: `${receiver.url}/pb/{{ORDER_ID}}/%2E{{STEP}}/confirm`, fire_on: 'server_and_browser' },
  });
  const cases = [{ order_id: '..', step: 'x' }, { order_id: '.', step: 'x' }, { order_id: 'A-0', step: '.' },
    { order_id: '.%2e', step: 'x' }];
  for (const attributes of cases) await fire(container, attributes);
  const log = await pollUntil(async () => {
    const { data } = (await admin.deliveries(connector.id, '?limit=50')).json;
    return data.length === cases.length && data.every((d) => ['failed', 'delivered'].includes(d.status)) ? data : null;
  }, { what: 'every postback settled' });
  const failed = log.filter((d) => d.status === 'failed');
  assert.equal(failed.length, 3);
  for (const entry of failed) {
    assert.equal(entry.reason, 'dot_segment');
    assert.match(entry.error, /'\.' or '\.\.'/);
  }
  assert.deepEqual(receiver.requests.map((r) => r.path), ['/pb/.%252e/%2Ex/confirm'],
    'only the postback without a dot segment was sent');
  const test = await admin.testConnector(connector.id, { event: 'Purchase', attributes: { order_id: '..' } });
  assert.equal(test.status, 422, 'Test Webhook says so at once');
  assert.equal(test.json.error.code, 'dot_segment');
});

test('values in a main-window pixel lose < and > in scripts, and the log says so', async () => {
  const html = "<script>var order = '{{ORDER_ID}}';</script>";
  const { container, res } = await savePixel(html);
  await admin.approvePixel(res.json.id);
  const { pixels } = await fire(container, { order_id: '<b>A-1</b>' });
  assert.equal(pixels[0].html, "<script>var order = 'bA-1/b';</script>");
  const [entry] = (await admin.deliveries(res.json.id)).json.data;
  assert.deepEqual([entry.method, entry.url, entry.status], ['PIXEL', 'main window', 'delivered']);
  assert.match(entry.error, /removed '<' and '>' from the values of ORDER_ID/);
});
