-- Outbound delivery: what the outbox needs beyond the log columns of 0001.

-- The exact request of a delivery, unmasked, with the connector's signing secret, as JSON
-- ({"request": {...}, "signing_secret": ...}). Every attempt and every replay sends it; the log
-- columns (url, headers, body) show the masked copy. NULL when no request could be built.
ALTER TABLE deliveries ADD COLUMN request TEXT;

-- When the delivery's message reached the dead-letter queue: it was given up (failed), and the
-- dead-letter consumer confirmed it.
ALTER TABLE deliveries ADD COLUMN dead_lettered_at INTEGER;

-- The sweep looks for pending rows by due time; the purge for old rows by creation time.
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_by_time ON deliveries (created_at);
CREATE INDEX webhook_requests_by_time ON webhook_requests (received_at);
