// Raw personal data only where a connector needs it: with no connector using {{EMAIL}}, no raw
// email reaches D1; IP and user agent only with {{IP}}/{{USER_AGENT}}; both platforms' hashes
// arrive at a partner with fixed digests, whether or not the raw values were kept.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { admin, sql, sqlText, unique } from '../harness/app.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { keyedContainer, customWebhook } from '../harness/webhooks.mjs';

const receiver = await startReceiver();
after(() => receiver.close());

// sha256 of `johnsmith@gmail.com`, `john.smith@gmail.com`, `+16505551212`, `16505551212`.
const GOOGLE_EMAIL = '3586de92bb3636d0885a12eff961429a32e4ebd764b96f50d85d016f9338d586';
const META_EMAIL = 'd0c648bc36f12061bec770df216cea2ab95851b9350fd54b658de53b0407767a';
const GOOGLE_PHONE = '1e231c66011e7a2d867a9cfae267a6aff103cf4913640b6e71a99850fc0ffbc8';
const META_PHONE = 'e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176';

const everything = (containerId) => JSON.stringify([
  sql(`SELECT * FROM events WHERE container_id = ${sqlText(containerId)}`),
  sql(`SELECT * FROM identities WHERE container_id = ${sqlText(containerId)}`),
  sql(`SELECT * FROM deliveries WHERE container_id = ${sqlText(containerId)}`),
]);

async function hashedConnector(containerId, path, extra = []) {
  const res = await admin.createConnector(containerId, {
    name: unique('Ads '), trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`, params: [
      { name: 'em_google', value: '{{EMAIL_SHA256_GOOGLE}}' }, { name: 'em', value: '{{EMAIL_SHA256}}' },
      { name: 'ph_google', value: '{{PHONE_E164_SHA256}}' }, { name: 'ph', value: '{{PHONE_SHA256}}' }, ...extra] },
  });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

test('no raw email, phone, IP or user agent reaches D1 when no connector sends them raw, and both platforms get their hashes', async () => {
  const { container, key } = await keyedContainer();
  const path = `/${unique('hashed-')}`;
  await hashedConnector(container.id, path);
  const sent = await customWebhook(container.id, 'purchase', { conversion_id: unique('o-'), value: 10, currency: 'EUR',
    user_data: { email: 'John.Smith@Gmail.com', phone: '+1 (650) 555-1212', first_name: 'John', address: { city: 'Mountain View' } },
    ip: '203.0.113.77', user_agent: 'TestBrowser/1.0' }, { key });
  assert.equal(sent.status, 200, sent.text);
  const [request] = await pollUntil(() => receiver.received(path).length ? receiver.received(path) : null, { what: 'the postback' });
  assert.equal(request.query.get('em_google'), GOOGLE_EMAIL);
  assert.equal(request.query.get('em'), META_EMAIL);
  assert.equal(request.query.get('ph_google'), GOOGLE_PHONE);
  assert.equal(request.query.get('ph'), META_PHONE);

  const stored = everything(container.id);
  for (const raw of ['Smith@Gmail', 'smith@gmail', '650', 'TestBrowser', '203.0.113.77', 'Mountain View', '"John"']) {
    assert.ok(!stored.includes(raw), `${raw} is not stored`);
  }
  const [event] = sql(`SELECT payload FROM events WHERE container_id = ${sqlText(container.id)}`);
  const user = JSON.parse(event.payload).user;
  assert.equal(user.hashes.email, META_EMAIL);
  assert.equal(user.hashes.email_google, GOOGLE_EMAIL);
  assert.equal(user.email, null);
});

test('a connector that sends {{EMAIL}}, {{IP}} and {{USER_AGENT}} raw keeps exactly those raw', async () => {
  const { container, key } = await keyedContainer();
  const path = `/${unique('raw-')}`;
  await hashedConnector(container.id, path, [{ name: 'email', value: '{{EMAIL}}' }, { name: 'ip', value: '{{IP}}' }, { name: 'ua', value: '{{USER_AGENT}}' }]);
  const sent = await customWebhook(container.id, 'purchase', { conversion_id: unique('o-'),
    user_data: { email: 'jane@example.com', phone: '+358401234567' }, ip: '203.0.113.78', user_agent: 'TestBrowser/2.0' }, { key });
  assert.equal(sent.status, 200, sent.text);
  const [request] = await pollUntil(() => receiver.received(path).length ? receiver.received(path) : null, { what: 'the postback' });
  assert.equal(request.query.get('email'), 'jane@example.com');
  assert.equal(request.query.get('ip'), '203.0.113.78');
  assert.equal(request.query.get('ua'), 'TestBrowser/2.0');
  const [event] = sql(`SELECT payload FROM events WHERE container_id = ${sqlText(container.id)}`);
  const payload = JSON.parse(event.payload);
  assert.equal(payload.user.email, 'jane@example.com');
  assert.equal(payload.user.phone, null, 'no connector sends the phone raw');
  assert.equal(payload.user.hashes.phone_e164.length, 64);
  assert.equal(payload.ip, '203.0.113.78');
});

test('a connector added later cannot send raw values of events stored before it existed', async () => {
  const { container, key } = await keyedContainer();
  const sent = await customWebhook(container.id, 'purchase', { conversion_id: unique('o-'), user_data: { email: 'late@example.com' } }, { key });
  assert.equal(sent.status, 200, sent.text);
  const later = await admin.createConnector(container.id, { name: 'Later', trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}/later`, params: [{ name: 'email', value: '{{EMAIL}}' }] } });
  assert.equal(later.status, 201);
  assert.ok(!everything(container.id).includes('late@example.com'));
});
