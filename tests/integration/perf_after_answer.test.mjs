// What an accepted event costs the platform after its answer: the work it leaves to wait_until
// (dispatching its connectors) logs its D1 round trips and queue sends as
// `postclick-after: <what> d1=N queue=M` when SERVER_TIMING is on, so this test runs a worker of
// its own that keeps its log. Server-Timing gives the count before the answer. The postbacks
// consumer logs each batch's counts the same way (`postclick-after: postback batch of N ...`).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { callAt, sqlText, unique, WORKER_VARS } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { Jar, sendEvent } from '../harness/tracking.mjs';
import { webhooksAt } from '../harness/webhooks.mjs';
import { logMatches, queryD1, startWorker } from '../harness/worker.mjs';

let worker;
let receiver;
let hooks;
before(async () => {
  receiver = await startReceiver();
  worker = await startWorker({ vars: WORKER_VARS, logLevel: 'log' });
  hooks = webhooksAt(worker);
});
after(async () => {
  await worker?.stop();
  worker?.cleanup();
  await receiver?.close();
});

const AFTER = /postclick-after: (webhook dispatch|event dispatch) d1=(\d+) queue=(\d+)/g;
/** The after-answer lines logged so far, as `{what, d1, queue}`. */
const afterLines = () => logMatches(worker, AFTER).map(([, what, d1, queue]) => ({ what, d1: Number(d1), queue: Number(queue) }));
const BATCH = /postclick-after: postback batch of (\d+) d1=(\d+) queue=(\d+)/g;
/** The postbacks consumer's batch lines logged so far, as `{messages, d1, queue}`. */
const batchLines = () => logMatches(worker, BATCH).map(([, messages, d1, queue]) => ({ messages: Number(messages), d1: Number(d1), queue: Number(queue) }));
/** `{d1, queue}` from an answer's Server-Timing header. */
function timing(res) {
  const value = (typeof res.headers.get === 'function' ? res.headers.get('server-timing') : res.headers['server-timing']) ?? '';
  return { d1: Number(/d1;desc="(\d+)"/.exec(value)?.[1]), queue: Number(/queue;desc="(\d+)"/.exec(value)?.[1]) };
}
const dispatchedAt = (containerId, eventId) => queryD1(worker.stateDir,
  `SELECT dispatched_at FROM events WHERE container_id = ${sqlText(containerId)} AND event_id = ${sqlText(eventId)}`)[0]?.dispatched_at;

/** A container with one key and a connector that posts back every Purchase, server or browser. */
async function partnerContainer(path) {
  const { container, key } = await hooks.keyedContainer();
  const connector = await hooks.call('POST', `/admin/api/containers/${container.id}/connectors`, { body: {
    name: unique('Partner '), trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, fire_on: 'server_and_browser', method: 'GET', url: `${receiver.url}${path}`,
      params: [{ name: 'eid', value: '{{EVENT_ID}}' }] },
  } });
  assert.equal(connector.status, 201, connector.text);
  // The isolate learns the key's container (and caches its settings) from a first request.
  const warm = await hooks.call('GET', `/webhook?${new URLSearchParams({ k: key, track: 'Lead', eventId: unique('warm-') })}`, { token: null });
  assert.equal(warm.status, 200, warm.text);
  return { container, key };
}

const webhook = (key, params) => hooks.call('GET', `/webhook?${new URLSearchParams({ k: key, ...params })}`, { token: null });

test('a webhook event no connector has a postback for is stored already dispatched and costs nothing after its answer', async () => {
  const path = `/${unique('pb-')}`;
  const { container, key } = await partnerContainer(path);
  const lines = afterLines().length;
  const lead = unique('lead-');
  const res = await webhook(key, { track: 'Lead', eventId: lead, email: 'lead@example.com' });
  assert.equal(res.status, 200, res.text);
  assert.ok(timing(res).d1 <= 2, `at most two D1 round trips before the answer (${timing(res).d1})`);
  assert.ok(dispatchedAt(container.id, lead), 'the row is marked dispatched as it is written');

  // A Purchase right after it does dispatch: its line is the only one logged since the Lead.
  const purchase = unique('buy-');
  const bought = await webhook(key, { track: 'Purchase', value: '5', currency: 'EUR', eventId: purchase });
  assert.equal(bought.status, 200, bought.text);
  await pollUntil(() => receiver.received(path).some((r) => r.query.get('eid') === purchase), { what: 'the Purchase postback' });
  await pollUntil(() => afterLines().length > lines, { what: 'the Purchase dispatch to log its cost' });
  const since = afterLines().slice(lines);
  assert.equal(since.length, 1, `one dispatch after the two answers: ${JSON.stringify(since)}`);
  assert.equal(since[0].what, 'webhook dispatch');
  // The event read again after the dispatch delay, the delivery row written with the event's
  // dispatch mark in one batch, the queue send, and the row marked queued; the connectors come
  // from the settings cache.
  assert.deepEqual({ d1: since[0].d1, queue: since[0].queue }, { d1: 3, queue: 1 });
  assert.ok(dispatchedAt(container.id, purchase), 'the dispatched event is marked so the sweep leaves it alone');

  // Its postback's batch: the claim (which also reads whether the event was erased) and the
  // settlement, nothing else.
  await pollUntil(() => batchLines().length > 0, { what: 'the postback batch to log its cost' });
  for (const line of batchLines()) {
    assert.deepEqual({ d1: line.d1, queue: line.queue }, { d1: 2, queue: 0 }, `a delivered batch costs two D1 round trips: ${JSON.stringify(line)}`);
  }
});

test('a browser event is answered after one D1 round trip, and only an event a connector posts back costs work after the answer', async () => {
  const path = `/${unique('pb-')}`;
  const { container } = await partnerContainer(path);
  const jar = new Jar();
  const lines = afterLines().length;
  const viewed = unique('view-');
  const view = await sendEvent(container.id, { event: 'ViewContent', event_id: viewed }, { jar, base: worker.url });
  assert.equal(view.status, 200, view.text);
  assert.equal(timing(view).d1, 1, 'the insert answers the row it wrote: no read back');
  assert.ok(dispatchedAt(container.id, viewed), 'stored already dispatched: no connector posts back ViewContent');

  const bought = unique('buy-');
  const purchase = await sendEvent(container.id, { event: 'Purchase', event_id: bought, value: 3, currency: 'EUR' }, { jar, base: worker.url });
  assert.equal(purchase.status, 200, purchase.text);
  assert.equal(timing(purchase).d1, 1);
  await pollUntil(() => receiver.received(path).some((r) => r.query.get('eid') === bought), { what: 'the browser Purchase postback' });
  await pollUntil(() => afterLines().length > lines, { what: 'the Purchase dispatch to log its cost' });
  const since = afterLines().slice(lines);
  assert.equal(since.length, 1, `one dispatch after the two answers: ${JSON.stringify(since)}`);
  // The delivery row with the event's dispatch mark, the queue send, the row marked queued.
  assert.deepEqual(since[0], { what: 'event dispatch', d1: 2, queue: 1 });
  assert.ok(dispatchedAt(container.id, bought));
});
