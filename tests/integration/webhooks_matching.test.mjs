// Session matching of inbound webhooks: by each identifier in the order, late matching,
// and set-type enrichment of the matched visitor.
// Visitors arrive through the real tracking link (`/c`) and the real browser events (`/e`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, ADMIN_TOKEN, STATE_DIR, sqlText, unique } from '../harness/app.mjs';
import { sha256, webhooksAt } from '../harness/webhooks.mjs';

const app = webhooksAt({ url: BASE, adminToken: ADMIN_TOKEN, stateDir: STATE_DIR });

const sql = (query) => app.sql(query);
const activity = (...args) => app.activity(...args);
const customWebhook = (...args) => app.customWebhook(...args);
const eventById = (...args) => app.eventById(...args);
const eventsOf = (...args) => app.eventsOf(...args);
const keyedContainer = (...args) => app.keyedContainer(...args);
const visitorWithClick = (...args) => app.visitorWithClick(...args);
const webhookGet = (...args) => app.webhookGet(...args);
const webhookPost = (...args) => app.webhookPost(...args);

const visitorRow = (containerId, visitorId) => {
  const rows = sql(`SELECT attributes FROM visitors WHERE container_id = ${sqlText(containerId)} AND visitor_id = ${sqlText(visitorId)}`);
  return rows.length ? JSON.parse(rows[0].attributes) : undefined;
};
const identitiesOf = (containerId, visitorId) =>
  sql(`SELECT kind, value FROM identities WHERE container_id = ${sqlText(containerId)} AND visitor_id = ${sqlText(visitorId)} ORDER BY kind, value`);

/** A container with a key and a visitor who clicked a gclid ad. */
async function clickedVisitor() {
  const { container, key } = await keyedContainer();
  const gclid = unique('Cj0K_');
  const visitorId = await visitorWithClick(container.id, 'gclid', gclid);
  return { container, key, gclid, visitorId };
}

/** Ties identities to the visitor with a set request that the visitor's click id matches. */
async function teachIdentities(key, gclid, params) {
  const res = await webhookGet({ k: key, gclid, ...params });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.type, 'set');
  assert.equal(res.json.session_matched, true);
}

test('a webhook carrying the visitor id is matched to that visitor', async () => {
  const { container, key, visitorId } = await clickedVisitor();
  const res = await customWebhook(container.id, 'purchase', {
    conversion_id: 'ORD-12345',
    visitor_id: visitorId,
    value: 149.99,
    currency: 'USD',
  }, { key });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.session_matched, true);
  const event = eventById(container.id, 'ORD-12345');
  assert.equal(event.visitor_id, visitorId);
  assert.equal(event.matched_by, 'visitor_id');
  const log = (await activity(container.id)).json.data;
  assert.equal(log[0].session_matched, true);
});

test('a webhook carrying a click id the visitor arrived with is matched to them', async () => {
  const { container, key, gclid, visitorId } = await clickedVisitor();
  const res = await webhookGet({ k: key, track: 'Purchase', value: '20', currency: 'EUR', gclid });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.session_matched, true);
  const event = eventById(container.id, res.json.event_id);
  assert.equal(event.visitor_id, visitorId);
  assert.equal(event.matched_by, 'click:gclid');
});

