// GET|POST /webhook: every parameter of seed 002's table, from the query, a JSON body and a form.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql, sqlText, unique } from '../harness/app.mjs';
import { activity, eventById, keyedContainer, sha256, webhookGet, webhookPost } from '../harness/webhooks.mjs';

let container;
let key;
before(async () => {
  // A connector sends the raw values, so they are stored raw (see privacy_minimisation).
  ({ container, key } = await keyedContainer({ rate: 5000, keepRaw: true }));
});

const pending = (rowId) => sql(`SELECT kind, value FROM pending_identities WHERE event_row_id = ${sqlText(rowId)} ORDER BY kind, value`);
const click = (event, param) => event.payload.clicks.find((c) => c.param === param)?.value;
// Address details, birthday and gender have no raw placeholder: they are always stored hashed.
const hashed = (event, field) => event.payload.user.hashes.fields[field];

// One row per parameter of seed 002's table, in its order, plus `source=stripe` from the text
// under it: what to send with track=Purchase, and where it must land.
const SEED_002 = [
  ['k', {}, (e) => assert.deepEqual(e.payload.attributes, {}, 'the key is never stored')],
  ['track', { track: 'BookingComplete' }, (e) => assert.equal(e.name, 'BookingComplete')],
  ['value', { value: '99.00', currency: 'EUR' }, (e) => { assert.equal(e.value, 99); assert.equal(e.currency, 'EUR'); }],
  ['currency', { currency: 'eur' }, (e) => assert.equal(e.currency, 'EUR')],
  ['url', { url: 'https://shop.example/thanks?o=1' }, (e) => assert.equal(e.payload.url, 'https://shop.example/thanks?o=1')],
  ['email', { email: 'Customer@Example.com' }, (e) => {
    assert.equal(e.payload.user.email, 'Customer@Example.com');
    assert.deepEqual(pending(e.id), [{ kind: 'email_sha256', value: sha256('customer@example.com') }]);
  }],
  ['phoneNumber', { phoneNumber: '+358 40 1234567' }, (e) => {
    assert.equal(e.payload.user.phone, '+358 40 1234567');
    assert.deepEqual(pending(e.id), [{ kind: 'phone_sha256', value: sha256('358401234567') }]);
  }],
  ['firstName', { firstName: 'Jane' }, (e) => assert.equal(e.payload.user.first_name, 'Jane')],
  ['lastName', { lastName: 'Doe' }, (e) => assert.equal(e.payload.user.last_name, 'Doe')],
  ['birthday', { birthday: '1985-06-17' }, (e) => assert.equal(hashed(e, 'birthday'), sha256('19850617'))],
  ['gender', { gender: 'female' }, (e) => assert.equal(hashed(e, 'gender'), sha256('female'))],
  ['address', { address: 'Main Street 1' }, (e) => assert.equal(hashed(e, 'street'), sha256('main street 1'))],
  ['postCode', { postCode: '00100' }, (e) => assert.equal(hashed(e, 'postal_code'), sha256('00100'))],
  ['city', { city: 'Helsinki' }, (e) => assert.equal(hashed(e, 'city'), sha256('helsinki'))],
  ['country', { country: 'FI' }, (e) => assert.equal(hashed(e, 'country'), sha256('fi'))],
  ['externalId', { externalId: 'order-12345' }, (e) => {
    assert.equal(e.payload.user.external_id, 'order-12345');
    assert.deepEqual(pending(e.id), [{ kind: 'external_id', value: 'order-12345' }]);
  }],
  ...[['gclid', 'gclid'], ['fbclid', 'fbclid'], ['gbraid', 'gbraid'], ['wbraid', 'wbraid'], ['ttclid', 'ttclid'],
    ['msclkid', 'msclkid'], ['epik', 'epik'], ['dclid', 'dclid'], ['rdtCid', 'rdt_cid'], ['trlc', 'trlc']]
    .map(([name, param]) => [name, { [name]: `${param}-Value_1` }, (e) => {
      assert.equal(click(e, param), `${param}-Value_1`);
      assert.deepEqual(pending(e.id), [{ kind: `click:${param}`, value: `${param}-Value_1` }], 'a click id can match later');
    }]),
  ['trls', { trls: 'src-1' }, (e) => {
    assert.equal(click(e, 'trls'), 'src-1');
    assert.deepEqual(pending(e.id), [], 'a source tag names no person, so it never matches');
  }],
  ...[['utmSource', 'utm_source', 'google'], ['utmMedium', 'utm_medium', 'cpc'], ['utmCampaign', 'utm_campaign', 'summer sale'],
    ['utmContent', 'utm_content', 'banner-a'], ['utmTerm', 'utm_term', 'running shoes']]
    .map(([name, param, value]) => [name, { [name]: value }, (e) => {
      assert.equal(click(e, param), value);
      assert.deepEqual(pending(e.id), []);
    }]),
  ['eventId', {}, (e, sent) => assert.equal(e.event_id, sent.eventId)],
  ['priorityExternalId', { priorityExternalId: 'crm-9' }, (e) => {
    assert.equal(e.payload.user.extra.priority_external_id, 'crm-9');
    assert.deepEqual(pending(e.id), [{ kind: 'external_id', value: 'crm-9' }]);
  }],
  ['phoneNumberVariants', { phoneNumberVariants: '+358401111111,0401111112' }, (e) => {
    assert.deepEqual(e.payload.user.extra.phone_variants, ['+358401111111', '0401111112']);
    assert.equal(pending(e.id).filter((p) => p.kind === 'phone_sha256').length, 2);
  }],
  ['emailVariants', { emailVariants: '["a@example.com","B@example.com"]' }, (e) => {
    assert.deepEqual(e.payload.user.extra.email_variants, ['a@example.com', 'B@example.com']);
    assert.deepEqual(pending(e.id).map((p) => p.value).sort(), [sha256('a@example.com'), sha256('b@example.com')].sort());
  }],
  ['userAgent', { userAgent: 'Mozilla/5.0 (X11)' }, (e) => assert.equal(e.payload.user_agent, 'Mozilla/5.0 (X11)')],
  ['ip', { ip: '203.0.113.9' }, (e) => assert.equal(e.payload.ip, '203.0.113.9')],
  ['actionSource', { actionSource: 'website' }, (e) => assert.equal(e.payload.attributes.action_source, 'website')],
  ['eventAttributes', { eventAttributes: '{"plan":"Premium","seats":3}' }, (e) => {
    assert.equal(e.payload.attributes.plan, 'Premium');
    assert.equal(e.payload.attributes.seats, 3);
  }],
  ['eventSourceDomain', { eventSourceDomain: 'shop.example' }, (e) => assert.equal(e.payload.attributes.event_source_domain, 'shop.example')],
  ['isPartial', { isPartial: 'true' }, (e) => assert.equal(e.payload.attributes.is_partial, true)],
  ['forceNewSessionCreatedAt', { forceNewSessionCreatedAt: '1750000000' }, (e) => assert.equal(e.payload.attributes.force_new_session_created_at, 1750000000000)],
  ['source', { source: 'stripe' }, (e) => assert.equal(e.payload.attributes.source, 'stripe')],
];

