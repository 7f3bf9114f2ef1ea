-- Conversion lifecycle: every event has a status (received, approved, rejected, reversed) with
-- the history of its changes, and deliveries gain the `parked` status (a destination that keeps
-- failing keeps its deliveries instead of dead-lettering them).

-- The event's current status; `received` on arrival. The transitions are checked in
-- src/core/lifecycle.rs; the CHECK only keeps the column to known words.
ALTER TABLE events ADD COLUMN status TEXT NOT NULL DEFAULT 'received'
  CHECK (status IN ('received', 'approved', 'rejected', 'reversed'));
-- When the status last changed (NULL while it is `received`).
ALTER TABLE events ADD COLUMN status_at INTEGER;
-- How many times a server event repeating this event's id changed its value (duplicate_policy
-- update): the n of the update postbacks' keys `...:update:{n}`.
ALTER TABLE events ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
CREATE INDEX events_by_status ON events (container_id, status, created_at);

-- Every status change of an event, oldest first: what it became, from what, who stood behind
-- it (admin: the admin API or the lock period; server: an API key) and why.
CREATE TABLE event_status_history (
  event_row_id TEXT NOT NULL,
  container_id TEXT NOT NULL,
  seq          INTEGER NOT NULL,                -- 1, 2, ... per event
  status       TEXT NOT NULL CHECK (status IN ('received', 'approved', 'rejected', 'reversed')),
  previous     TEXT NOT NULL,
  provenance   TEXT NOT NULL CHECK (provenance IN ('browser', 'server', 'admin')),
  reason       TEXT,
  changed_at   INTEGER NOT NULL,
  PRIMARY KEY (event_row_id, seq)
);
CREATE INDEX event_status_history_by_container ON event_status_history (container_id, changed_at);

-- Deliveries are rebuilt, because SQLite cannot change a CHECK in place: `parked` joins the
-- statuses. Every row and every index is kept.
CREATE TABLE deliveries_v7 (
  id               TEXT PRIMARY KEY,
  container_id     TEXT NOT NULL,
  connector_id     TEXT NOT NULL,
  event_row_id     TEXT,
  status           TEXT NOT NULL CHECK (status IN ('queued', 'retrying', 'delivered', 'failed',
                     'test', 'skipped', 'parked')),
  reason           TEXT,
  attempt          INTEGER NOT NULL DEFAULT 0,
  method           TEXT,
  url              TEXT,
  headers          TEXT,
  body             TEXT,
  idempotency_key  TEXT NOT NULL,
  response_code    INTEGER,
  response_body    TEXT,
  latency_ms       INTEGER,
  error            TEXT,
  replay_of        TEXT,
  queued_at        INTEGER,
  next_attempt_at  INTEGER,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  -- '{connector_id}:{event_row_id}' for an event's delivery, with ':reversal' or ':update:{n}'
  -- for a reversal or update postback of it; NULL for replays and Test Webhook sends.
  origin_key       TEXT UNIQUE,
  request          TEXT,
  dead_lettered_at INTEGER,
  provenance       TEXT
);
INSERT INTO deliveries_v7 (id, container_id, connector_id, event_row_id, status, reason, attempt,
  method, url, headers, body, idempotency_key, response_code, response_body, latency_ms, error,
  replay_of, queued_at, next_attempt_at, created_at, updated_at, origin_key, request,
  dead_lettered_at, provenance)
SELECT id, container_id, connector_id, event_row_id, status, reason, attempt, method, url,
  headers, body, idempotency_key, response_code, response_body, latency_ms, error, replay_of,
  queued_at, next_attempt_at, created_at, updated_at, origin_key, request, dead_lettered_at,
  provenance
FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_v7 RENAME TO deliveries;
CREATE INDEX deliveries_by_connector ON deliveries (connector_id, created_at);
CREATE INDEX deliveries_by_status ON deliveries (status, updated_at);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_by_time ON deliveries (created_at);
CREATE INDEX deliveries_by_container_time ON deliveries (container_id, created_at);
-- A status change finds the deliveries an event already made.
CREATE INDEX deliveries_by_event ON deliveries (event_row_id);

-- Secret rotation: the secret a rotation replaced, and until when (unix ms) every request is
-- signed with it as well as with the new one (both signatures in `webhook-signature`).
ALTER TABLE connectors ADD COLUMN previous_secret TEXT;
ALTER TABLE connectors ADD COLUMN previous_secret_until INTEGER;

-- A container's lock period: days after which a `received` conversion becomes `approved` (the
-- cron sweep does it, provenance admin, reason lock_period). NULL: never.
ALTER TABLE containers ADD COLUMN lock_period_days INTEGER;
