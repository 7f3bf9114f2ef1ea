import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, newContainer, sql, sqlText } from '../harness/app.mjs';
import { collect, Jar, PC_VID, SITE_ORIGIN, tracking, settledClicks, visitorIdOf } from '../harness/tracking.mjs';

const LANDING = 'https://www.shop.localhost.test/landing';
const FIRST_PARTY = { domain: 'shop.localhost.test', path: '/', 'max-age': '34560000', secure: true, httponly: true, samesite: 'Lax' };
const COMPAT = { domain: 'shop.localhost.test', path: '/', 'max-age': '7776000', secure: true, samesite: 'Lax' };

test('a landing URL\'s click ids land in first-party cookies with exact attributes, and one click row each', async () => {
  const c = await newContainer();
  const before = Date.now();
  const res = await collect(c.id, `${LANDING}?gclid=Cj0KCQjw-AbC_9&fbclid=IwAR2F4-dbP_x&utm_source=google&utm_campaign=summer+sale#top`);
  const after = Date.now();
  assert.equal(res.status, 204);
  assert.equal(res.text, '');
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.equal(res.setCookies.length, 4, 'one Set-Cookie header per cookie, never joined');

  const { pc_vid, pc_clk, _gcl_aw, _fbc } = res.cookies;
  assert.match(pc_vid.value, PC_VID, 'the visitor id, signed');
  assert.deepEqual(pc_vid.attributes, FIRST_PARTY);
  assert.deepEqual(pc_clk.attributes, FIRST_PARTY);
  assert.deepEqual(_gcl_aw.attributes, COMPAT, '_gcl_aw is readable by Google\'s tag: not HttpOnly');
  assert.deepEqual(_fbc.attributes, COMPAT, '_fbc is readable by Meta\'s pixel: not HttpOnly');

  const [, seconds, gclid] = _gcl_aw.value.match(/^GCL\.(\d+)\.(.+)$/);
  assert.equal(gclid, 'Cj0KCQjw-AbC_9');
  assert.ok(Number(seconds) >= Math.floor(before / 1000) && Number(seconds) <= Math.ceil(after / 1000));
  const [, index, ms, fbclid] = _fbc.value.match(/^fb\.(\d+)\.(\d+)\.(.+)$/);
  assert.equal(index, '2', 'shop.localhost.test has two dots');
  assert.equal(fbclid, 'IwAR2F4-dbP_x');
  assert.ok(Number(ms) >= before && Number(ms) <= after);
  assert.match(pc_clk.value, /^v1!gclid\*Cj0KCQjw-AbC_9\*google\*\d+!fbclid\*IwAR2F4-dbP_x\*google\*\d+!utm_source\*google\*google\*\d+!utm_campaign\*summer%20sale\*google\*\d+\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{22}$/, 'the history, signed');

  const landing = `${LANDING}?gclid=Cj0KCQjw-AbC_9&fbclid=IwAR2F4-dbP_x&utm_source=google&utm_campaign=summer+sale`;
  const visitor = visitorIdOf(pc_vid.value);
  assert.deepEqual(await settledClicks(c.id), [
    { visitor_id: visitor, param: 'gclid', value: 'Cj0KCQjw-AbC_9', source: 'google', landing_url: landing },
    { visitor_id: visitor, param: 'fbclid', value: 'IwAR2F4-dbP_x', source: 'google', landing_url: landing },
    { visitor_id: visitor, param: 'utm_source', value: 'google', source: 'google', landing_url: landing },
    { visitor_id: visitor, param: 'utm_campaign', value: 'summer sale', source: 'google', landing_url: landing },
  ]);
});

