// The D1 floor of postclick's two D1 routes, for `make bench`: a JS worker that makes exactly the
// D1 round trips `GET /webhook` and `POST /e` make before they answer, with the same statements
// in the same batches, on the same migrated and seeded schema (benches/run.mjs seeds both), and
// nothing else: no parsing beyond reading the request, no validation, no signing, no rendering.
// A route's ratio to its floor is postclick's own cost on top of what the platform charges for
// its D1 round trips. The statements are those the worker logs with QUERY_LOG=true
// (`BENCH_SQL=1 node benches/run.mjs` prints them); keep them in step when the routes change.
//
// GET /webhook?k=<key>&track=Lead&value=10&currency=EUR&email=... (an accepted track event with
// an email, no eventId, a key whose container the isolate already knows):
//   1. the key check with the read ahead: the key row, the per-minute count, the old windows'
//      trim, the key's last use, and the email's identity lookup;
//   2. the event (answering the row it wrote; no connector has a postback for Lead, so it is
//      stored already marked dispatched), its pending identity (nobody matched) and the request's
//      activity row with its trim.
// POST /e?id=<container> (a browser event from a new visitor, one pixel connector and no
// postback): 1. the event row, answering the row it wrote (what the pixels are rendered from).
// GET /collect?url=<landing with click ids> (the queue floor of a landing): the JS click capture
// (benches/capture.mjs) and one send of the landing's clicks to a queue, as postclick's `/collect`
// sends them to `postclick-clicks`; its consumer here only acknowledges them.
import capture from './capture.mjs';
const sha256 = async (text) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))]
  .map((b) => b.toString(16).padStart(2, '0')).join('');
// The key hashes and the email's, computed once per key and email: the floor spends its time on
// D1 only.
const hashes = new Map();
const hashOnce = async (text) => {
  if (!hashes.has(text)) hashes.set(text, await sha256(text));
  return hashes.get(text);
};
const newId = (prefix) => `${prefix}_${crypto.randomUUID().replaceAll('-', '').slice(0, 22)}`;
const RECENT_ACTIVITY_LIMIT = 20;
// The keys' container, which postclick's isolate knows from each key's earlier requests and
// reads ahead for in the key check's round trip.
const CONTAINER = 'ctr_benchbenchbenchbench00';

