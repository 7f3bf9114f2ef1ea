// The console's conversion status controls, in real headless Chromium: a marketer opens a
// container's conversions, approves one with a reason, reverses another, and the partner of an
// approval-gated connector is paid for the approved one only. The connector's reconciliation
// chart then accounts for both, and the container overview counts them by status; every screen
// is axe-clean and fits a 390 px phone without scrolling sideways.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, call, unique } from '../harness/app.mjs';
import { consoleSession, signIn } from '../harness/console_session.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { connectorFor } from '../harness/postbacks.mjs';
import { apiKeys, webhookGet } from '../harness/webhooks.mjs';

// screen(): axe-core, no sideways scrolling at the viewport's width, and a screenshot.
const session = consoleSession({ shotPrefix: 'lifecycle-' });
const { shot, screen } = session;
let page;
let receiver;
before(async () => ({ page, receiver } = await session.ready));

test('a marketer approves and reverses conversions from the console, and only the approved one is paid', async () => {
  const { container, connector, path } = await connectorFor(receiver, { webhook: { fire_on_status: 'approved', params: [{ name: 'o', value: '{{EVENT_ID}}' }] } });
  const key = (await apiKeys.create(container.id, { name: unique('key-') })).json.key;
  const [keep, refund] = [unique('order-'), unique('order-')];
  for (const id of [keep, refund]) {
    assert.equal((await webhookGet({ k: key, track: 'Purchase', value: '20', currency: 'EUR', eventId: id })).status, 200);
  }

  await signIn(page);
  await page.goto(`${BASE}/admin#/containers/${container.id}`);
  await page.locator('#conversions-link').click();
  await page.getByRole('heading', { name: `Conversions of ${container.name}` }).waitFor();
  await page.locator(`tr[data-event="${keep}"] .badge.received`).waitFor();
  await shot('01-conversions');

  await page.getByLabel('Reason for a change (optional)').fill('validated by the shop');
  await page.getByRole('button', { name: `Approve ${keep}` }).click();
  await page.locator(`tr[data-event="${keep}"] .badge.approved`).waitFor();
  await page.getByRole('button', { name: `Reverse ${refund}` }).click();
  await page.locator(`tr[data-event="${refund}"] .badge.reversed`).waitFor();
  assert.equal(await page.getByRole('button', { name: `Approve ${refund}` }).count(), 0, 'reversed is final: no controls');
  await shot('02-approved-and-reversed');

  const paid = await pollUntil(() => { const got = receiver.received(path); return got.length >= 1 && got; }, { what: 'the approved postback' });
  assert.deepEqual(paid.map((r) => r.query.get('o')), [keep]);
  const listed = await call('GET', `/admin/api/containers/${container.id}/events?event_id=${keep}`);
  const history = (await call('GET', `/admin/api/events/${listed.json.data[0].id}`)).json.history;
  assert.equal(history.at(-1).reason, 'validated by the shop');

  await page.selectOption('#status-filter', 'reversed');
  // The approved one leaves the list once the filtered page is drawn; the reversed one stays.
  await page.locator(`tr[data-event="${keep}"]`).waitFor({ state: 'detached' });
  assert.equal(await page.locator(`tr[data-event="${refund}"] .badge.reversed`).count(), 1, 'the filter shows reversed conversions');

  // The connector's reconciliation: one delivered, one skipped awaiting approval, nothing lost.
  await page.goto(`${BASE}/admin#/connectors/${connector.id}`);
  const totals = page.locator('#reconciliation-totals');
  await totals.waitFor();
  assert.equal(await totals.locator('dd[data-part="delivered"]').textContent(), '1');
  assert.equal(await totals.locator('dd[data-part="skipped"]').textContent(), '1');
  assert.match(await totals.textContent(), /Skipped: (awaiting_approval|not_approved)1/);
  assert.equal(await page.locator('#reconciliation svg.daily-chart rect[data-part="delivered"]').count(), 1, 'one bar segment for the delivered day');
  assert.match(await page.locator('#reconciliation svg.daily-chart rect[data-part="delivered"] title').textContent(), /: 1 delivered$/);
  await screen('03-reconciliation');

  // The container overview: today's events by status.
  await page.goto(`${BASE}/admin#/containers/${container.id}`);
  await page.locator('#overview-link').click();
  const overview = page.locator('#overview-totals');
  await overview.waitFor();
  assert.equal(await overview.locator('dd[data-part="approved"]').textContent(), '1');
  assert.equal(await overview.locator('dd[data-part="reversed"]').textContent(), '1');
  assert.equal(await page.locator('#events-overview table tbody tr').count(), 1, 'one day with events');
  await screen('04-overview');

  await page.setViewportSize({ width: 390, height: 844 });
  await screen('05-overview-phone');
  await page.goto(`${BASE}/admin#/connectors/${connector.id}`);
  await page.locator('#reconciliation-totals').waitFor();
  await screen('06-reconciliation-phone');
  await page.goto(`${BASE}/admin#/containers/${container.id}/conversions`);
  await page.locator(`tr[data-event="${keep}"]`).waitFor();
  await screen('07-conversions-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
});
