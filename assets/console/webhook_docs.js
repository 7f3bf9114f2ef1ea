// Server webhooks explained where API keys are made: per topic, the real endpoint, the auth
// header, the payload fields, and a curl example with this container's values (and the key
// just created, while it is shown), with how to pass the click.
import { get } from '/admin/assets/api.js';
import { h, field, select, copy } from '/admin/assets/dom.js';

const TOPICS = {
  purchase: 'an order: the event Purchase',
  lead: 'a lead form: the event Lead',
  signup: 'a sign-up: the event CompleteRegistration',
  refund: 'a refund: the event Refund',
  subscription: 'a subscription: the event Subscribe',
  custom: 'any event you name in event_name',
};

const FIELDS = [
  ['conversion_id', 'your order or conversion id; a repeat is acknowledged and not stored twice ({{ORDER_ID}}, {{CONVERSION_ID}})'],
  ['value, currency', 'the amount (49.90) and its ISO 4217 code (EUR); value needs currency'],
  ['visitor_id', 'the pc_vid cookie your server reads from the shopper’s request, sent whole: it names the visitor and their clicks'],
  ['click_ids', 'partner click ids by parameter, e.g. {"aff_click_id": "…"}; a top-level field named like a connector’s click parameter does the same'],
  ['user_data', 'email, phone, external_id, first_name, last_name: matched to the visitor, hashed for ad platforms'],
  ['order_id', 'optional, when the order number differs from conversion_id ({{ORDER_ID}})'],
  ['products, tax, shipping, discount_code', 'kept as attributes; any other field is kept as an attribute too ({{FIELD_NAME}})'],
  ['consent', '{"advertising": false} sends no partner postback for the event'],
  ['pc_test', 'true sends even from a connector in test mode'],
];

let shownKey = null;
let redraw = () => {};

/** Puts a key just created into the examples while it is on screen. */
export function useKey(key) { shownKey = key; redraw(); }

export async function webhookDocs(section, container) {
  const { data } = await get(`/containers/${container.id}/connectors?limit=50`).catch(() => ({ data: [] }));
  const clickParams = [...new Set(data.filter((c) => c.click_id?.enabled && c.click_id.param).map((c) => c.click_id.param))];
  const topic = select(Object.keys(TOPICS).map((t) => [t, t]), 'purchase', { id: 'webhook-topic' });
  const body = h('div', { id: 'webhook-docs-body' });
  redraw = () => {
    const t = topic.value;
    const endpoint = `${location.origin}/webhooks/custom/${container.id}/${t}`;
    const key = shownKey ?? 'YOUR_API_KEY';
    const payload = { ...(t === 'custom' ? { event_name: 'Purchase' } : {}), conversion_id: 'SO-1001', value: 49.9, currency: 'EUR' };
    if (clickParams[0]) payload[clickParams[0]] = 'CLICK_ID_FROM_THE_LANDING_URL';
    else payload.visitor_id = 'PC_VID_COOKIE_VALUE';
    payload.user_data = { email: 'jane@example.com' };
    const curl = `curl -sS -X POST '${endpoint}' -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' -d '${JSON.stringify(payload)}'`;
    const getCurl = `curl -sS '${location.origin}/webhook?k=${key}&track=Purchase&eventId=SO-1001&value=49.90&currency=EUR${clickParams[0] ? `&${clickParams[0]}=CLICK_ID_FROM_THE_LANDING_URL` : ''}'`;
    body.replaceChildren(
      h('p', {}, `The ${t} topic records ${TOPICS[t]}.`),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Endpoint'), h('dd', {}, h('code', { id: 'webhook-endpoint' }, `POST ${endpoint}`)),
        h('dt', {}, 'Auth header'), h('dd', {}, h('code', {}, `Authorization: Bearer ${shownKey ? key : '<an API key of this container>'}`)),
        h('dt', {}, 'Body'), h('dd', {}, 'JSON (Content-Type: application/json), at most 64 KiB')),
      h('h3', {}, 'How to pass the click'),
      h('p', {}, clickParams.length
        ? `Send the click id your partner put on the landing URL, as a top-level field named like the connector’s click parameter (${clickParams.join(', ')}), or send visitor_id: the value of the pc_vid cookie your server reads from the shopper’s request.`
        : 'Send visitor_id: the value of the pc_vid cookie your server reads from the shopper’s request; or the click id under click_ids.'),
      h('h3', {}, 'Payload fields'),
      h('dl', { class: 'facts' }, FIELDS.flatMap(([k, v]) => [h('dt', {}, h('code', {}, k)), h('dd', {}, v)])),
      h('h3', {}, 'Try it'),
      h('pre', { class: 'preview', id: 'webhook-curl' }, curl),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', id: 'copy-curl', onclick: () => copy(curl, 'curl example copied') }, 'Copy curl')),
      h('p', { class: 'hint' }, 'Tracklution-style GET /webhook takes the same with its own names:'),
      h('pre', { class: 'preview', id: 'webhook-get' }, getCurl),
      // replaceChildren writes a null as the text "null": leave the hint out instead.
      ...(shownKey ? [] : [h('p', { class: 'hint' }, 'Create a key above: the examples then carry it while it is shown.')]));
  };
  topic.addEventListener('change', () => redraw());
  section.replaceChildren(h('h2', {}, 'Send conversions from your server'),
    h('div', { class: 'row' }, field('Topic', topic, { name: 'topic' })), body);
  redraw();
}
