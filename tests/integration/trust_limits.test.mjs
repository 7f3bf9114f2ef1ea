// Limits on the anonymous surfaces, against the real worker: a burst from one client gets 429 with
// Retry-After while other clients go on; requests without a valid key never push the real ones
// out of the recent activity; a chunked body is refused as soon as it passes 64 KiB; and an
// ambiguous amount is refused rather than guessed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { BASE, newContainer, unique } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { SITE_ORIGIN, TRACKING_HOST, tracking } from '../harness/tracking.mjs';
import { activity, customWebhook, eventsOf, keyedContainer, webhookGet } from '../harness/webhooks.mjs';

/** The Rate Limiting binding counts in windows aligned to the minute: start a burst early in one. */
async function earlyInAMinute() {
  await pollUntil(() => new Date().getSeconds() < 20, { timeoutMs: 45_000, intervalMs: 250, what: 'the first half of a minute' });
}

const event = (containerId, ip, body = { event: 'Lead' }) =>
  tracking('POST', `/e?id=${containerId}`, { json: body, origin: SITE_ORIGIN, headers: { 'cf-connecting-ip': ip } });

test('a burst of /e from one client gets 429 with Retry-After after 100 events, and other clients go on', async () => {
  const container = await newContainer();
  await earlyInAMinute();
  const answers = await Promise.all(Array.from({ length: 110 }, () => event(container.id, '203.0.113.61')));
  const statuses = answers.map((a) => a.status);
  assert.equal(statuses.filter((s) => s === 200).length, 100, 'the limit is 100 per 60 s');
  const refused = answers.filter((a) => a.status === 429);
  assert.equal(refused.length, 10);
  for (const res of refused) {
    assert.equal(res.headers['retry-after'], '60');
    assert.equal(res.json.error.code, 'rate_limited');
  }
  assert.equal(eventsOf(container.id).length, 100, 'a refused event stores nothing');
  assert.equal((await event(container.id, '203.0.113.62')).status, 200, 'another client is not limited');
  const other = await newContainer();
  assert.equal((await event(other.id, '203.0.113.61')).status, 200, 'nor is the client in another container');
});

test('page views and tracking links from one client get 429 with Retry-After after 300 a minute each, and other clients go on', async () => {
  const container = await newContainer();
  const landing = encodeURIComponent(`${SITE_ORIGIN}/`);
  const surfaces = {
    '/collect': (ip) => tracking('GET', `/collect?id=${container.id}&url=${landing}&ref=`, { origin: SITE_ORIGIN, headers: { 'cf-connecting-ip': ip } }),
    '/c': (ip) => tracking('GET', `/c?id=${container.id}&to=${landing}`, { headers: { 'cf-connecting-ip': ip } }),
  };
  // Each surface has a limit of its own, so both bursts share one window.
  await earlyInAMinute();
  const bursts = await Promise.all(Object.values(surfaces).map((call) =>
    Promise.all(Array.from({ length: 305 }, () => call('203.0.113.66')))));
  for (const [[path, call], answers] of Object.entries(surfaces).map((s, i) => [s, bursts[i]])) {
    const refused = answers.filter((a) => a.status === 429);
    assert.equal(answers.length - refused.length, 300, `${path}: the limit is 300 per 60 s`);
    assert.ok(answers.every((a) => a.status < 400 || a.status === 429), `${path}: every other answer is the honest one`);
    assert.equal(refused.length, 5, path);
    for (const res of refused) {
      assert.equal(res.headers['retry-after'], '60', path);
      assert.equal(res.json.error.code, 'rate_limited', path);
      assert.equal(res.headers.location, undefined, `${path}: a refused call redirects nowhere`);
      assert.deepEqual(res.setCookies, [], `${path}: a refused call sets no cookie`);
    }
    assert.ok((await call('203.0.113.67')).status < 400, `${path}: another client is not limited`);
  }
});