for (const [name, params, check] of SEED_002) {
  test(`the seed 002 parameter ${name} sent in the query lands in the stored event`, async () => {
    const sent = { k: key, track: 'Purchase', eventId: unique(`row-${name}-`), ...params };
    const res = await webhookGet(sent);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.status, 'accepted');
    assert.equal(res.json.type, 'track');
    assert.equal(res.json.event_id, sent.eventId);
    const event = eventById(container.id, sent.eventId);
    assert.ok(event, 'the event is stored');
    assert.equal(event.source, 'webhook');
    check(event, sent);
  });
}

// Every parameter at once, as each transport carries it.
const ALL = {
  track: 'Purchase', value: '99.5', currency: 'EUR', url: 'https://shop.example/thanks', email: 'jane@example.com',
  phoneNumber: '+358401234567', firstName: 'Jane', lastName: 'Doe', birthday: '1985-06-17', gender: 'female',
  address: 'Main Street 1', postCode: '00100', city: 'Helsinki', country: 'FI', externalId: 'ext-1', gclid: 'G-1',
  fbclid: 'F-1', gbraid: 'GB-1', wbraid: 'WB-1', ttclid: 'TT-1', msclkid: 'MS-1', epik: 'EP-1', dclid: 'DC-1',
  rdtCid: 'RD-1', trls: 'TS-1', trlc: 'TC-1', utmSource: 'google', utmMedium: 'cpc', utmCampaign: 'spring',
  utmContent: 'a', utmTerm: 'shoes', priorityExternalId: 'prio-1', phoneNumberVariants: '+358401234568',
  emailVariants: 'jane.doe@example.com', userAgent: 'UA/1', ip: '2001:db8::1', actionSource: 'app',
  eventAttributes: '{"plan":"Premium"}', eventSourceDomain: 'shop.example', isPartial: 'false',
  forceNewSessionCreatedAt: '2025-06-15T12:00:00Z', source: 'stripe',
};

function comparable(event) {
  const { event_id: _, ...rest } = event.payload;
  return { name: event.name, value: event.value, currency: event.currency, ...rest };
}