test('every ad-platform click id and a connector\'s own click parameter are captured byte-exact', async () => {
  const c = await newContainer();
  const connector = await admin.createConnector(c.id, {
    name: 'Affiliate X', trigger_events: ['Purchase'], mode: 'enabled',
    click_id: { enabled: true, param: 'aff_click_id', source_param: 'utm_source', source_value: 'platform_x' },
  });
  assert.equal(connector.status, 201, connector.text);
  const ids = { gclid: 'Gc-1', gbraid: 'Gb_2', wbraid: 'Wb.3', dclid: 'Dc4', fbclid: 'Fb5', ttclid: 'Tt6', msclkid: 'Ms7',
    epik: 'dj0yJnU9', rdt_cid: 'Rd9', li_fat_id: 'Li-10', twclid: 'Tw11', aff_click_id: 'AbC-123_xYz' };
  const query = new URLSearchParams({ ...ids, utm_source: 'platform_x', unrelated: 'kept-out' });
  const res = await collect(c.id, `${LANDING}?${query}`);
  assert.equal(res.status, 204);
  const rows = await settledClicks(c.id);
  const captured = Object.fromEntries(rows.filter((r) => r.param !== 'utm_source').map((r) => [r.param, r.value]));
  assert.deepEqual(captured, ids);
  assert.ok(rows.every((r) => r.source === 'platform_x' && r.visitor_id === visitorIdOf(res.cookies.pc_vid.value)));
  assert.ok(!rows.some((r) => r.param === 'unrelated'));
});

test('_fbc keeps its first click time when the fbclid repeats, and is rewritten for a new fbclid', async () => {
  const c = await newContainer();
  const jar = new Jar();
  const first = await collect(c.id, `${LANDING}?fbclid=IwAR-first`, { jar });
  const fbc = first.cookies._fbc.value;
  assert.match(fbc, /^fb\.2\.\d+\.IwAR-first$/);

  const repeat = await collect(c.id, `${LANDING}?fbclid=IwAR-first`, { jar });
  assert.equal(repeat.status, 204);
  assert.equal(repeat.cookies._fbc, undefined, 'the same fbclid does not rewrite _fbc');
  assert.equal(jar.get('_fbc'), fbc);

  const next = await collect(c.id, `${LANDING}?fbclid=IwAR-second`, { jar });
  assert.match(next.cookies._fbc.value, /^fb\.2\.\d+\.IwAR-second$/);
  assert.equal(next.cookies.pc_vid.value, first.cookies.pc_vid.value, 'the visitor stays the same');
});

test('pc_clk stays bounded, newest first, across many clicks', async () => {
  const c = await newContainer();
  const jar = new Jar();
  for (let i = 0; i < 30; i++) {
    const res = await collect(c.id, `${LANDING}?gclid=G${String(i).padStart(3, '0')}${'x'.repeat(100)}`, { jar });
    assert.equal(res.status, 204);
  }
  const value = jar.get('pc_clk');
  const entries = value.split('!').slice(1);
  assert.ok(entries.length <= 24, `${entries.length} entries`);
  assert.ok(entries.length >= 10, 'recent clicks are kept');
  assert.ok(value.length <= 3000, `${value.length} bytes`);
  assert.match(entries[0], /^gclid\*G029x+\*\*\d+$/, 'the newest click comes first');
  assert.equal((await settledClicks(c.id)).length, 30, 'D1 keeps the full click history');
});

test('a page view without click parameters refreshes pc_vid and stores nothing', async () => {
  const c = await newContainer();
  const jar = new Jar();
  const first = await collect(c.id, `${LANDING}?page=2&utm=no`, { jar });
  assert.equal(first.status, 204);
  assert.deepEqual(Object.keys(first.cookies), ['pc_vid']);
  const again = await collect(c.id, LANDING, { jar });
  assert.equal(again.cookies.pc_vid.value, first.cookies.pc_vid.value);
  assert.equal(again.cookies.pc_vid.attributes['max-age'], '34560000', 'Max-Age is refreshed on each visit');
  assert.deepEqual(await settledClicks(c.id), []);
});

