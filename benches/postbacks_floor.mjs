// The floors of `make bench-postbacks`: what Miniflare's queue and fetch deliver without
// postclick's code, on the same workerd, queue consumer settings, messages and receiver.
//
// - `fetch`: a minimal JS consumer that reads each message's delivery id and sends the
//   template's request for it (its Idempotency-Key set to the id), all of a batch's requests
//   at once, and acks the batch. No D1.
// - `d1`: the same, plus the D1 round trips postclick makes per batch: one claim (a conditional
//   `UPDATE ... RETURNING *` per message, in one `db.batch`) that reads the stored request it
//   sends, and one settlement (an attempt row and the delivery's new state per message, in one
//   `db.batch`), on the project's own schema.
//
// `floorWorker(kind)` returns the worker's module source; the bench binds `TEMPLATE` (the
// template delivery's method, URL, headers and body, with `{{ID}}` where its id was) and, for
// `d1`, `DB`.

/** The module source of the floor consumer `kind` (`fetch` or `d1`). */
export function floorWorker(kind) {
  return `
const WITH_D1 = ${JSON.stringify(kind === 'd1')};
const CLAIM = "UPDATE deliveries SET attempt = ?2, next_attempt_at = ?3, updated_at = ?3 " +
  "WHERE id = ?1 AND attempt = ?2 - 1 AND status IN ('queued', 'retrying') RETURNING *";
const ATTEMPT = "INSERT OR REPLACE INTO delivery_attempts (delivery_id, attempt, started_at, " +
  "response_code, latency_ms, error, response_body) VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6)";
const SETTLE = "UPDATE deliveries SET status = ?3, response_code = ?4, response_body = ?5, " +
  "latency_ms = ?6, error = NULL, next_attempt_at = NULL, updated_at = ?7 WHERE id = ?1 AND attempt = ?2";

function fromTemplate(template, id) {
  const fill = (s) => s.replaceAll('{{ID}}', id);
  return { method: template.method, url: fill(template.url),
    headers: template.headers.map(([k, v]) => [k, fill(v)]), body: template.body && fill(template.body) };
}

async function send(request) {
  const started = Date.now();
  const res = await fetch(request.url, { method: request.method, headers: request.headers,
    body: request.body ?? undefined, redirect: 'manual' });
  const latency = Date.now() - started;
  const body = (await res.text()).slice(0, 1024);
  return { status: res.status, latency, body, started };
}

export default {
  async fetch() { return new Response('floor'); },
  async queue(batch, env) {
    const template = JSON.parse(env.TEMPLATE);
    const messages = batch.messages.map((m) => ({ raw: m, body: JSON.parse(m.body) }));
    let requests;
    if (WITH_D1) {
      const now = Date.now();
      const claimed = await env.DB.batch(messages.map(({ body }) =>
        env.DB.prepare(CLAIM).bind(body.delivery_id, body.attempt, now)));
      requests = claimed.map((r) => {
        const row = r.results[0];
        return row ? JSON.parse(row.request).request : null;
      });
    } else {
      requests = messages.map(({ body }) => fromTemplate(template, body.delivery_id));
    }
    const answers = await Promise.all(requests.map((r) => (r ? send(r) : null)));
    if (WITH_D1) {
      const statements = [];
      messages.forEach(({ body }, i) => {
        const a = answers[i];
        if (!a) return;
        statements.push(env.DB.prepare(ATTEMPT).bind(body.delivery_id, body.attempt, a.started, a.status, a.latency, a.body));
        statements.push(env.DB.prepare(SETTLE).bind(body.delivery_id, body.attempt,
          a.status < 300 ? 'delivered' : 'failed', a.status, a.body, a.latency, Date.now()));
      });
      if (statements.length) await env.DB.batch(statements);
    }
    batch.ackAll();
  },
};
`;
}

/** The template delivery's stored request, with `{{ID}}` where `templateId` was. */
export function floorTemplate(templateRow, templateId) {
  const { request } = JSON.parse(templateRow.request.replaceAll(templateId, '{{ID}}'));
  return JSON.stringify({ method: request.method, url: request.url, headers: request.headers, body: request.body ?? null });
}