test('externalId, email and phone each match a visitor they were tied to', async () => {
  const { container, key, gclid, visitorId } = await clickedVisitor();
  await teachIdentities(key, gclid, { externalId: 'crm-42', email: 'Jane@Example.com', phoneNumber: '+358 40 7654321' });
  assert.deepEqual(identitiesOf(container.id, visitorId), [
    { kind: 'email_sha256', value: sha256('jane@example.com') },
    { kind: 'external_id', value: 'crm-42' },
    { kind: 'phone_sha256', value: sha256('358407654321') },
  ]);
  const cases = [
    [{ externalId: 'crm-42' }, 'external_id'],
    [{ email: '  JANE@example.COM ' }, 'email_sha256'],
    [{ phoneNumber: '00358407654321' }, 'phone_sha256'],
  ];
  for (const [params, by] of cases) {
    const res = await webhookPost({ bearer: key, json: { track: 'Lead', ...params } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.session_matched, true, by);
    const event = eventById(container.id, res.json.event_id);
    assert.equal(event.visitor_id, visitorId);
    assert.equal(event.matched_by, by);
  }
  const custom = await customWebhook(container.id, 'lead', { conversion_id: 'L-1', user_data: { email: 'jane@example.com' } }, { key });
  assert.equal(custom.json.session_matched, true);
  assert.equal(eventById(container.id, 'L-1').matched_by, 'email_sha256');
});

test('the most trusted identifier wins: visitor id, then click id, external id, email, phone', async () => {
  const { container, key } = await keyedContainer();
  const [a, b, c, d, e] = await Promise.all(['gclid', 'gclid', 'gclid', 'gclid', 'gclid'].map((p, i) => visitorWithClick(container.id, p, `order-${i}`)));
  await teachIdentities(key, 'order-2', { externalId: 'ext-c' });
  await teachIdentities(key, 'order-3', { email: 'd@example.com' });
  await teachIdentities(key, 'order-4', { phoneNumber: '+15550000004' });
  const all = { externalId: 'ext-c', email: 'd@example.com', phoneNumber: '+15550000004' };
  // Least trusted first: a matched event ties all its identities to its visitor, so each case
  // adds one more trusted identifier, pointing at another visitor, and that one must win.
  const cases = [
    [{ phoneNumber: all.phoneNumber }, e, 'phone_sha256'],
    [{ email: all.email, phoneNumber: all.phoneNumber }, d, 'email_sha256'],
    [all, c, 'external_id'],
    [{ gclid: 'order-1', ...all }, b, 'click:gclid'],
    [{ visitorId: a, gclid: 'order-1', ...all }, a, 'visitor_id'],
  ];
  for (const [params, visitor, by] of cases) {
    const res = await webhookGet({ k: key, track: 'Purchase', ...params });
    assert.equal(res.status, 200, res.text);
    const event = eventById(container.id, res.json.event_id);
    assert.deepEqual([event.visitor_id, event.matched_by], [visitor, by], JSON.stringify(params));
  }
});

test('an unmatched webhook is stored and matched later when a set request ties its email to a visitor', async () => {
  const { container, key, gclid, visitorId } = await clickedVisitor();
  const early = await webhookGet({ k: key, track: 'Purchase', value: '30', currency: 'EUR', email: 'late@example.com', eventId: 'late-1' });
  assert.equal(early.status, 200);
  assert.equal(early.json.session_matched, false);
  assert.equal(eventById(container.id, 'late-1').visitor_id, null);
  assert.equal((await activity(container.id)).json.data[0].session_matched, false);

  await teachIdentities(key, gclid, { email: 'LATE@example.com' });
  const event = eventById(container.id, 'late-1');
  assert.equal(event.visitor_id, visitorId);
  assert.equal(event.matched_by, 'email_sha256');
  assert.deepEqual(sql(`SELECT * FROM pending_identities WHERE event_row_id = ${sqlText(event.id)}`), []);
});

test('an unmatched custom webhook is matched later when the visitor arrives with its click id', async () => {
  const { container, key } = await keyedContainer();
  const early = await customWebhook(container.id, 'purchase', { conversion_id: 'ORD-LATE', gclid: 'late-gclid' }, { key });
  assert.equal(early.json.session_matched, false);
  const visitorId = await visitorWithClick(container.id, 'gclid', 'late-gclid');
  const event = eventById(container.id, 'ORD-LATE');
  assert.equal(event.visitor_id, visitorId);
  assert.equal(event.matched_by, 'click:gclid');
});

test('an unmatched webhook is matched later by a browser event with the same email', async () => {
  const { container, key, visitorId } = await clickedVisitor();
  const early = await webhookGet({ k: key, track: 'Purchase', email: 'browser@example.com', eventId: 'late-browser' });
  assert.equal(early.json.session_matched, false);
  const res = await app.browserEvent(container.id, visitorId, { event: 'ContactInfo', user: { email: 'browser@example.com' } });
  assert.ok(res.status < 300, res.text);
  assert.equal(eventById(container.id, 'late-browser').visitor_id, visitorId);
});

test('a set request enriches the matched visitor\'s identities and attributes without creating an event', async () => {
  const { container, key, gclid, visitorId } = await clickedVisitor();
  const first = await webhookGet({ k: key, gclid, email: 'set@example.com', firstName: 'Jane', city: 'Helsinki', utmSource: 'google' });
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(first.json, { status: 'accepted', type: 'set', event_id: null, session_matched: true, duplicate: false, confirmed: false });
  const second = await webhookPost({ bearer: key, json: { email: 'set@example.com', phoneNumber: '+358401112223', city: 'Espoo', eventAttributes: { tier: 'gold' } } });
  assert.equal(second.status, 200, second.text);
  assert.equal(second.json.session_matched, true, 'the email taught by the first set finds the visitor');

  assert.deepEqual(eventsOf(container.id), [], 'set requests create no event');
  assert.deepEqual(identitiesOf(container.id, visitorId).map((i) => i.kind), ['email_sha256', 'phone_sha256']);
  // The visitor profile keeps no raw contact data (no connector reads it): hashes, merged.
  assert.deepEqual(visitorRow(container.id, visitorId), {
    user: { hashes: {
      email: sha256('set@example.com'), email_google: sha256('set@example.com'),
      phone: sha256('358401112223'), phone_e164: sha256('+358401112223'),
      fields: { first_name: sha256('jane'), city: sha256('espoo') } } },
    clicks: { gclid, utm_source: 'google' },
    attributes: { tier: 'gold' },
  });
  const log = (await activity(container.id)).json.data;
  assert.deepEqual(log.map((a) => [a.status, a.topic, a.session_matched]), [['success', 'set', true], ['success', 'set', true]]);
});

test('a set request that matches no visitor is acknowledged and keeps nothing', async () => {
  const { container, key } = await keyedContainer();
  const res = await webhookGet({ k: key, externalId: 'nobody', city: 'Turku' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.session_matched, false);
  assert.deepEqual(eventsOf(container.id), []);
  assert.deepEqual(sql(`SELECT * FROM visitors WHERE container_id = ${sqlText(container.id)}`), []);
  assert.deepEqual(sql(`SELECT * FROM identities WHERE container_id = ${sqlText(container.id)}`), []);
  const log = (await activity(container.id)).json.data;
  assert.deepEqual(log.map((a) => [a.status, a.topic, a.session_matched]), [['success', 'set', false]]);
});

test('a set request without any identity is refused, since it could enrich no one', async () => {
  const { container, key } = await keyedContainer();
  const res = await webhookGet({ k: key, city: 'Turku', firstName: 'Nobody' });
  assert.equal(res.status, 422);
  assert.equal(res.json.error.code, 'no_identity');
  assert.deepEqual((await activity(container.id)).json.data.map((a) => a.status), ['validation_error']);
});
