-- Parked destinations (a circuit breaker) and per-destination throttles. A destination is a
-- connector's webhook; its failures are counted here, and the rules that read the counters
-- live in src/core/postback/destination.rs.
CREATE TABLE destinations (
  connector_id         TEXT PRIMARY KEY,
  -- Failed attempts since the last success, and when the first of them happened (unix ms).
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  failing_since        INTEGER,
  -- Set while the destination is parked: when, why (as shown), and the one delivery still
  -- tried on the retry schedule (the probe). NULL while it is active.
  parked_at            INTEGER,
  park_reason          TEXT,
  probe_delivery_id    TEXT,
  -- Pacing (webhook.max_per_second): the next free send slot, unix ms; each send takes one.
  next_send_at         INTEGER,
  -- A 429 or 503 with Retry-After pauses the destination until then (unix ms, at most 12 h).
  paused_until         INTEGER,
  updated_at           INTEGER NOT NULL
);

-- Un-parking queues a connector's parked deliveries again, oldest first.
CREATE INDEX deliveries_by_connector_status ON deliveries (connector_id, status, created_at);
