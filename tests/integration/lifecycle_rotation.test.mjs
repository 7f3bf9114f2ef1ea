// Secret rotation without a gap: for the overlap every request carries both signatures in
// webhook-signature, and the official Standard Webhooks verifier (the `standardwebhooks` npm
// package) accepts the request with either secret.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { admin, call, unique, waitForDelivery } from '../harness/app.mjs';
import { connectorFor } from '../harness/postbacks.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { apiKeys, webhookGet } from '../harness/webhooks.mjs';

let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

const secret = () => `whsec_${randomBytes(32).toString('base64')}`;
const rotate = (id, body) => call('POST', `/admin/api/connectors/${id}/rotate-secret`, { body });

/** Whether the official verifier accepts `request` with `key`. */
function verifies(key, request) {
  try {
    new Webhook(key).verify(request.body, {
      'webhook-id': request.headers['webhook-id'],
      'webhook-timestamp': request.headers['webhook-timestamp'],
      'webhook-signature': request.headers['webhook-signature'],
    });
    return true;
  } catch {
    return false;
  }
}

test('during the overlap a postback is signed with both secrets, and the official verifier accepts either', async () => {
  const oldSecret = secret();
  const { container, connector, path } = await connectorFor(receiver, {
    webhook: { method: 'POST', signing_secret: oldSecret, params: [{ name: 'value', value: '{{VALUE}}' }] },
  });
  const key = (await apiKeys.create(container.id, { name: unique('key-') })).json.key;
  const newSecret = secret();
  const rotated = await rotate(connector.id, { signing_secret: newSecret });
  assert.equal(rotated.status, 200, rotated.text);
  assert.ok(Date.parse(rotated.json.previous_signs_until) - Date.now() > 23 * 3600_000, 'a 24 hour overlap');
  const res = await webhookGet({ k: key, track: 'Purchase', value: '5', currency: 'EUR', eventId: unique('o-') });
  assert.equal(res.status, 200, res.text);
  const [request] = await pollUntil(() => { const got = receiver.received(path); return got.length === 1 && got; },
    { what: 'the signed postback' });
  assert.equal(request.headers['webhook-signature'].split(' ').length, 2, 'two signatures, space-separated');
  assert.ok(verifies(oldSecret, request), 'the previous secret verifies');
  assert.ok(verifies(newSecret, request), 'the new secret verifies');
  assert.ok(!verifies(secret(), request), 'another secret does not');

  // A replay during the overlap is signed like any other request: with both secrets.
  const [original] = (await admin.deliveries(connector.id)).json.data;
  await waitForDelivery(connector.id, original.id);
  const replay = await admin.replay(original.id);
  assert.equal(replay.status, 202, replay.text);
  const replayed = await pollUntil(() => { const got = receiver.received(path); return got.length === 2 && got[1]; },
    { what: 'the replayed postback' });
  assert.ok(verifies(oldSecret, replayed), 'the previous secret verifies the replay');
  assert.ok(verifies(newSecret, replayed), 'the new secret verifies the replay');

  // A Test Webhook during the overlap is signed as real postbacks are, with both secrets; a test
  // of a form that holds another secret is signed with that one only.
  const test = (body) => call('POST', `/admin/api/connectors/${connector.id}/test`, { body: { wait: true, ...body } });
  const tested = await test({});
  assert.equal(tested.status, 200, tested.text);
  assert.equal(tested.json.status, 'delivered', tested.text);
  const testRequest = receiver.received(path)[2];
  assert.ok(verifies(oldSecret, testRequest), 'the previous secret verifies the test');
  assert.ok(verifies(newSecret, testRequest), 'the new secret verifies the test');
  const edited = secret();
  const editedTest = await test({ connector: { webhook: { signing_secret: edited } } });
  assert.equal(editedTest.status, 200, editedTest.text);
  const editedRequest = receiver.received(path)[3];
  assert.ok(verifies(edited, editedRequest), 'the secret on the form verifies its test');
  assert.ok(!verifies(oldSecret, editedRequest), 'the previous secret does not sign a test of another secret');
  assert.ok(!verifies(newSecret, editedRequest), 'nor does the saved one');

  const same = await rotate(connector.id, { signing_secret: newSecret });
  assert.equal(same.status, 422);
  assert.equal(same.json.error.field, 'signing_secret');
  const bad = await rotate(connector.id, { signing_secret: 'whsec_short' });
  assert.equal(bad.status, 422);
});

test('with no overlap only the new secret signs', async () => {
  const oldSecret = secret();
  const { container, connector, path } = await connectorFor(receiver, {
    webhook: { method: 'POST', signing_secret: oldSecret },
  });
  const key = (await apiKeys.create(container.id, { name: unique('key-') })).json.key;
  const newSecret = secret();
  assert.equal((await rotate(connector.id, { signing_secret: newSecret, overlap_hours: 0 })).status, 200);
  await webhookGet({ k: key, track: 'Purchase', value: '5', currency: 'EUR', eventId: unique('o-') });
  const [request] = await pollUntil(() => { const got = receiver.received(path); return got.length === 1 && got; },
    { what: 'the signed postback' });
  assert.ok(verifies(newSecret, request));
  assert.ok(!verifies(oldSecret, request));
});