test('switching compat cookies off keeps _fbc and _gcl_aw away', async () => {
  const c = await newContainer({ compat_cookies: false });
  const res = await collect(c.id, `${LANDING}?gclid=G1&fbclid=F1`);
  assert.deepEqual(Object.keys(res.cookies).sort(), ['pc_clk', 'pc_vid']);
});

test('a container that requires consent sets nothing without a signal, and captures once consent is granted', async () => {
  const c = await newContainer({ require_consent: true });
  const url = `${LANDING}?gclid=ConsentGclid`;
  const none = await collect(c.id, url);
  assert.equal(none.status, 204);
  assert.deepEqual(none.setCookies, []);
  const denied = await collect(c.id, url, { consent: 'denied' });
  assert.deepEqual(denied.setCookies, []);
  assert.deepEqual(await settledClicks(c.id), []);

  const granted = await collect(c.id, url, { consent: 'granted' });
  assert.ok(granted.cookies.pc_vid && granted.cookies._gcl_aw);
  assert.deepEqual((await settledClicks(c.id)).map((r) => r.value), ['ConsentGclid']);

  const typo = await collect(c.id, url, { consent: 'yes' });
  assert.equal(typo.status, 400);
  assert.equal(typo.json.error.code, 'invalid_consent');
});

test('an explicit refusal is honoured even by a container that does not require consent', async () => {
  const c = await newContainer();
  const res = await collect(c.id, `${LANDING}?gclid=Refused`, { consent: 'denied' });
  assert.equal(res.status, 204);
  assert.deepEqual(res.setCookies, []);
  assert.deepEqual(await settledClicks(c.id), []);
});

test('no cookie is set when the cookie domain is not a parent of the tracking host', async () => {
  const c = await newContainer();
  for (const host of ['t.evilshop.localhost.test', 'shop.localhost.test.evil.example', '127.0.0.1']) {
    const res = await collect(c.id, `${LANDING}?gclid=Mismatch`, { host });
    assert.equal(res.status, 204, host);
    assert.deepEqual(res.setCookies, [], host);
  }
  assert.deepEqual(await settledClicks(c.id), []);
});

test('CORS names an allowed origin with credentials; a foreign origin gets 403, no CORS headers and nothing stored', async () => {
  const c = await newContainer({ allowed_origins: [SITE_ORIGIN, 'https://shop.localhost.test'] });
  const allowed = await collect(c.id, `${LANDING}?gclid=Cors1`, { origin: 'https://shop.localhost.test' });
  assert.equal(allowed.status, 204);
  assert.equal(allowed.headers['access-control-allow-origin'], 'https://shop.localhost.test');
  assert.equal(allowed.headers['access-control-allow-credentials'], 'true');
  assert.equal(allowed.headers.vary, 'Origin');

  for (const origin of ['https://evil.example', 'http://www.shop.localhost.test', 'null', 'https://www.shop.localhost.test.evil.example']) {
    const foreign = await collect(c.id, `${LANDING}?gclid=Foreign`, { origin });
    assert.equal(foreign.status, 403, origin);
    assert.equal(foreign.json.error.code, 'origin_not_allowed');
    assert.equal(foreign.headers['access-control-allow-origin'], undefined);
    assert.equal(foreign.headers['access-control-allow-credentials'], undefined);
    assert.deepEqual(foreign.setCookies, []);
  }
  const noOrigin = await collect(c.id, `${LANDING}?gclid=ImageFallback`, { origin: null });
  assert.equal(noOrigin.status, 204, 'the image fallback sends no Origin');
  assert.equal(noOrigin.headers['access-control-allow-origin'], undefined);
  assert.deepEqual((await settledClicks(c.id)).map((r) => r.value), ['Cors1', 'ImageFallback']);
});

