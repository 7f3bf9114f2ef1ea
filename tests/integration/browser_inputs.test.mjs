// How /collect, /c and /e read their own query parameters (id, url, to, consent): a parameter
// given twice is refused (which container or page counts would be a guess), and one whose
// percent-encoded bytes are not UTF-8 is refused rather than replaced. Each refusal sets no
// cookie and stores nothing. A bad click value inside a valid page URL stays the landing's rule:
// refused value, counted, page view kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, newContainer, sql, sqlText } from '../harness/app.mjs';
import { collect, Jar, SITE_ORIGIN, settledClicks, tracking } from '../harness/tracking.mjs';

const LANDING = `${SITE_ORIGIN}/landing`;
const enc = encodeURIComponent;

function assertRefused(res, code, field) {
  assert.equal(res.status, 422, res.text);
  assert.equal(res.json?.error?.code, code, res.text);
  assert.equal(res.json.error.field, field, res.text);
  assert.deepEqual(res.setCookies, [], 'a refused request sets no cookie');
  assert.equal(res.headers.location, undefined);
}

const eventsOf = (containerId) => sql(`SELECT id FROM events WHERE container_id = ${sqlText(containerId)}`);

test('/collect refuses id, url or consent given twice, and a url that is not UTF-8, storing nothing', async () => {
  const a = await newContainer();
  const b = await newContainer();
  const page = enc(`${LANDING}?gclid=Twice-1`);
  const cases = [
    [`/collect?id=${a.id}&id=${b.id}&url=${page}`, 'duplicate_parameter', 'id'],
    [`/collect?id=${a.id}&url=${page}&url=${enc(`${LANDING}?gclid=Twice-2`)}`, 'duplicate_parameter', 'url'],
    [`/collect?id=${a.id}&url=${page}&consent=granted&consent=denied`, 'duplicate_parameter', 'consent'],
    [`/collect?id=${a.id}&url=${enc(LANDING)}%3Fgclid%3DBad-%FF%FE`, 'invalid_encoding', 'url'],
    [`/collect?id=${a.id}&url=${LANDING}?gclid=Bad-%FF`, 'invalid_encoding', 'url'],
  ];
  for (const [path, code, field] of cases) {
    assertRefused(await tracking('GET', path, { origin: SITE_ORIGIN }), code, field);
    const head = await tracking('HEAD', path, { origin: SITE_ORIGIN });
    assert.equal(head.status, 422, `HEAD ${path}`);
    assert.deepEqual(head.setCookies, []);
  }
  for (const c of [a, b]) assert.deepEqual(await settledClicks(c.id), [], 'no click of a refused page view');
});

test('a bad click value inside a valid page URL is still only that value refused and counted', async () => {
  const c = await newContainer();
  const res = await collect(c.id, `${LANDING}?gclid=Bad-%FF%FE&fbclid=IwAR-caf%C3%A9`, { jar: new Jar() });
  assert.equal(res.status, 204, res.text);
  const kept = await settledClicks(c.id, 'param, value');
  assert.deepEqual(kept, [{ param: 'fbclid', value: 'IwAR-café' }], 'a valid UTF-8 value is kept decoded');
  const counted = await call('GET', `/admin/api/containers/${c.id}/click-refusals`);
  assert.deepEqual(counted.json.data.map((r) => [r.param, r.reason, r.count]), [['gclid', 'invalid_encoding', 1]]);
});

test('/c refuses id or to given twice, and a to that is not UTF-8, with no Location and nothing stored', async () => {
  const a = await newContainer();
  const b = await newContainer();
  const to = enc(LANDING);
  const cases = [
    [`/c?id=${a.id}&id=${b.id}&to=${to}&gclid=Twice-3`, 'duplicate_parameter', 'id'],
    [`/c?id=${a.id}&to=${to}&to=${enc(`${SITE_ORIGIN}/other`)}&gclid=Twice-4`, 'duplicate_parameter', 'to'],
    [`/c?id=${a.id}&to=${to}%2F%FF&gclid=Twice-5`, 'invalid_encoding', 'to'],
  ];
  for (const [path, code, field] of cases) assertRefused(await tracking('GET', path), code, field);
  for (const c of [a, b]) assert.deepEqual(await settledClicks(c.id), []);
  const ok = await tracking('GET', `/c?id=${a.id}&to=${enc(`${SITE_ORIGIN}/caf%C3%A9`)}`);
  assert.equal(ok.status, 302, ok.text);
  assert.equal(ok.headers.location, `${SITE_ORIGIN}/caf%C3%A9`);
});

test('/e refuses id given twice instead of recording into the first container', async () => {
  const a = await newContainer();
  const b = await newContainer();
  const res = await tracking('POST', `/e?id=${a.id}&id=${b.id}`, { origin: SITE_ORIGIN, json: { event: 'Lead' } });
  assertRefused(res, 'duplicate_parameter', 'id');
  const bad = await tracking('POST', `/e?id=${a.id}%FF`, { origin: SITE_ORIGIN, json: { event: 'Lead' } });
  assertRefused(bad, 'invalid_encoding', 'id');
  for (const c of [a, b]) assert.deepEqual(eventsOf(c.id), []);
});