async function webhook(url, db) {
  const now = Date.now();
  const keyHash = await hashOnce(url.searchParams.get('k') ?? '');
  const email = await hashOnce((url.searchParams.get('email') ?? '').trim().toLowerCase());
  const [key, , , , identity] = await db.batch([
    db.prepare('SELECT id, container_id, key_hash, rate_limit_per_minute, revoked_at FROM api_keys WHERE key_hash = ?1').bind(keyHash),
    db.prepare(`INSERT INTO rate_limit_windows (key_id, window, count) SELECT id, ?2, 1 FROM api_keys WHERE key_hash = ?1
      AND revoked_at IS NULL ON CONFLICT (key_id, window) DO UPDATE SET count = count + 1 RETURNING count`).bind(keyHash, Math.floor(now / 60000)),
    db.prepare('DELETE FROM rate_limit_windows WHERE window < ?2 AND key_id = (SELECT id FROM api_keys WHERE key_hash = ?1)')
      .bind(keyHash, Math.floor(now / 60000)),
    db.prepare('UPDATE api_keys SET last_used_at = ?2 WHERE key_hash = ?1 AND revoked_at IS NULL').bind(keyHash, now),
    db.prepare(`SELECT visitor_id FROM identities WHERE container_id = ?1 AND kind = ?2 AND value = ?3 ORDER BY provenance = 'server' DESC,
      CASE WHEN provenance = 'server' THEN -created_at ELSE created_at END LIMIT 1`)
      .bind(CONTAINER, 'email_sha256', email),
  ]);
  const container = key.results[0]?.container_id;
  if (!container) return Response.json({ error: { code: 'unauthorized' } }, { status: 401 });
  const visitor = identity.results[0]?.visitor_id ?? null;
  const id = newId('evt');
  const payload = JSON.stringify({
    name: url.searchParams.get('track'), value: Number(url.searchParams.get('value')), currency: url.searchParams.get('currency'),
    source: { kind: 'webhook' }, user: { email_sha256: email }, clicks: [], attributes: {}, consent: { advertising: 'unknown' },
  });
  await db.batch([
    db.prepare(`INSERT INTO events (id, container_id, event_id, dedup_key, name, value, currency, visitor_id, matched_by, source, topic,
      consent_advertising, payload, created_at, provenance, sent_by, shadow_of, dispatched_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
      ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, CASE WHEN ?15 = 'browser' THEN (SELECT id FROM events WHERE container_id = ?2
      AND dedup_key = ?3 AND provenance != 'browser') END, ?17 WHERE ?16 IS NULL OR NOT EXISTS (SELECT 1 FROM events WHERE container_id = ?2 AND event_id = ?3
      AND sent_by = ?16) ON CONFLICT (container_id, dedup_key) DO NOTHING RETURNING *`)
      .bind(id, container, id, id, 'Lead', 10, 'EUR', visitor, null, 'webhook', null, 1, payload, now, 'server', null, now),
    db.prepare(`INSERT OR IGNORE INTO pending_identities (container_id, kind, value, event_row_id, created_at) SELECT ?1, ?2, ?3, ?4, ?5
      WHERE EXISTS (SELECT 1 FROM events WHERE id = ?4)`).bind(container, 'email_sha256', email, id, now),
    db.prepare(`INSERT INTO webhook_requests (container_id, received_at, status, topic, session_matched, http_status, error_code,
      event_id, provenance) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)`).bind(container, now, 'success', 'Lead', 0, 200, null, id, 'server'),
    db.prepare(`DELETE FROM webhook_requests WHERE container_id = ?1 AND id <= (SELECT id FROM webhook_requests WHERE container_id = ?1
      ORDER BY id DESC LIMIT 1 OFFSET ?2)`).bind(container, RECENT_ACTIVITY_LIMIT),
  ]);
  return Response.json({ status: 'accepted', type: 'track', event_id: id, session_matched: visitor !== null, duplicate: false, confirmed: false });
}

async function event(request, url, db) {
  const body = await request.text();
  const now = Date.now();
  const container = url.searchParams.get('id');
  const id = newId('evt');
  const visitor = crypto.randomUUID();
  const [inserted] = await db.batch([
    db.prepare(`INSERT INTO events (id, container_id, event_id, dedup_key, name, value, currency, visitor_id, matched_by, source, topic,
      consent_advertising, payload, created_at, provenance, sent_by, shadow_of, dispatched_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
      ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, CASE WHEN ?15 = 'browser' THEN (SELECT id FROM events WHERE container_id = ?2
      AND dedup_key = ?3 AND provenance != 'browser') END, ?17 WHERE ?16 IS NULL OR NOT EXISTS (SELECT 1 FROM events WHERE container_id = ?2 AND event_id = ?3
      AND sent_by = ?16) ON CONFLICT (container_id, dedup_key) DO NOTHING RETURNING *`)
      .bind(id, container, id, `b:${id}`, 'Purchase', 49.9, 'EUR', visitor, 'cookie', 'browser', null, 0, body, now, 'browser', visitor,
        now),
  ]);
  const row = inserted.results[0];
  return Response.json({ event_id: row.event_id, duplicate: false, pixels: [] });
}

/** The capture worker's answer, after one queue send of the landing as postclick encodes it. */
async function landing(request, url, queue) {
  const answer = capture.fetch(request);
  const page = url.searchParams.get('url') ?? '';
  const clicks = [...new URL(page).searchParams]
    .filter(([name]) => /^(gclid|fbclid|msclkid|ttclid|utm_\w+)$/.test(name))
    .map(([param, value]) => ({ param, value, source: null }));
  await queue.send(JSON.stringify({
    container_id: CONTAINER, visitor_id: crypto.randomUUID(), clicks, landing_url: page, at_ms: Date.now(),
  }));
  return answer;
}

export default {
  async queue(batch) {
    batch.ackAll();
  },
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/collect') return landing(request, url, env.CLICKS);
    if (url.pathname === '/webhook') return webhook(url, env.DB);
    if (url.pathname === '/e' && request.method === 'POST') return event(request, url, env.DB);
    return new Response('not found', { status: 404 });
  },
};
