// Small faults found while hardening the trust model, each shown fixed on the real worker: a
// pixel's approval covers its sandbox too, an event's URL loses its fragment, a connector's
// signing secret is write-only, and credential-looking header values are masked in the stored
// delivery rows, not only in the log view.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, newContainer, sql, sqlText, unique, waitForDelivery } from '../harness/app.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { SITE_ORIGIN, tracking } from '../harness/tracking.mjs';
import { apiKeys, customWebhook, eventsOf, webhookGet } from '../harness/webhooks.mjs';
import { randomBytes } from 'node:crypto';
import { verifyStandardWebhook } from '../harness/postbacks.mjs';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

test('moving an approved pixel out of its sandbox clears the approval', async () => {
  const container = await newContainer();
  const created = await admin.createConnector(container.id, {
    name: unique('Pixel '), trigger_events: ['Purchase'], mode: 'enabled',
    pixel: { enabled: true, sandbox: true, html: '<img src="https://px.example/?v={{VALUE}}">' },
  });
  assert.equal(created.status, 201, created.text);
  assert.ok((await admin.approvePixel(created.json.id)).json.pixel.approved_at);
  const renamed = await admin.patchConnector(created.json.id, { name: 'Renamed' });
  assert.ok(renamed.json.pixel.approved_at, 'an edit elsewhere keeps the approval');
  const moved = await admin.patchConnector(created.json.id, { pixel: { sandbox: false } });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.json.pixel.approved_at, null, 'the main window needs a new approval');
  const answer = await tracking('POST', `/e?id=${container.id}`, { json: { event: 'Purchase' }, origin: SITE_ORIGIN,
    headers: { 'cf-connecting-ip': '203.0.113.71' } });
  assert.deepEqual(answer.json.pixels, [], 'an unapproved pixel does not fire');
});

test('an event\'s URL is stored and sent without its fragment, whichever surface it came through', async () => {
  const container = await newContainer();
  const key = (await apiKeys.create(container.id, { name: unique('key-') })).json.key;
  const withToken = 'https://www.shop.localhost.test/thanks?order=7#access_token=s3cr3t';
  await tracking('POST', `/e?id=${container.id}`, { json: { event: 'Lead', event_id: 'browser-url', url: withToken },
    origin: SITE_ORIGIN, headers: { 'cf-connecting-ip': '203.0.113.72' } });
  await webhookGet({ k: key, track: 'Lead', eventId: 'webhook-url', url: withToken });
  await customWebhook(container.id, 'lead', { conversion_id: 'custom-url', url: withToken }, { key });
  const urls = eventsOf(container.id).map((e) => [e.event_id, e.payload.url]).sort();
  assert.deepEqual(urls, [
    ['browser-url', 'https://www.shop.localhost.test/thanks?order=7'],
    ['custom-url', 'https://www.shop.localhost.test/thanks?order=7'],
    ['webhook-url', 'https://www.shop.localhost.test/thanks?order=7'],
  ]);
  assert.ok(!JSON.stringify(sql(`SELECT payload FROM events WHERE container_id = ${sqlText(container.id)}`)).includes('s3cr3t'));
});

test('a connector\'s signing secret is write-only: never read back, kept by a patch that omits it, removed by null', async () => {
  const container = await newContainer();
  const path = `/${unique('signed-')}`;
  const created = await admin.createConnector(container.id, {
    name: unique('Signed '), trigger_events: ['Purchase'],
    webhook: { enabled: true, method: 'POST', url: `${receiver.url}${path}`, signing_secret: SECRET,
      params: [{ name: 'v', value: '{{VALUE}}' }] },
  });
  assert.equal(created.status, 201, created.text);
  for (const res of [created, await admin.getConnector(created.json.id), await admin.listConnectors(container.id)]) {
    assert.ok(!res.text.includes(SECRET), 'the secret is never in an answer');
  }
  assert.equal(created.json.webhook.signing_secret_set, true);
  assert.equal('signing_secret' in created.json.webhook, false);

  const patched = await admin.patchConnector(created.json.id, { name: 'Renamed', webhook: { params: [{ name: 'v', value: '{{VALUE}}!' }] } });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.json.webhook.signing_secret_set, true, 'a patch that omits the secret keeps it');
  const sent = await waitForDelivery(created.json.id, (await admin.testConnector(created.json.id)).json.delivery_id);
  assert.equal(sent.status, 'delivered');
  const [request] = receiver.received(path);
  assert.ok(verifyStandardWebhook(SECRET, request.headers, request.body), 'the kept secret still signs');

  const removed = await admin.patchConnector(created.json.id, { webhook: { signing_secret: null } });
  assert.equal(removed.json.webhook.signing_secret_set, false);
});

test('a header value that looks like a credential is masked in the stored delivery row whatever the header is called', async () => {
  const container = await newContainer();
  const path = `/${unique('masked-')}`;
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwYXJ0bmVyIn0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
  const created = await admin.createConnector(container.id, {
    name: unique('Headers '), trigger_events: ['Purchase'],
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`,
      headers: [{ name: 'X-Partner', value: 'Bearer partner-token-0123456789' }, { name: 'X-Claims', value: jwt },
        { name: 'X-Shop', value: 'EUR-shop' }] },
  });
  assert.equal(created.status, 201, created.text);
  const id = (await admin.testConnector(created.json.id)).json.delivery_id;
  const entry = await waitForDelivery(created.json.id, id);
  const shown = Object.fromEntries(entry.headers.map((h) => [h.name, h.value]));
  assert.deepEqual([shown['X-Partner'], shown['X-Claims'], shown['X-Shop']], ['Bearer ****6789', `****${jwt.slice(-4)}`, 'EUR-shop']);
  const [row] = sql(`SELECT url, headers, body FROM deliveries WHERE id = ${sqlText(id)}`);
  assert.ok(!row.headers.includes('partner-token-0123456789') && !row.headers.includes(jwt), 'the row people read is masked');
  const [got] = receiver.received(path);
  assert.equal(got.headers['x-partner'], 'Bearer partner-token-0123456789', 'the partner still receives the real value');
  assert.equal(got.headers['x-claims'], jwt);
});
