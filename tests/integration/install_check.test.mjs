// The install check: each container records the last page view it saw (when, the page's
// origin, the host the request reached, whether cookies could be set there), after the answer
// and without a D1 call before it, and the admin API tells what is wrong in plain words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, newContainer } from '../harness/app.mjs';
import { collect, SITE_ORIGIN, tracking, TRACKING_HOST } from '../harness/tracking.mjs';
import { pollUntil } from '../harness/poll.mjs';

const LANDING = `${SITE_ORIGIN}/landing`;
const OTHER_ORIGIN = 'https://www.other-site.test';

const installCheck = (id) => call('GET', `/admin/api/containers/${id}/install-check`);

/** Polls the install check until its last page view satisfies `ready`. */
function seen(id, ready) {
  return pollUntil(async () => {
    const res = await installCheck(id);
    assert.equal(res.status, 200, res.text);
    return res.json.last_page_view && ready(res.json.last_page_view) ? res.json : null;
  }, { what: `the install check of ${id}` });
}

test('a container that never saw a page view says so and suggests a tracking subdomain of its cookie domain', async () => {
  const c = await newContainer();
  const res = await installCheck(c.id);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json, { last_page_view: null, suggested_tracking_host: 't.shop.localhost.test', problem: null });
  const unknown = await installCheck('ctr_unknownunknown');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error.code, 'not_found');
  const anonymous = await call('GET', `/admin/api/containers/${c.id}/install-check`, { token: null });
  assert.equal(anonymous.status, 401);
});

test('a page view through the tracking subdomain is recorded with its origin, host and first-party cookies', async () => {
  const c = await newContainer();
  const before = Date.now();
  const res = await collect(c.id, LANDING);
  assert.equal(res.status, 204);
  const check = await seen(c.id, () => true);
  const view = check.last_page_view;
  assert.ok(Date.parse(view.seen_at) >= before - 1000 && Date.parse(view.seen_at) <= Date.now() + 1000, view.seen_at);
  assert.deepEqual({ ...view, seen_at: undefined }, {
    seen_at: undefined, page_origin: SITE_ORIGIN, host: TRACKING_HOST, cookie_domain: 'shop.localhost.test',
    cookie_verdict: 'first_party', cookies_set: true,
  });
  assert.equal(check.problem, null);
  assert.equal(check.suggested_tracking_host, 't.shop.localhost.test');
});

test('a page on another site than the tracking host records the third-party verdict, and the change is seen at once', async () => {
  const c = await newContainer({ allowed_origins: [SITE_ORIGIN, OTHER_ORIGIN] });
  assert.equal((await collect(c.id, LANDING)).status, 204);
  await seen(c.id, (v) => v.cookie_verdict === 'first_party');
  const res = await collect(c.id, `${OTHER_ORIGIN}/checkout`, { origin: OTHER_ORIGIN });
  assert.equal(res.status, 204);
  const check = await seen(c.id, (v) => v.cookie_verdict === 'third_party');
  assert.equal(check.last_page_view.page_origin, OTHER_ORIGIN);
  assert.equal(check.last_page_view.host, TRACKING_HOST);
  assert.equal(check.last_page_view.cookies_set, false);
  assert.match(check.problem, /^The page is on www\.other-site\.test but the snippet loads from t\.shop\.localhost\.test: cookies set there are third-party/);
  assert.equal(check.suggested_tracking_host, 't.other-site.test');
});

test('a host the cookie domain does not cover is recorded as setting no cookie, with what to change', async () => {
  const c = await newContainer();
  const res = await collect(c.id, LANDING, { host: 'tracker.example.net' });
  assert.equal(res.status, 204);
  assert.deepEqual(res.setCookies, [], 'no cookie is set on a host outside the cookie domain');
  const check = await seen(c.id, (v) => v.cookie_verdict === 'host_not_covered');
  assert.equal(check.last_page_view.host, 'tracker.example.net');
  assert.match(check.problem, /loads from tracker\.example\.net, which is not under the cookie domain shop\.localhost\.test/);
  assert.match(check.problem, /t\.shop\.localhost\.test/);
});

test('a same-origin page view is recorded with the site\'s host and the path prefix it came through', async () => {
  const c = await newContainer();
  const path = `/_pc/collect?id=${c.id}&url=${encodeURIComponent(`${LANDING}?p=1`)}&ref=`;
  const res = await tracking('GET', path, { host: 'www.shop.localhost.test' });
  assert.equal(res.status, 204, res.text);
  const check = await seen(c.id, () => true);
  assert.equal(check.last_page_view.host, 'www.shop.localhost.test/_pc');
  assert.equal(check.last_page_view.page_origin, SITE_ORIGIN, 'read from the page URL when no Origin or Referer came');
  assert.equal(check.last_page_view.cookie_verdict, 'first_party');
});

test('recording the install check costs a page view no D1 call before its answer', async () => {
  const c = await newContainer({ allowed_origins: [SITE_ORIGIN, OTHER_ORIGIN] });
  await collect(c.id, LANDING);
  await seen(c.id, () => true);
  // A changed origin is recorded at once, yet after the answer.
  const res = await collect(c.id, `${OTHER_ORIGIN}/x`, { origin: OTHER_ORIGIN });
  assert.equal(res.status, 204);
  assert.match(res.headers['server-timing'], /^d1;desc="0"/);
  await seen(c.id, (v) => v.page_origin === OTHER_ORIGIN);
});

test('a page view that repeats the last one is not recorded again within the minute, but a changed cookie domain is seen at once', async () => {
  const c = await newContainer();
  assert.equal((await collect(c.id, LANDING)).status, 204);
  const first = (await seen(c.id, (v) => v.cookie_verdict === 'first_party')).last_page_view;
  // The same origin, host and cookie domain: the same sighting, not due for a minute.
  for (let i = 0; i < 3; i += 1) assert.equal((await collect(c.id, `${LANDING}?n=${i}`)).status, 204);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await installCheck(c.id)).json.last_page_view.seen_at, first.seen_at, 'a repeated page view is not written again');
  // The owner moves the cookie domain: the tracking host is no longer under it, and the next
  // page view from the same origin says so at once.
  const moved = await call('PATCH', `/admin/api/containers/${c.id}`, { body: { cookie_domain: 'elsewhere.test' } });
  assert.equal(moved.status, 200, moved.text);
  assert.equal((await collect(c.id, LANDING)).status, 204);
  const check = await seen(c.id, (v) => v.cookie_verdict === 'host_not_covered');
  assert.equal(check.last_page_view.cookie_domain, 'elsewhere.test');
  assert.equal(check.last_page_view.page_origin, SITE_ORIGIN);
});
