// Helpers for postback tests: a connector aimed at the test receiver, and the Standard Webhooks
// check a partner would run, written from the specification (not from our Rust code).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { admin, newContainer, unique } from './app.mjs';

/** A container with one connector whose webhook points at `receiver` + a fresh path. */
export async function connectorFor(receiver, { webhook = {}, ...rest } = {}) {
  const container = await newContainer();
  const path = `/${unique('pb-')}`;
  const body = {
    name: unique('Affiliate Network '),
    trigger_events: ['Purchase'],
    mode: 'enabled',
    ...rest,
    webhook: { enabled: true, method: 'GET', url: `${receiver.url}${path}`, ...webhook },
  };
  const res = await admin.createConnector(container.id, body);
  if (res.status !== 201) throw new Error(`creating a connector: ${res.status} ${res.text}`);
  return { container, connector: res.json, path };
}

/** Send a Test Webhook and return its delivery id. */
export async function sendTest(connectorId, event) {
  const res = await admin.testConnector(connectorId, event);
  if (res.status !== 202) throw new Error(`test webhook: ${res.status} ${res.text}`);
  return res.json.delivery_id;
}

/**
 * Verify a request the way a Standard Webhooks receiver does: `v1,` + base64 HMAC-SHA256 with
 * the base64-decoded `whsec_` secret over `{webhook-id}.{webhook-timestamp}.{body}`, compared in
 * constant time, with the timestamp within 5 minutes.
 */
export function verifyStandardWebhook(secret, headers, body, nowS = Math.floor(Date.now() / 1000)) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures) return false;
  if (Math.abs(nowS - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, encoded] = entry.split(',');
    if (version !== 'v1' || !encoded) return false;
    const given = Buffer.from(encoded, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
