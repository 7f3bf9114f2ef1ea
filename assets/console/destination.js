// The connector page's destination line: whether the connector's webhook is active or parked
// (after repeated failures or a 410), why, and an "Un-park" button that sends the parked
// deliveries again, oldest first. Nothing is disabled silently: the state is always shown.
import { get, post } from '/admin/assets/api.js';
import { h, when, toast } from '/admin/assets/dom.js';

/** The state line for `connectorId`; it draws itself and redraws after an un-park. */
export function destinationLine(connectorId) {
  const el = h('p', { id: 'destination-state', role: 'status', 'aria-live': 'polite' }, 'Destination: …');
  const draw = async () => {
    const d = await get(`/connectors/${connectorId}/destination`);
    if (d.state !== 'parked') {
      el.className = 'hint';
      el.replaceChildren(`Destination: active${d.consecutive_failures ? ` (${d.consecutive_failures} failed attempts since the last success)` : ''}.`);
      return;
    }
    el.className = 'warning';
    el.replaceChildren(
      `Destination: parked since ${when(d.parked_at)}: ${d.reason}. New deliveries are kept as parked, not sent; one probe is retried and its first success un-parks it. `,
      h('button', { type: 'button', id: 'unpark', class: 'secondary', onclick: async () => {
        const res = await post(`/connectors/${connectorId}/unpark`);
        toast(`Un-parked: ${res.requeued} parked deliveries queued again`);
        await draw();
      } }, 'Un-park'));
  };
  draw().catch((err) => { el.className = 'error'; el.replaceChildren(`Destination: ${err.message}`); });
  return el;
}
