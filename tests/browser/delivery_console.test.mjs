// The connector page's destination line, in real headless Chromium: a partner answers 410, the
// page says the destination is parked and why, and the Un-park button sends the parked deliveries
// again and shows it active.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, admin, call, unique } from '../harness/app.mjs';
import { consoleSession, signIn } from '../harness/console_session.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { connectorFor } from '../harness/postbacks.mjs';
import { apiKeys, webhookGet } from '../harness/webhooks.mjs';

const session = consoleSession({ shotPrefix: 'delivery-' });
const { shot } = session;
let page;
let receiver;
before(async () => ({ page, receiver } = await session.ready));

test('the connector page shows a parked destination with its reason, and Un-park sends the parked deliveries', async () => {
  const { container, connector, path } = await connectorFor(receiver, { webhook: { params: [{ name: 'o', value: '{{EVENT_ID}}' }] } });
  const key = (await apiKeys.create(container.id, { name: unique('key-') })).json.key;
  receiver.script(path, { status: 410, body: 'gone' });
  const send = async (order) => assert.equal((await webhookGet({ k: key, track: 'Purchase', value: '9', currency: 'EUR', eventId: order })).status, 200);
  await send(unique('o-'));
  await pollUntil(async () => (await call('GET', `/admin/api/connectors/${connector.id}/destination`)).json.state === 'parked', { what: 'parked' });
  const waiting = unique('o-');
  await send(waiting);
  await pollUntil(async () => (await admin.deliveries(connector.id)).json.data.some((d) => d.status === 'parked'), { what: 'a parked delivery' });

  await signIn(page);
  await page.goto(`${BASE}/admin#/connectors/${connector.id}`);
  const line = page.locator('#destination-state');
  await line.getByText('Destination: parked').waitFor();
  assert.match(await line.textContent(), /the partner answered 410 Gone/);
  await shot('01-parked-destination');

  receiver.script(path, { status: 200 });
  await page.getByRole('button', { name: 'Un-park' }).click();
  await line.getByText('Destination: active').waitFor();
  await pollUntil(() => receiver.received(path).some((r) => r.query.get('o') === waiting), { what: 'the parked delivery sent after Un-park' });
  await shot('02-unparked');
});
