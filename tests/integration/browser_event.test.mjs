import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { newContainer, sql, sqlText, unique } from '../harness/app.mjs';
import { collect, Jar, PC_VID, sendEvent, SITE_ORIGIN, tracking, visitorIdOf } from '../harness/tracking.mjs';

const sha256 = (s) => createHash('sha256').update(s).digest('hex');
const eventsOf = (containerId) =>
  sql(`SELECT event_id, name, value, currency, visitor_id, matched_by, source, consent_advertising, payload
       FROM events WHERE container_id = ${sqlText(containerId)} ORDER BY created_at, id`);

test('/e stores the event for the pc_vid visitor with hashed identities, and a repeated event_id is a duplicate', async () => {
  const c = await newContainer();
  const jar = new Jar();
  await collect(c.id, 'https://www.shop.localhost.test/?gclid=EvGclid', { jar });
  const cookie = jar.get('pc_vid');
  const vid = jar.visitorId();
  const eventId = unique('order-');
  const body = {
    event: 'Purchase', event_id: eventId, value: 49.9, currency: 'eur', url: 'https://www.shop.localhost.test/thanks',
    attributes: { transaction_id: 'T-1', items: [{ sku: 'A', qty: 2 }] },
    user: { email: '  Jane.Doe@Example.COM ', phone: '+358 40 123 4567', external_id: 'crm-77' },
  };
  const res = await sendEvent(c.id, body, { jar, headers: { 'user-agent': 'TestBrowser/1.0' } });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json, { event_id: eventId, duplicate: false, pixels: [] });
  assert.equal(res.headers['access-control-allow-origin'], SITE_ORIGIN);
  assert.equal(res.cookies.pc_vid.value, cookie, 'the visitor keeps its id, with Max-Age refreshed');

  const [row] = eventsOf(c.id);
  assert.equal(row.event_id, eventId);
  assert.equal(row.name, 'Purchase');
  assert.equal(row.value, 49.9);
  assert.equal(row.currency, 'EUR');
  assert.equal(row.visitor_id, vid);
  assert.equal(row.matched_by, 'cookie');
  assert.equal(row.source, 'browser');
  const payload = JSON.parse(row.payload);
  assert.deepEqual(payload.attributes, body.attributes);
  assert.equal(payload.url, body.url);
  assert.equal(payload.user_agent, null, 'no connector sends {{USER_AGENT}}, so it is not kept');
  assert.equal(payload.user.email, null, 'no connector sends {{EMAIL}}: only the hash is kept');
  assert.equal(payload.user.hashes.email, sha256('jane.doe@example.com'));

  const identities = sql(`SELECT kind, value, visitor_id FROM identities WHERE container_id = ${sqlText(c.id)} ORDER BY kind`);
  assert.deepEqual(identities, [
    { kind: 'email_sha256', value: sha256('jane.doe@example.com'), visitor_id: vid },
    { kind: 'external_id', value: 'crm-77', visitor_id: vid },
    { kind: 'phone_sha256', value: sha256('358401234567'), visitor_id: vid },
  ]);

  const again = await sendEvent(c.id, { ...body, value: 1 }, { jar });
  assert.equal(again.status, 200);
  assert.deepEqual(again.json, { event_id: eventId, duplicate: true, pixels: [] });
  assert.equal(eventsOf(c.id).length, 1, 'stored once');
});

test('/e without an event_id gets a generated one, and a browser without pc_vid gets a new one', async () => {
  const c = await newContainer();
  const res = await sendEvent(c.id, { event: 'Lead' });
  assert.equal(res.status, 200, res.text);
  assert.match(res.json.event_id, /^evt_/);
  assert.match(res.cookies.pc_vid.value, PC_VID);
  const vid = visitorIdOf(res.cookies.pc_vid.value);
  assert.equal(res.cookies.pc_vid.attributes.httponly, true);
  const [row] = eventsOf(c.id);
  assert.equal(row.visitor_id, vid);
  assert.equal(row.event_id, res.json.event_id);
});

