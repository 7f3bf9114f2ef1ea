// POST /webhooks/custom/{container}/{topic}: seed 004's payloads, verbatim, and its topics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, sqlText, unique } from '../harness/app.mjs';
import { activity, customWebhook, eventById, eventsOf, keyedContainer, sha256 } from '../harness/webhooks.mjs';

test('seed 004 minimal purchase example is stored as a Purchase keyed by its conversion id', async () => {
  const { container, key } = await keyedContainer({ keepRaw: true });
  const res = await customWebhook(container.id, 'purchase', {
    conversion_id: 'ORD-12345',
    value: 149.99,
    currency: 'USD',
    user_data: {
      email: '[email protected]',
    },
  }, { key });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json, { status: 'accepted', type: 'track', event_id: 'ORD-12345', session_matched: false, duplicate: false, confirmed: false });
  const event = eventById(container.id, 'ORD-12345');
  assert.equal(event.name, 'Purchase');
  assert.equal(event.value, 149.99);
  assert.equal(event.currency, 'USD');
  assert.equal(event.source, 'custom_webhook');
  assert.equal(event.topic, 'purchase');
  assert.equal(event.payload.user.email, '[email protected]', 'kept as sent, though it is no address');
  assert.deepEqual(sql(`SELECT kind FROM pending_identities WHERE event_row_id = ${sqlText(event.id)}`), [],
    'a value that is not an email yields no hash to match on');
});

test('seed 004 complete purchase example keeps every signal', async () => {
  const { container, key } = await keyedContainer({ keepRaw: true });
  const res = await customWebhook(container.id, 'purchase', {
    conversion_id: 'ORD-12345',
    value: 149.99,
    currency: 'USD',
    tax: 12.50,
    shipping: 5.99,
    discount_code: 'SUMMER20',
    user_data: {
      email: '[email protected]',
      phone: '+15551234567',
      first_name: 'Jane',
      last_name: 'Doe',
      address: {
        city: 'New York',
        region: 'NY',
        postal_code: '10001',
        country: 'US',
      },
    },
    products: [
      {
        id: 'SKU123',
        name: 'Widget Pro',
        quantity: 2,
        price: 49.99,
      },
    ],
    consent: {
      analytics: true,
      advertising: true,
    },
  }, { key });
  assert.equal(res.status, 200, res.text);
  const event = eventById(container.id, 'ORD-12345');
  assert.equal(event.value, 149.99);
  assert.equal(event.consent_advertising, 1);
  const { attributes, user, consent } = event.payload;
  assert.equal(attributes.tax, 12.5);
  assert.equal(attributes.shipping, 5.99);
  assert.equal(attributes.discount_code, 'SUMMER20');
  assert.deepEqual(attributes.products, [{ id: 'SKU123', name: 'Widget Pro', quantity: 2, price: 49.99 }]);
  assert.equal(user.phone, '+15551234567');
  assert.equal(user.first_name, 'Jane');
  assert.equal(user.last_name, 'Doe');
  assert.deepEqual(user.extra, {}, 'the address is never kept raw');
  assert.deepEqual(user.hashes.fields, { city: sha256('newyork'), region: sha256('ny'), postal_code: sha256('10001'), country: sha256('us') });
  assert.deepEqual(consent, { analytics: true, advertising: true });
  assert.deepEqual(sql(`SELECT kind FROM pending_identities WHERE event_row_id = ${sqlText(event.id)}`), [{ kind: 'phone_sha256' }]);
});

test('seed 004 purchase curl example is accepted with its phone and consent', async () => {
  const { container, key } = await keyedContainer({ keepRaw: true });
  const res = await customWebhook(container.id, 'purchase', undefined, { key, headers: { 'content-type': 'application/json' }, raw: `{
    "conversion_id": "ORD-12345",
    "value": 149.99,
    "currency": "USD",
    "user_data": {
      "email": "[email protected]",
      "phone": "+15551234567"
    },
    "consent": { "analytics": true, "advertising": true }
  }` });
  assert.equal(res.status, 200, res.text);
  const event = eventById(container.id, 'ORD-12345');
  assert.equal(event.payload.user.phone, '+15551234567');
  assert.equal(event.consent_advertising, 1);
});

test('seed 004 lead example is a Lead that keeps lead_type as an attribute', async () => {
  const { container, key } = await keyedContainer();
  const res = await customWebhook(container.id, 'lead', undefined, { key, headers: { 'content-type': 'application/json' }, raw: `{
    "conversion_id": "lead_abc789",
    "value": 50,
    "currency": "USD",
    "lead_type": "demo_request",
    "user_data": {
      "email": "[email protected]"
    },
    "consent": { "analytics": true, "advertising": true }
  }` });
  assert.equal(res.status, 200, res.text);
  const event = eventById(container.id, 'lead_abc789');
  assert.equal(event.name, 'Lead');
  assert.equal(event.topic, 'lead');
  assert.equal(event.value, 50);
  assert.equal(event.payload.attributes.lead_type, 'demo_request');
});

