// Who a visitor is cannot be taken over from a browser: a browser-supplied email never moves an
// identity already linked to another visitor, a server link that names the visitor wins, and a
// visitor cookie we did not sign is ignored. Played against the real worker.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { admin, newContainer, rowsOnce, sql, sqlText, unique } from '../harness/app.mjs';
import { pollUntil } from '../harness/poll.mjs';
import { startReceiver } from '../harness/receiver.mjs';
import { Jar, PC_VID, SITE_ORIGIN, tracking, visitorIdOf } from '../harness/tracking.mjs';
import { apiKeys, customWebhook, eventsOf, sha256, webhookGet } from '../harness/webhooks.mjs';

let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

async function shop() {
  const container = await newContainer();
  const path = `/${unique('ident-')}`;
  const res = await admin.createConnector(container.id, {
    name: unique('Net '), trigger_events: ['Purchase'], mode: 'enabled',
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`,
      params: [{ name: 'cid', value: '{{CLICK_ID}}' }, { name: 'vid', value: '{{VISITOR_ID}}' }] },
    click_id: { enabled: true, param: 'aff_click_id', attribution: 'last_click', window_days: 30 },
  });
  assert.equal(res.status, 201, res.text);
  const key = await apiKeys.create(container.id, { name: unique('key-') });
  return { container, connector: res.json, path, key: key.json.key };
}

function browser(ip, jar = new Jar()) {
  const headers = { 'cf-connecting-ip': ip };
  return {
    jar,
    async land(container, path, query, cookie = jar.header()) {
      const to = `${SITE_ORIGIN}/?${query}`;
      const target = path === '/c'
        ? `/c?id=${container.id}&to=${encodeURIComponent(to)}`
        : `/collect?id=${container.id}&url=${encodeURIComponent(to)}&ref=`;
      return jar.take(await tracking('GET', target, { cookie, origin: path === '/c' ? undefined : SITE_ORIGIN, headers }));
    },
    async track(container, body) {
      const res = jar.take(await tracking('POST', `/e?id=${container.id}`, { json: body, cookie: jar.header(), origin: SITE_ORIGIN, headers }));
      assert.equal(res.status, 200, res.text);
      return res.json;
    },
  };
}

const linksOf = (containerId, kind, value) =>
  sql(`SELECT visitor_id, provenance FROM identities WHERE container_id = ${sqlText(containerId)}
       AND kind = ${sqlText(kind)} AND value = ${sqlText(value)} ORDER BY created_at`);

test('an email posted from another browser stays with the victim who linked it, and the victim\'s order pays the victim\'s click', async () => {
  const { container, path, key } = await shop();
  const victim = browser('198.51.100.41');
  await victim.land(container, '/collect', 'aff_click_id=VICTIMS');
  await victim.track(container, { event: 'Login', user: { email: 'victim@example.com' } });

  const attacker = browser('198.51.100.42');
  await attacker.land(container, '/collect', 'aff_click_id=MINE');
  await attacker.track(container, { event: 'Login', user: { email: 'victim@example.com', external_id: 'crm-victim' } });

  assert.deepEqual(linksOf(container.id, 'email_sha256', sha256('victim@example.com')),
    [{ visitor_id: victim.jar.visitorId(), provenance: 'browser' }], 'the hijacked email stays with the victim');
  const order = await webhookGet({ k: key, track: 'Purchase', value: '99', currency: 'EUR', eventId: unique('o-'), email: 'victim@example.com' });
  assert.equal(order.json.session_matched, true);
  await pollUntil(() => receiver.received(path).length === 1, { what: 'the victim\'s postback' });
  assert.equal(receiver.received(path)[0].query.get('cid'), 'VICTIMS');

  // An identity nobody held yet is linked to the browser that brings it (first come).
  assert.deepEqual(linksOf(container.id, 'external_id', 'crm-victim'), [{ visitor_id: attacker.jar.visitorId(), provenance: 'browser' }]);
  // The shop's server naming both the visitor and the identity takes precedence over that.
  const asserted = await webhookGet({ k: key, visitorId: victim.jar.get('pc_vid'), externalId: 'crm-victim' });
  assert.equal(asserted.json.session_matched, true);
  const byExternal = await webhookGet({ k: key, track: 'Purchase', value: '10', currency: 'EUR', eventId: unique('o-'), externalId: 'crm-victim' });
  const [event] = eventsOf(container.id).filter((e) => e.event_id === byExternal.json.event_id);
  assert.deepEqual([event.visitor_id, event.matched_by], [victim.jar.visitorId(), 'external_id']);
  assert.ok(linksOf(container.id, 'external_id', 'crm-victim').some((l) => l.visitor_id === victim.jar.visitorId() && l.provenance === 'server'));
});

test('a forged, unsigned or foreign-signed pc_vid is ignored: the partner\'s click never lands on the victim', async () => {
  const { container, path, key } = await shop();
  const victim = browser('198.51.100.43');
  await victim.land(container, '/c', 'aff_click_id=VICTIMS');
  const victimId = victim.jar.visitorId();
  // A partner learnt the victim's id from {{VISITOR_ID}} and plants it with its own click.
  const forgedCookies = [
    `pc_vid=${victimId}`,
    `pc_vid=${victimId}.AAAAAA.AAAAAAAAAAAAAAAAAAAAAA`,
    `pc_vid=${victimId}.${victim.jar.get('pc_vid').split('.')[2]}.${createHmac('sha256', 'not the key').update(victimId).digest('base64url').slice(0, 22)}`,
  ];
  for (const cookie of forgedCookies) {
    const partner = browser('198.51.100.44');
    const res = await partner.land(container, '/c', 'aff_click_id=PARTNER', cookie);
    assert.equal(res.status, 302);
    assert.match(res.cookies.pc_vid.value, PC_VID);
    assert.notEqual(visitorIdOf(res.cookies.pc_vid.value), victimId, `${cookie}: a fresh visitor instead`);
  }
  const planted = await rowsOnce(`SELECT visitor_id FROM clicks WHERE container_id = ${sqlText(container.id)} AND value = 'PARTNER'`, forgedCookies.length);
  assert.equal(planted.length, forgedCookies.length);
  assert.ok(planted.every((r) => r.visitor_id !== victimId), 'no click was stored for the victim');

  // The victim's purchase (the shop passes the signed cookie it read) pays the victim's click.
  const order = await customWebhook(container.id, 'purchase',
    { conversion_id: unique('o-'), value: 30, currency: 'EUR', visitor_id: victim.jar.get('pc_vid') }, { key });
  assert.equal(order.json.session_matched, true);
  await pollUntil(() => receiver.received(path).length === 1, { what: 'the victim\'s postback' });
  assert.deepEqual([receiver.received(path)[0].query.get('cid'), receiver.received(path)[0].query.get('vid')], ['VICTIMS', victimId]);

  // A webhook passing on a forged signed cookie names nobody; the bare id still works.
  const forged = await customWebhook(container.id, 'lead',
    { conversion_id: unique('l-'), visitor_id: `${victimId}.AAAAAA.AAAAAAAAAAAAAAAAAAAAAA` }, { key });
  assert.equal(forged.json.session_matched, false);
  const bare = await customWebhook(container.id, 'lead', { conversion_id: unique('l-'), visitor_id: victimId }, { key });
  assert.equal(bare.json.session_matched, true);
});