test('keyless calls to the custom webhook are counted, never push the real requests out of the activity, and are limited', async () => {
  const { container, key } = await keyedContainer();
  for (let i = 0; i < 3; i++) {
    const res = await customWebhook(container.id, 'purchase', { conversion_id: unique('real-'), value: 10, currency: 'EUR' }, { key });
    assert.equal(res.status, 200, res.text);
  }
  await earlyInAMinute();
  const flood = await Promise.all(Array.from({ length: 105 }, () =>
    customWebhook(container.id, 'purchase', { conversion_id: 'ORD-1', value: 1, currency: 'EUR' },
      { headers: { 'cf-connecting-ip': '203.0.113.63' } })));
  assert.equal(flood.filter((r) => r.status === 401).length, 100);
  const limited = flood.filter((r) => r.status === 429);
  assert.equal(limited.length, 5, 'over 100 keyless calls a minute from one client');
  assert.ok(limited.every((r) => r.headers.get('retry-after') === '60'));

  const { data, unauthenticated } = (await activity(container.id)).json;
  assert.equal(data.length, 3, 'the real requests are all still listed');
  assert.ok(data.every((a) => a.status === 'success' && a.provenance === 'server'));
  assert.equal(unauthenticated.count, 100, 'the refused ones are counted');
  assert.equal((await customWebhook(container.id, 'lead', { conversion_id: unique('after-') }, { key })).status, 200,
    'the container\'s own key is never limited by strangers');
});

/**
 * Sends a chunked body of up to 32 MiB to `path`, a chunk at a time, and returns the HTTP answer
 * with how much had been sent when it arrived. `lost` when the connection closed without one.
 */
function chunkedUpload(path) {
  const url = new URL(BASE);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let answer = '';
    let sent = 0;
    socket.on('data', (d) => { answer += d.toString('latin1'); });
    socket.on('error', () => {});
    socket.on('close', () => resolve({ lost: !answer.startsWith('HTTP/1.1 '), answer, sent }));
    socket.write(`POST ${path} HTTP/1.1\r\nHost: ${TRACKING_HOST}\r\nOrigin: ${SITE_ORIGIN}\r\n`
      + 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nCF-Connecting-IP: 203.0.113.64\r\n\r\n');
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    const next = () => {
      if (answer || sent >= 32 * 1024 * 1024) {
        if (!answer) socket.write('0\r\n\r\n');
        socket.end();
        return;
      }
      sent += chunk.length;
      // One chunk at a time, as a client on a real link uploads.
      socket.write(frame, () => setTimeout(next, 2));
    };
    const start = '{"pad":"';
    socket.write(`${start.length.toString(16)}\r\n${start}\r\n`, next);
  });
}

test('a chunked 32 MiB body gets 413 as soon as it passes 64 KiB, on /e and on a keyless /webhook', async () => {
  const container = await newContainer();
  for (const path of [`/e?id=${container.id}`, '/webhook']) {
    // wrangler dev's local proxy sometimes drops the answer of a worker that answers before the
    // upload ends (it closes the connection mid-upload); the deployed worker always answers. A
    // dropped connection is retried; every answer that does arrive must be this one.
    let result;
    for (let attempt = 0; attempt < 5 && !(result && !result.lost); attempt++) {
      result = await chunkedUpload(path);
      if (result.lost || result.answer.includes('Network connection lost')) result.lost = true;
    }
    assert.ok(!result.lost, `${path}: an answer arrived`);
    assert.match(result.answer, /^HTTP\/1\.1 413 /, path);
    assert.match(result.answer, /"code":"payload_too_large"/, path);
    assert.ok(result.sent < 2 * 1024 * 1024, `${path}: answered after ${result.sent} bytes, long before the 32 MiB`);
  }
  assert.deepEqual(eventsOf(container.id), []);
});

test('1,250 is refused as ambiguous naming the field, while 12,50 is 12.5 and 1.234,56 stays refused', async () => {
  const { container, key } = await keyedContainer();
  const ambiguous = await webhookGet({ k: key, track: 'Purchase', value: '1,250', currency: 'EUR' });
  assert.equal(ambiguous.status, 422);
  assert.deepEqual([ambiguous.json.error.code, ambiguous.json.error.field], ['ambiguous_value', 'value']);
  const browserEvent = await event(container.id, '203.0.113.65', { event: 'Purchase', value: '1,250', currency: 'EUR' });
  assert.equal(browserEvent.status, 422);
  assert.equal(browserEvent.json.error.field, 'value');
  const custom = await customWebhook(container.id, 'purchase', { conversion_id: 'c-1', value: '1,250', currency: 'EUR' }, { key });
  assert.deepEqual([custom.status, custom.json.error.field], [422, 'value']);
  assert.equal((await webhookGet({ k: key, track: 'Purchase', value: '1.234,56', currency: 'EUR' })).status, 422);
  const comma = await webhookGet({ k: key, track: 'Purchase', value: '12,50', currency: 'EUR', eventId: 'comma' });
  assert.equal(comma.status, 200, comma.text);
  assert.equal(eventsOf(container.id).find((e) => e.event_id === 'comma').value, 12.5);
});