test('each topic names its event, and the custom topic takes the name from the body', async () => {
  const { container, key } = await keyedContainer();
  const topics = [['purchase', 'Purchase'], ['lead', 'Lead'], ['signup', 'CompleteRegistration'], ['refund', 'Refund'],
    ['subscription', 'Subscribe'], ['custom', 'TrialStarted']];
  for (const [topic, name] of topics) {
    const conversionId = unique(`${topic}-`);
    const body = { conversion_id: conversionId, ...(topic === 'custom' ? { event_name: name } : {}) };
    const res = await customWebhook(container.id, topic, body, { key });
    assert.equal(res.status, 200, `${topic}: ${res.text}`);
    const event = eventById(container.id, conversionId);
    assert.equal(event.name, name);
    assert.equal(event.topic, topic);
  }
  const nameless = await customWebhook(container.id, 'custom', { conversion_id: unique('c-') }, { key });
  assert.equal(nameless.status, 422);
  assert.equal(nameless.json.error.field, 'event_name');
  const log = (await activity(container.id)).json.data;
  assert.deepEqual(log.slice(0, 7).map((a) => [a.topic, a.status]).reverse(), [
    ['purchase', 'success'], ['lead', 'success'], ['signup', 'success'], ['refund', 'success'],
    ['subscription', 'success'], ['custom', 'success'], ['custom', 'validation_error']]);
});

test('a payload refusing advertising consent is stored but marked so no postback is sent', async () => {
  const { container, key } = await keyedContainer();
  const res = await customWebhook(container.id, 'purchase', {
    conversion_id: 'ORD-NO-ADS', value: 20, currency: 'EUR', consent: { analytics: true, advertising: false },
  }, { key });
  assert.equal(res.status, 200, res.text);
  const event = eventById(container.id, 'ORD-NO-ADS');
  assert.equal(event.consent_advertising, 0);
  assert.deepEqual(event.payload.consent, { analytics: true, advertising: false });
});

test('a repeated conversion_id is acknowledged as a duplicate and stored once', async () => {
  const { container, key } = await keyedContainer();
  const body = { conversion_id: 'ORD-777', value: 10, currency: 'EUR' };
  const first = await customWebhook(container.id, 'purchase', body, { key });
  const second = await customWebhook(container.id, 'purchase', { ...body, value: 11 }, { key });
  assert.equal(first.status, 200);
  assert.equal(first.json.duplicate, false);
  assert.equal(second.status, 200);
  assert.equal(second.json.duplicate, true);
  assert.equal(second.json.event_id, 'ORD-777');
  const rows = eventsOf(container.id);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].value, 10, 'the first one stands');
  const log = (await activity(container.id)).json.data;
  assert.deepEqual(log.map((a) => [a.status, a.event_id, a.http_status]), [['duplicate', 'ORD-777', 200], ['success', 'ORD-777', 200]]);
});

test('an invalid payload is a 422 naming the field and stores nothing but its activity row', async () => {
  const { container, key } = await keyedContainer();
  const cases = [
    [{ conversion_id: 'X1', value: 10 }, 'currency', 'currency_required'],
    [{ conversion_id: 'X2', value: 10, currency: 'ZZZ' }, 'currency', 'invalid_currency'],
    [{ conversion_id: 'X3', value: -1, currency: 'EUR' }, 'value', null],
    [{ conversion_id: 'X4', products: [{ id: 'A', quantity: 0 }] }, 'products[0].quantity', 'invalid_quantity'],
    [{ conversion_id: 'X5', consent: { advertising: 'no' } }, 'consent.advertising', 'invalid_consent'],
    [{ conversion_id: 'X6', consent: { marketing: true } }, 'consent.marketing', 'unknown_field'],
    [{ conversion_id: 'X7', user_data: { birthday: '1985/06/17' } }, 'user_data.birthday', 'invalid_date'],
    [{ conversion_id: 'X8', event_name: 'Other' }, 'event_name', 'unexpected_field'],
    [{ conversion_id: 'X9', visitor_id: 'not a visitor' }, 'visitor_id', 'invalid_visitor_id'],
  ];
  for (const [body, field, code] of cases) {
    const res = await customWebhook(container.id, 'purchase', body, { key });
    assert.equal(res.status, 422, JSON.stringify(body));
    assert.equal(res.json.error.field, field, JSON.stringify(body));
    if (code) assert.equal(res.json.error.code, code);
  }
  const bad = await customWebhook(container.id, 'purchase', undefined, { key, raw: '{"conversion_id": ', headers: { 'content-type': 'application/json' } });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.error.code, 'invalid_json');
  let deep = '1';
  for (let i = 0; i < 20; i++) deep = `{"a":${deep}}`;
  const tooDeep = await customWebhook(container.id, 'purchase', undefined, { key, raw: deep, headers: { 'content-type': 'application/json' } });
  assert.equal(tooDeep.status, 422);
  assert.equal(tooDeep.json.error.code, 'too_deep');

  assert.deepEqual(eventsOf(container.id), []);
  assert.deepEqual(sql(`SELECT kind FROM pending_identities WHERE container_id = ${sqlText(container.id)}`), []);
  const log = (await activity(container.id)).json.data;
  assert.equal(log.length, cases.length + 2);
  assert.ok(log.every((a) => a.status === 'validation_error' && a.http_status === 422 && a.error_code && a.topic === 'purchase'));
});
