-- When an event's connectors were dispatched. The sweep re-dispatches events stored but never
-- dispatched (dispatch is idempotent through deliveries.origin_key), so nothing accepted is lost.
ALTER TABLE events ADD COLUMN dispatched_at INTEGER;
CREATE INDEX events_undispatched ON events (created_at) WHERE dispatched_at IS NULL;
