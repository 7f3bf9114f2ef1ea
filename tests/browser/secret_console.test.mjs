// The connector page's secret and recovery tools, in real headless Chromium: "Rotate secret" with
// a generated whsec_ secret, confirmed, shows the overlap's end, and the next postback verifies
// with either secret; "Recover deliveries since…", confirmed, shows the count answered and the
// partner receives the failed delivery again. Both screens are axe-clean and fit 390 px.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { randomBytes } from 'node:crypto';
import { BASE, admin, sql, sqlText, unique } from '../harness/app.mjs';
import { consoleSession, signIn } from '../harness/console_session.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { connectorFor } from '../harness/postbacks.mjs';
import { apiKeys, webhookGet } from '../harness/webhooks.mjs';

// A phone's width; every confirm() is accepted. screen(): axe-core, no sideways scrolling, a shot.
const session = consoleSession({ viewport: { width: 390, height: 844 }, acceptDialogs: true, shotPrefix: 'secret-' });
const { screen } = session;
let page;
let receiver;
before(async () => ({ page, receiver } = await session.ready));

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

test('Rotate secret on the connector page rotates to a generated secret, shows the overlap end, and both secrets verify the next postback', async () => {
  const oldSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const { container, connector, path } = await connectorFor(receiver, { webhook: { method: 'POST', signing_secret: oldSecret } });
  const key = (await apiKeys.create(container.id, { name: unique('key-') })).json.key;

  await signIn(page);
  await page.goto(`${BASE}/admin#/connectors/${connector.id}`);
  const tools = page.getByRole('region', { name: 'Secret and recovery' });
  await tools.waitFor();
  await tools.getByRole('button', { name: 'Generate a secret' }).click();
  const newSecret = await tools.getByLabel('New signing secret').inputValue();
  assert.match(newSecret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  await tools.getByRole('button', { name: 'Rotate secret' }).click();
  const result = page.locator('#rotate-result');
  await result.getByText('Rotated.').waitFor();
  assert.match(await result.textContent(), /previous secret also signs every request until/);
  const [{ version }] = sql(`SELECT secret_version AS version FROM connectors WHERE id = ${sqlText(connector.id)}`);
  assert.equal(version, 2, 'the API rotated the secret');
  await screen('01-rotated');

  await webhookGet({ k: key, track: 'Purchase', value: '5', currency: 'EUR', eventId: unique('o-') });
  const [request] = await pollUntil(() => { const got = receiver.received(path); return got.length === 1 && got; }, { what: 'the postback' });
  assert.ok(verifies(newSecret, request), 'the generated secret verifies');
  assert.ok(verifies(oldSecret, request), 'the previous secret verifies during the overlap');
});

test('Recover deliveries since… re-queues the failed deliveries, shows how many, and the partner receives them', async () => {
  const { container, connector, path } = await connectorFor(receiver, { webhook: { params: [{ name: 'o', value: '{{EVENT_ID}}' }] } });
  const key = (await apiKeys.create(container.id, { name: unique('key-') })).json.key;
  receiver.script(path, { status: 500 });
  const order = unique('o-');
  assert.equal((await webhookGet({ k: key, track: 'Purchase', value: '9', currency: 'EUR', eventId: order })).status, 200);
  await pollUntil(async () => (await admin.deliveries(connector.id)).json.data.some((d) => d.status === 'failed'),
    { what: 'a failed delivery', timeoutMs: 40_000 });
  receiver.script(path, { status: 200 });
  const before = receiver.received(path).length;

  await page.goto(`${BASE}/admin#/connectors/${connector.id}`);
  const tools = page.getByRole('region', { name: 'Secret and recovery' });
  await tools.waitFor();
  const since = new Date(Date.now() - 3600_000);
  const local = new Date(since.getTime() - since.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await tools.getByLabel('Recover deliveries since').fill(local);
  await tools.getByRole('button', { name: 'Recover deliveries' }).click();
  const result = page.locator('#recover-result');
  await result.getByText('1 delivery queued again.').waitFor();
  await pollUntil(() => receiver.received(path).slice(before).some((r) => r.query.get('o') === order),
    { what: 'the recovered delivery at the partner' });
  const rows = (await admin.deliveries(connector.id)).json.data;
  assert.equal(rows.filter((d) => d.replay_of).length, 1, 'one re-queued row');
  await screen('02-recovered');
});