test('the same parameters from the query, a JSON body and a form body store the same event', async () => {
  const ids = [unique('q-'), unique('j-'), unique('f-')];
  const viaQuery = await webhookGet({ k: key, eventId: ids[0], ...ALL });
  const viaJson = await webhookPost({ json: { k: key, eventId: ids[1], ...ALL, eventAttributes: { plan: 'Premium' } } });
  const viaForm = await webhookPost({ form: { k: key, eventId: ids[2], ...ALL } });
  for (const res of [viaQuery, viaJson, viaForm]) assert.equal(res.status, 200, res.text);
  const [q, j, f] = ids.map((id) => comparable(eventById(container.id, id)));
  assert.deepEqual(j, q);
  assert.deepEqual(f, q);
  assert.equal(q.attributes.plan, 'Premium');
  assert.equal(q.clicks.length, 16, 'nine click ids, trls, trlc and five UTM fields');
});

test('seed 002 example 1, a basic JSON purchase, is stored as sent', async () => {
  const res = await webhookPost({ bearer: key, json: {
    track: 'Purchase',
    value: 99.00,
    currency: 'EUR',
    externalId: 'order-12345',
    email: 'customer@example.com',
  } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.duplicate, false);
  const event = eventById(container.id, res.json.event_id);
  assert.equal(event.name, 'Purchase');
  assert.equal(event.value, 99);
  assert.equal(event.currency, 'EUR');
  assert.equal(event.payload.user.external_id, 'order-12345');
  assert.equal(event.payload.user.email, 'customer@example.com');
});

test('seed 002 example 2 keeps event_attributes as the custom data', async () => {
  const res = await webhookPost({ bearer: key, json: {
    track: 'Purchase',
    value: 99.00,
    currency: 'EUR',
    externalId: 'order-12345',
    email: 'customer@example.com',
    event_attributes: {
      plan: 'Premium',
      billingPeriod: 'Annual',
      sourceSystem: 'CRM',
    },
  } });
  assert.equal(res.status, 200, res.text);
  const event = eventById(container.id, res.json.event_id);
  assert.deepEqual(event.payload.attributes, { plan: 'Premium', billingPeriod: 'Annual', sourceSystem: 'CRM' });
});

test('the key is taken from k in the query, k in a JSON or form body, or a Bearer header', async () => {
  const ways = [
    () => webhookGet({ k: key, track: 'Lead' }),
    () => webhookGet({ track: 'Lead' }, { headers: { authorization: `Bearer ${key}` } }),
    () => webhookPost({ json: { k: key, track: 'Lead' } }),
    () => webhookPost({ form: { k: key, track: 'Lead' } }),
    () => webhookPost({ query: { track: 'Lead' }, bearer: key }),
    () => webhookPost({ query: { k: key }, json: { track: 'Lead' }, bearer: key }),
  ];
  for (const send of ways) {
    const res = await send();
    assert.equal(res.status, 200, res.text);
    assert.ok(eventById(container.id, res.json.event_id));
  }
});

test('a repeated eventId is acknowledged as a duplicate and stored once', async () => {
  const eventId = unique('dup-');
  const first = await webhookGet({ k: key, track: 'Purchase', value: '10', currency: 'EUR', eventId });
  const second = await webhookPost({ json: { k: key, track: 'Purchase', value: 10, currency: 'EUR', eventId } });
  assert.equal(first.status, 200);
  assert.equal(first.json.duplicate, false);
  assert.equal(second.status, 200);
  assert.equal(second.json.duplicate, true);
  assert.equal(second.json.event_id, eventId);
  const rows = sql(`SELECT id FROM events WHERE container_id = ${sqlText(container.id)} AND event_id = ${sqlText(eventId)}`);
  assert.equal(rows.length, 1);
  const log = (await activity(container.id)).json.data.filter((a) => a.event_id === eventId);
  assert.deepEqual(log.map((a) => a.status), ['duplicate', 'success']);
});

test('value without currency, a bad currency and a bad birthday are refused naming the field', async () => {
  const cases = [
    [{ track: 'Purchase', value: '10' }, 'currency', 'currency_required'],
    [{ track: 'Purchase', value: '10', currency: 'EURO' }, 'currency', 'invalid_currency'],
    [{ track: 'Purchase', birthday: '17.06.1985' }, 'birthday', 'invalid_date'],
    [{ track: 'Purchase', url: 'javascript:alert(1)' }, 'url', 'invalid_url'],
    [{ value: '10', currency: 'EUR', email: 'a@example.com' }, 'value', 'track_required'],
  ];
  for (const [params, field, code] of cases) {
    const eventId = unique('bad-');
    const res = await webhookGet({ k: key, ...params, ...(params.track ? { eventId } : {}) });
    assert.equal(res.status, 422, JSON.stringify(params));
    assert.equal(res.json.error.field, field);
    assert.equal(res.json.error.code, code);
    assert.deepEqual(sql(`SELECT id FROM events WHERE event_id = ${sqlText(eventId)}`), []);
  }
});
