// One concept, one set of rules: user data, consent and click parameters sent to /e, /webhook and
// the custom webhook are stored alike, and what one surface refuses every surface refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, sql, sqlText, unique } from '../harness/app.mjs';
import { collect, Jar, sendEvent, settledClicks } from '../harness/tracking.mjs';
import { customWebhook, eventById, keyedContainer, sha256, webhookGet } from '../harness/webhooks.mjs';

const PERSON = {
  email: 'Jane@Example.com', phone: '+358 40 1234567', external_id: 'crm-1', first_name: 'Jane',
  last_name: 'Doe', birthday: '1985-06-17',
  address: { street: 'Main Street 1', postal_code: '00100', city: 'Helsinki', country: 'FI' },
};
const PERSON_FOR_WEBHOOK = {
  email: 'Jane@Example.com', phoneNumber: '+358 40 1234567', externalId: 'crm-1', firstName: 'Jane',
  lastName: 'Doe', birthday: '1985-06-17', address: 'Main Street 1', postCode: '00100', city: 'Helsinki',
  country: 'FI',
};
const identitiesOf = (rowId) =>
  sql(`SELECT kind, value FROM pending_identities WHERE event_row_id = ${sqlText(rowId)} ORDER BY kind, value`);

test('the same person sent to /e, /webhook and the custom webhook is stored with the same user data', async () => {
  const { container, key } = await keyedContainer();
  const ids = [unique('e-'), unique('w-'), unique('c-')];
  const browser = await sendEvent(container.id, { event: 'Lead', event_id: ids[0], user: PERSON, consent: { advertising: false } });
  const webhook = await webhookGet({ k: key, track: 'Lead', eventId: ids[1], ...PERSON_FOR_WEBHOOK });
  const custom = await customWebhook(container.id, 'lead', { conversion_id: ids[2], user_data: PERSON }, { key });
  for (const res of [browser, webhook, custom]) assert.equal(res.status, 200, res.text);

  const [fromBrowser, fromWebhook, fromCustom] = ids.map((id) => eventById(container.id, id));
  assert.deepEqual(fromWebhook.payload.user, fromBrowser.payload.user);
  assert.deepEqual(fromCustom.payload.user, fromBrowser.payload.user);
  // No connector sends them raw, so every surface keeps the same hashes and nothing raw.
  assert.deepEqual(fromBrowser.payload.user.extra, {});
  assert.equal(fromBrowser.payload.user.hashes.email, sha256('jane@example.com'));
  assert.deepEqual(fromBrowser.payload.user.hashes.fields, {
    first_name: sha256('jane'), last_name: sha256('doe'), birthday: sha256('19850617'),
    street: sha256('main street 1'), postal_code: sha256('00100'), city: sha256('helsinki'), country: sha256('fi') });
  const expected = [
    { kind: 'email_sha256', value: sha256('jane@example.com') },
    { kind: 'external_id', value: 'crm-1' },
    { kind: 'phone_sha256', value: sha256('358401234567') },
  ];
  assert.deepEqual(identitiesOf(fromWebhook.id), expected);
  assert.deepEqual(identitiesOf(fromCustom.id), expected);
  assert.deepEqual(identitiesOf(fromBrowser.id), expected, 'an event without a visitor waits on the same identities');
});

test('a user field one surface refuses is refused by all three, naming it the way each surface spells it', async () => {
  const { container, key } = await keyedContainer();
  const cases = [
    [{ email: 'jane\u0007@example.com' }, { email: 'jane\u0007@example.com' }, 'email', 'invalid_text'],
    [{ email: `${'j'.repeat(250)}@example.com` }, { email: `${'j'.repeat(250)}@example.com` }, 'email', 'too_long'],
    [{ birthday: '1985/06/17' }, { birthday: '1985/06/17' }, 'birthday', 'invalid_date'],
    [{ first_name: 'x'.repeat(257) }, { firstName: 'x'.repeat(257) }, 'first_name', 'too_long'],
  ];
  for (const [user, params, name, code] of cases) {
    const browser = await sendEvent(container.id, { event: 'Lead', user });
    assert.equal(browser.status, 422, browser.text);
    assert.deepEqual([browser.json.error.field, browser.json.error.code], [`user.${name}`, code]);
    const custom = await customWebhook(container.id, 'lead', { user_data: user }, { key });
    assert.equal(custom.status, 422, custom.text);
    assert.deepEqual([custom.json.error.field, custom.json.error.code], [`user_data.${name}`, code]);
    const webhook = await webhookGet({ k: key, track: 'Lead', ...params });
    assert.equal(webhook.status, 422, webhook.text);
    assert.deepEqual([webhook.json.error.field, webhook.json.error.code], [Object.keys(params)[0], code]);
  }
  assert.deepEqual(sql(`SELECT id FROM events WHERE container_id = ${sqlText(container.id)}`), [], 'nothing was stored');
});