test('/e with advertising consent refused sets no cookie and stores the event without a visitor', async () => {
  const c = await newContainer();
  const jar = new Jar();
  await collect(c.id, 'https://www.shop.localhost.test/', { jar });
  const res = await sendEvent(c.id, { event: 'Purchase', value: 10, currency: 'USD', consent: { advertising: false } }, { jar });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.setCookies, []);
  const [row] = eventsOf(c.id);
  assert.equal(row.visitor_id, null);
  assert.equal(row.consent_advertising, 0);

  const strict = await newContainer({ require_consent: true });
  const silent = await sendEvent(strict.id, { event: 'Lead' });
  assert.equal(silent.status, 200);
  assert.deepEqual(silent.setCookies, [], 'no consent signal: no cookie');
  const granted = await sendEvent(strict.id, { event: 'Lead', consent: { advertising: 'granted' } });
  assert.match(granted.cookies.pc_vid.value, /^v1\./);
});

test('/e refuses bad fields with 422 naming them, malformed JSON with 400, a wrong type with 415, and oversized bodies with 413', async () => {
  const c = await newContainer();
  const cases = [
    [{ event: 'Purchase', value: 10, currency: 'EURO' }, 'currency'],
    [{ event: 'Purchase', value: 10, currency: 'XXY' }, 'currency'],
    [{ event: 'Purchase', value: -1, currency: 'EUR' }, 'value'],
    [{ event: 'Purchase', value: 'ten', currency: 'EUR' }, 'value'],
    [{ event: 'Purchase', value: 10 }, 'currency'],
    [{ event: 'Purchase', curency: 'EUR' }, 'curency'],
    [{ event: '' }, 'event'],
    [{}, 'event'],
    [{ event: 'Purchase', url: 'javascript:alert(1)' }, 'url'],
    [{ event: 'Purchase', attributes: { a: { b: { c: { d: 1 } } } } }, 'attributes.a'],
    [{ event: 'Purchase', user: { email: 'x'.repeat(300) } }, 'user.email'],
  ];
  for (const [body, field] of cases) {
    const res = await sendEvent(c.id, body);
    assert.equal(res.status, 422, JSON.stringify(body));
    assert.equal(res.json.error.field, field, JSON.stringify(body));
    assert.equal(res.headers['access-control-allow-origin'], SITE_ORIGIN, 'the page can read why');
    assert.deepEqual(res.setCookies, []);
  }
  const path = `/e?id=${c.id}`;
  const malformed = await tracking('POST', path, { origin: SITE_ORIGIN, body: '{"event": ', headers: { 'content-type': 'application/json' } });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.json.error.code, 'malformed_json');
  const text = await tracking('POST', path, { origin: SITE_ORIGIN, body: 'event=Purchase', headers: { 'content-type': 'text/plain' } });
  assert.equal(text.status, 415);
  const big = await sendEvent(c.id, { event: 'Purchase', attributes: { pad: 'x'.repeat(70 * 1024) } });
  assert.equal(big.status, 413);
  assert.equal(big.json.error.code, 'payload_too_large');
  for (const raw of ['[]', '"Purchase"', 'null', '1e999999', '{"event": "\\ud800"}']) {
    const res = await tracking('POST', path, { origin: SITE_ORIGIN, body: raw, headers: { 'content-type': 'application/json' } });
    assert.ok(res.status >= 400 && res.status < 500, `${raw} → ${res.status}`);
  }
  assert.deepEqual(eventsOf(c.id), [], 'nothing stored half-way');
});

test('/e refuses a foreign origin and an unknown container', async () => {
  const c = await newContainer();
  const foreign = await sendEvent(c.id, { event: 'Purchase' }, { origin: 'https://evil.example' });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.headers['access-control-allow-origin'], undefined);
  assert.deepEqual(eventsOf(c.id), []);
  const unknown = await sendEvent('ctr_AAAAAAAAAAAAAAAAAAAAAA', { event: 'Purchase' });
  assert.equal(unknown.status, 404);
});
