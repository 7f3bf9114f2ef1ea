// Secret rotation without a gap: for the overlap every request carries both signatures in
// webhook-signature, and the official Standard Webhooks verifier (the `standardwebhooks` npm
// package) accepts the request with either secret.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { admin, call, sql, sqlText, unique, waitForDelivery } from '../harness/app.mjs';
import { connectorFor } from '../harness/postbacks.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { apiKeys, webhookGet } from '../harness/webhooks.mjs';

let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

const secret = () => `whsec_${randomBytes(32).toString('base64')}`;
const rotate = (id, body) => call('POST', `/admin/api/connectors/${id}/rotate-secret`, { body });

/** The base64 part of a `whsec_` secret: what a plain-text copy would contain. */
const keyOf = (whsec) => whsec.slice('whsec_'.length);

/** Every D1 text a connector's secrets could be copied into: its row and its deliveries' rows. */
function storedTexts(connectorId) {
  const [row] = sql(`SELECT config, previous_secret FROM connectors WHERE id = ${sqlText(connectorId)}`);
  const deliveries = sql(`SELECT request, headers FROM deliveries WHERE connector_id = ${sqlText(connectorId)}`);
  return JSON.stringify({ row, deliveries });
}

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
  const stored = storedTexts(connector.id);
  assert.ok(!stored.includes(keyOf(oldSecret)) && !stored.includes(keyOf(newSecret)),
    'D1 holds neither secret in plain text after the rotation, in the connector or its deliveries');
  const [{ version, sealed, previous }] = sql(`SELECT secret_version AS version,
    json_extract(config, '$.webhook.signing_secret') AS sealed, previous_secret AS previous
    FROM connectors WHERE id = ${sqlText(connector.id)}`);
  assert.equal(version, 2, 'the rotation incremented the secret version');
  assert.match(sealed, /^pcsec1:[A-Za-z0-9_-]{6}:/, 'the current secret is sealed');
  assert.match(previous, /^pcsec1:[A-Za-z0-9_-]{6}:/, 'the previous secret is sealed');
  const [row] = sql(`SELECT request FROM deliveries WHERE connector_id = ${sqlText(connector.id)}`);
  assert.equal(JSON.parse(row.request).secret_version, 2, 'the delivery names the secret version it was signed with');
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

test('a connector\'s secret is sealed in D1 from its creation, and never shown by the admin API', async () => {
  const signingSecret = secret();
  const { connector } = await connectorFor(receiver, { webhook: { method: 'POST', signing_secret: signingSecret } });
  assert.ok(!storedTexts(connector.id).includes(keyOf(signingSecret)), 'no plain-text secret after create');
  const [{ sealed, version }] = sql(`SELECT json_extract(config, '$.webhook.signing_secret') AS sealed,
    secret_version AS version FROM connectors WHERE id = ${sqlText(connector.id)}`);
  assert.match(sealed, /^pcsec1:/);
  assert.equal(version, 1);
  const shown = await call('GET', `/admin/api/connectors/${connector.id}`);
  assert.equal(shown.status, 200, shown.text);
  assert.equal(shown.json.webhook.signing_secret_set, true);
  assert.ok(!shown.text.includes(keyOf(signingSecret)) && !shown.text.includes(sealed), 'the API shows neither form');
  const renamed = await call('PATCH', `/admin/api/connectors/${connector.id}`, { body: { name: unique('renamed ') } });
  assert.equal(renamed.status, 200, renamed.text);
  assert.ok(!storedTexts(connector.id).includes(keyOf(signingSecret)), 'an edit keeps the secret sealed');
  const versionNow = () => sql(`SELECT secret_version AS v FROM connectors WHERE id = ${sqlText(connector.id)}`)[0].v;
  assert.equal(versionNow(), 1, 'an edit that keeps the secret keeps its version');
  const replaced = await call('PATCH', `/admin/api/connectors/${connector.id}`, { body: { webhook: { signing_secret: secret() } } });
  assert.equal(replaced.status, 200, replaced.text);
  assert.equal(versionNow(), 2, 'an edit that replaces the secret is a new version, as a rotation is');
});

test('a delivery written before a rotation is signed at send time, verifiable with the new secret and, during the overlap, the old one', async () => {
  const oldSecret = secret();
  const { container, connector, path } = await connectorFor(receiver, {
    webhook: { method: 'POST', signing_secret: oldSecret },
  });
  receiver.script(path, { status: 500 });
  const key = (await apiKeys.create(container.id, { name: unique('key-') })).json.key;
  await webhookGet({ k: key, track: 'Purchase', value: '5', currency: 'EUR', eventId: unique('o-') });
  const [original] = await pollUntil(async () => {
    const rows = (await admin.deliveries(connector.id)).json.data;
    return rows.length === 1 && rows[0].status === 'failed' && rows;
  }, { what: 'the delivery failed before the rotation', timeoutMs: 40_000 });
  const before = receiver.received(path)[0];
  assert.ok(verifies(oldSecret, before), 'its attempts were signed with the secret of their time');
  const newSecret = secret();
  assert.equal((await rotate(connector.id, { signing_secret: newSecret })).status, 200);
  receiver.script(path, { status: 200 });
  const attempts = receiver.received(path).length;
  const replay = await admin.replay(original.id);
  assert.equal(replay.status, 202, replay.text);
  const resent = await pollUntil(() => receiver.received(path)[attempts], { what: 'the replay after the rotation' });
  assert.equal(resent.headers['webhook-id'], before.headers['webhook-id'], 'the same delivery');
  assert.ok(verifies(newSecret, resent), 'the new secret verifies it');
  assert.ok(verifies(oldSecret, resent), 'the old secret still verifies it during the overlap');
  const versions = sql(`SELECT json_extract(request, '$.secret_version') AS v FROM deliveries
    WHERE connector_id = ${sqlText(connector.id)} ORDER BY created_at`).map((r) => r.v);
  assert.deepEqual(versions, [1, 1], 'the replay keeps the version its original was written under');
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