test('a preflight is answered for allowed origins only', async () => {
  const c = await newContainer();
  for (const path of [`/collect?id=${c.id}`, `/e?id=${c.id}`]) {
    const ok = await tracking('OPTIONS', path, { origin: SITE_ORIGIN,
      headers: { 'access-control-request-method': path.startsWith('/e') ? 'POST' : 'GET', 'access-control-request-headers': 'content-type' } });
    assert.equal(ok.status, 204, path);
    assert.equal(ok.headers['access-control-allow-origin'], SITE_ORIGIN);
    assert.equal(ok.headers['access-control-allow-credentials'], 'true');
    assert.match(ok.headers['access-control-allow-methods'], path.startsWith('/e') ? /POST/ : /GET/);
    assert.match(ok.headers['access-control-allow-headers'], /content-type/);

    const foreign = await tracking('OPTIONS', path, { origin: 'https://evil.example', headers: { 'access-control-request-method': 'POST' } });
    assert.equal(foreign.status, 403, path);
    assert.equal(foreign.headers['access-control-allow-origin'], undefined);
    assert.equal(foreign.headers['access-control-allow-methods'], undefined);
  }
});

test('HEAD requests, prefetches and link-preview crawlers create no clicks and set no cookies', async () => {
  const c = await newContainer();
  const url = `${LANDING}?gclid=NotAVisit`;
  const path = `/collect?id=${c.id}&url=${encodeURIComponent(url)}`;
  const visits = [
    ['HEAD', {}],
    ['GET', { 'sec-purpose': 'prefetch;prerender' }],
    ['GET', { purpose: 'prefetch' }],
    ['GET', { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' }],
    ['GET', { 'user-agent': 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)' }],
    ['GET', { 'User-Agent': 'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)' }],
  ];
  for (const [method, headers] of visits) {
    const res = await tracking(method, path, { origin: SITE_ORIGIN, headers });
    assert.equal(res.status, 204, `${method} ${JSON.stringify(headers)}`);
    assert.deepEqual(res.setCookies, [], `${method} ${JSON.stringify(headers)}`);
  }
  assert.deepEqual(await settledClicks(c.id), []);
});

test('bad input gets a clear 4xx and never a 500', async () => {
  const c = await newContainer();
  const unknown = await collect('ctr_AAAAAAAAAAAAAAAAAAAAAA', `${LANDING}?gclid=x`);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error.code, 'not_found');
  assert.equal((await collect('not-an-id', LANDING)).status, 404);

  const noId = await tracking('GET', `/collect?url=${encodeURIComponent(LANDING)}`);
  assert.equal(noId.status, 400);
  assert.equal(noId.json.error.code, 'missing_parameter');
  const noUrl = await tracking('GET', `/collect?id=${c.id}`);
  assert.equal(noUrl.status, 400);
  for (const bad of ['javascript:alert(1)', '/relative', 'not a url', 'ftp://shop.localhost.test/']) {
    const res = await collect(c.id, bad);
    assert.equal(res.status, 400, bad);
    assert.equal(res.json.error.code, 'invalid_url');
  }

  const huge = await collect(c.id, `${LANDING}?gclid=${'a'.repeat(9000)}`);
  assert.equal(huge.status, 413);
  assert.equal(huge.json.error.code, 'url_too_long');

  for (const cookie of ['pc_vid=garbage; pc_clk=v1!!!***', '\u00ff\u00fe=;;;==', `pc_clk=${'%'.repeat(3000)}`, 'pc_vid="v1.AAAA']) {
    const res = await tracking('GET', `/collect?id=${c.id}&url=${encodeURIComponent(`${LANDING}?gclid=Gar`)}`, { origin: SITE_ORIGIN, cookie });
    assert.equal(res.status, 204, cookie);
    assert.match(res.cookies.pc_vid.value, PC_VID, 'a garbage cookie reads as no cookie');
  }
  assert.deepEqual((await settledClicks(c.id)).map((r) => r.value), ['Gar', 'Gar', 'Gar', 'Gar']);
});
