import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newContainer, sql, sqlText } from '../harness/app.mjs';
import { PC_VID, tracking, settledClicks, visitorIdOf } from '../harness/tracking.mjs';

const clicksOf = (containerId) => settledClicks(containerId, 'visitor_id, param, value, landing_url');

const linkTo = (containerId, to, extra = '') => `/c?id=${encodeURIComponent(containerId)}&to=${encodeURIComponent(to)}${extra}`;

test('/c captures from its own query and from the target\'s, then redirects there with the cookies', async () => {
  const c = await newContainer();
  const to = 'https://www.shop.localhost.test/product/42?ttclid=Tt-from-target&gclid=from-target#reviews';
  const res = await tracking('GET', linkTo(c.id, to, '&gclid=Gc-from-link&utm_source=tiktok'));
  assert.equal(res.status, 302);
  assert.equal(res.headers.location, to);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.match(res.cookies.pc_vid.value, PC_VID);
  const vid = visitorIdOf(res.cookies.pc_vid.value);
  assert.match(res.cookies._gcl_aw.value, /^GCL\.\d+\.Gc-from-link$/, '/c\'s own value wins over the target\'s');
  assert.equal(res.cookies.pc_clk.attributes.domain, 'shop.localhost.test');

  const rows = await clicksOf(c.id);
  assert.deepEqual(rows.map((r) => [r.param, r.value]), [
    ['gclid', 'Gc-from-link'], ['ttclid', 'Tt-from-target'], ['utm_source', 'tiktok'],
  ]);
  assert.ok(rows.every((r) => r.visitor_id === vid && r.landing_url === to.replace('#reviews', '')));
});

test('/c redirects to subdomains of the cookie domain and to the container\'s redirect domains', async () => {
  const c = await newContainer({ redirect_domains: ['partner-landing.example'] });
  for (const to of ['https://shop.localhost.test/', 'http://blog.shop.localhost.test/post?x=1',
    'https://partner-landing.example/offer', 'https://a.partner-landing.example:8443/offer']) {
    const res = await tracking('GET', linkTo(c.id, to));
    assert.equal(res.status, 302, to);
    assert.equal(res.headers.location, to);
  }
});

test('/c refuses every target off the container\'s domains with 400, no Location and nothing stored', async () => {
  const c = await newContainer();
  const refused = [
    'https://evil.example/?gclid=Stolen',
    '//evil.example/?gclid=Stolen',
    'javascript:alert(document.cookie)//shop.localhost.test',
    'https://shop.localhost.test.evil.example/?gclid=Stolen',
    'https://evilshop.localhost.test/?gclid=Stolen',
    'https://evil.example\\@shop.localhost.test/',
    'https:\\\\evil.example/',
    'https://shop.localhost.test@evil.example/?gclid=Stolen',
    'https://user:pw@www.shop.localhost.test/',
    'https://evil.example%2f.shop.localhost.test/',
    'data:text/html,<script>alert(1)</script>',
    '/relative/path',
    'https://127.0.0.1/',
    ' https://www.shop.localhost.test/',
  ];
  for (const to of refused) {
    const res = await tracking('GET', linkTo(c.id, to, '&gclid=Stolen'));
    assert.equal(res.status, 400, to);
    assert.equal(res.headers.location, undefined, to);
    assert.equal(res.json.error.code, 'invalid_redirect', to);
    assert.equal(res.json.error.field, 'to');
    assert.deepEqual(res.setCookies, [], to);
  }
  const missing = await tracking('GET', `/c?id=${c.id}&gclid=x`);
  assert.equal(missing.status, 400);
  assert.equal(missing.headers.location, undefined);
  assert.deepEqual(await clicksOf(c.id), []);
});

test('HEAD, prefetches and link-preview crawlers follow /c without creating a click', async () => {
  const c = await newContainer();
  const to = 'https://www.shop.localhost.test/?gclid=Preview';
  for (const [method, headers] of [['HEAD', {}], ['GET', { 'sec-purpose': 'prefetch' }],
    ['GET', { 'user-agent': 'Twitterbot/1.0' }], ['GET', { 'user-agent': 'WhatsApp/2.23.20.0' }]]) {
    const res = await tracking(method, linkTo(c.id, to), { headers });
    assert.equal(res.status, 302, `${method} ${JSON.stringify(headers)}`);
    assert.equal(res.headers.location, to);
    assert.deepEqual(res.setCookies, []);
  }
  assert.deepEqual(await clicksOf(c.id), []);
});

test('/c for an unknown container is 404 without a redirect, and a container needing consent only redirects', async () => {
  const unknown = await tracking('GET', linkTo('ctr_AAAAAAAAAAAAAAAAAAAAAA', 'https://www.shop.localhost.test/'));
  assert.equal(unknown.status, 404);
  assert.equal(unknown.headers.location, undefined);

  const c = await newContainer({ require_consent: true });
  const res = await tracking('GET', linkTo(c.id, 'https://www.shop.localhost.test/?gclid=NoConsent'));
  assert.equal(res.status, 302);
  assert.deepEqual(res.setCookies, []);
  assert.deepEqual(await clicksOf(c.id), []);
});