test('a refused advertising consent is stored alike from /e, /webhook and the custom webhook', async () => {
  const { container, key } = await keyedContainer();
  const ids = [unique('e-'), unique('w-'), unique('f-'), unique('c-')];
  const responses = [
    await sendEvent(container.id, { event: 'Lead', event_id: ids[0], consent: { advertising: 'denied' } }),
    await webhookGet({ k: key, track: 'Lead', eventId: ids[1], consent: 'denied' }),
    await webhookGet({ k: key, track: 'Lead', eventId: ids[2], 'consent[advertising]': 'false' }),
    await customWebhook(container.id, 'lead', { conversion_id: ids[3], consent: { advertising: false } }, { key }),
  ];
  for (const res of responses) assert.equal(res.status, 200, res.text);
  for (const id of ids) {
    const event = eventById(container.id, id);
    assert.equal(event.consent_advertising, 0, id);
    assert.equal(event.payload.consent.advertising, false, id);
  }
  const typo = await webhookGet({ k: key, track: 'Lead', consent: 'maybe' });
  assert.equal(typo.status, 422);
  assert.deepEqual([typo.json.error.field, typo.json.error.code], ['consent', 'invalid_consent']);
  const custom = await customWebhook(container.id, 'lead', { consent: { advertising: 'maybe' } }, { key });
  assert.deepEqual([custom.status, custom.json.error.code], [422, 'invalid_consent']);
});

test('utm_id is captured and carried like every UTM tag; trlc and trls are carried by the webhooks only', async () => {
  const { container, key } = await keyedContainer();
  const jar = new Jar();
  await collect(container.id, 'https://www.shop.localhost.test/?utm_source=news&utm_id=cmp-42&trlc=TC-1&trls=TS-1', { jar });
  const captured = (await settledClicks(container.id, 'param, value')).sort((a, b) => a.param.localeCompare(b.param));
  assert.deepEqual(captured, [{ param: 'utm_id', value: 'cmp-42' }, { param: 'utm_source', value: 'news' }]);

  const ids = [unique('w-'), unique('c-')];
  await webhookGet({ k: key, track: 'Lead', eventId: ids[0], utmId: 'cmp-42', trlc: 'TC-1', trls: 'TS-1' });
  await customWebhook(container.id, 'lead', { conversion_id: ids[1], utm_id: 'cmp-42', trlc: 'TC-1', trls: 'TS-1' }, { key });
  for (const id of ids) {
    const event = eventById(container.id, id);
    assert.deepEqual(event.payload.clicks, [
      { param: 'trlc', value: 'TC-1' }, { param: 'trls', value: 'TS-1' }, { param: 'utm_id', value: 'cmp-42' },
    ], id);
    assert.deepEqual(event.payload.attributes, {}, 'a known click parameter is never an attribute');
  }
});

test('the parameter list offers a dynamic parameter for every click parameter postclick knows', async () => {
  const res = await admin.parameters();
  assert.equal(res.status, 200);
  const clicks = res.json.data.filter((p) => p.group === 'click').map((p) => p.name);
  for (const name of ['GCLID', 'FBCLID', 'FBC', 'RDT_CID', 'LI_FAT_ID', 'TWCLID', 'TRLC', 'TRLS', 'UTM_SOURCE', 'UTM_ID']) {
    assert.ok(clicks.includes(name), name);
  }
  assert.equal(new Set(res.json.data.map((p) => p.name)).size, res.json.data.length, 'each parameter is listed once');
});
