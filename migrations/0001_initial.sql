-- postclick data model. Times are unix milliseconds (INTEGER) unless named *_s.
-- IDs are prefixed text: ctr_, con_, key_, evt_, dlv_.

CREATE TABLE containers (
  id               TEXT PRIMARY KEY,
  name             TEXT NOT NULL,
  cookie_domain    TEXT NOT NULL,
  allowed_origins  TEXT NOT NULL DEFAULT '[]',   -- JSON array of origins
  redirect_domains TEXT NOT NULL DEFAULT '[]',   -- JSON array of hosts
  require_consent  INTEGER NOT NULL DEFAULT 0,
  compat_cookies   INTEGER NOT NULL DEFAULT 1,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);

CREATE TABLE connectors (
  id           TEXT PRIMARY KEY,
  container_id TEXT NOT NULL REFERENCES containers(id),
  name         TEXT NOT NULL,
  mode         TEXT NOT NULL CHECK (mode IN ('enabled', 'test', 'disabled')),
  config       TEXT NOT NULL,                    -- the connector body as JSON
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
CREATE INDEX connectors_by_container ON connectors (container_id, created_at);

CREATE TABLE api_keys (
  id                    TEXT PRIMARY KEY,
  container_id          TEXT NOT NULL REFERENCES containers(id),
  name                  TEXT NOT NULL,
  prefix                TEXT NOT NULL,
  key_hash              TEXT NOT NULL UNIQUE,     -- SHA-256 hex; the key itself is never stored
  rate_limit_per_minute INTEGER NOT NULL DEFAULT 60,
  created_at            INTEGER NOT NULL,
  last_used_at          INTEGER,
  revoked_at            INTEGER
);
CREATE INDEX api_keys_by_container ON api_keys (container_id, created_at);

-- One row per API key and minute; the upsert that counts a request returns the new count.
CREATE TABLE rate_limit_windows (
  key_id TEXT NOT NULL,
  window INTEGER NOT NULL,                        -- unix minute
  count  INTEGER NOT NULL,
  PRIMARY KEY (key_id, window)
);

CREATE TABLE clicks (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  container_id TEXT NOT NULL,
  visitor_id   TEXT NOT NULL,
  param        TEXT NOT NULL,                     -- lower-case query parameter: gclid, click_id, ...
  value        TEXT NOT NULL,                     -- byte-exact
  source       TEXT,                              -- click source value (e.g. utm_source)
  landing_url  TEXT,
  created_at   INTEGER NOT NULL
);
CREATE INDEX clicks_by_visitor ON clicks (container_id, visitor_id, created_at);
CREATE INDEX clicks_by_value ON clicks (container_id, param, value);
CREATE INDEX clicks_by_time ON clicks (created_at);

CREATE TABLE events (
  id                  TEXT PRIMARY KEY,
  container_id        TEXT NOT NULL,
  event_id            TEXT NOT NULL,              -- dedup key: caller's eventId/conversion_id or generated
  name                TEXT NOT NULL,
  value               REAL,
  currency            TEXT,
  visitor_id          TEXT,                       -- NULL until the event is matched to a session
  matched_by          TEXT,
  source              TEXT NOT NULL,              -- browser | webhook | custom_webhook
  topic               TEXT,
  consent_advertising INTEGER NOT NULL DEFAULT 1, -- 0: never send partner or ad postbacks
  payload             TEXT NOT NULL,              -- JSON: url, attributes, user, carried clicks
  created_at          INTEGER NOT NULL,
  UNIQUE (container_id, event_id)
);
CREATE INDEX events_by_visitor ON events (container_id, visitor_id, created_at);
CREATE INDEX events_by_name ON events (container_id, name);
CREATE INDEX events_unmatched ON events (container_id, created_at) WHERE visitor_id IS NULL;

-- Who a visitor is: hashed email, hashed phone and external id, for matching webhooks to sessions.
CREATE TABLE identities (
  container_id TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('email_sha256', 'phone_sha256', 'external_id')),
  value        TEXT NOT NULL,
  visitor_id   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (container_id, kind, value, visitor_id)
);
CREATE INDEX identities_by_visitor ON identities (container_id, visitor_id);

-- Recent webhook activity per container (the last 20 are served; older rows are purged).
CREATE TABLE webhook_requests (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  container_id    TEXT NOT NULL,
  received_at     INTEGER NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('success', 'auth_error', 'validation_error', 'rate_limited', 'duplicate')),
  topic           TEXT,
  session_matched INTEGER NOT NULL DEFAULT 0,
  http_status     INTEGER NOT NULL,
  error_code      TEXT,
  event_id        TEXT
);
CREATE INDEX webhook_requests_by_container ON webhook_requests (container_id, id);

-- Outbox and webhook log: a row is written before its queue message is sent.
CREATE TABLE deliveries (
  id              TEXT PRIMARY KEY,
  container_id    TEXT NOT NULL,
  connector_id    TEXT NOT NULL,
  event_row_id    TEXT,                           -- events.id; NULL for Test Webhook sends
  status          TEXT NOT NULL CHECK (status IN ('queued', 'retrying', 'delivered', 'failed', 'test', 'skipped')),
  reason          TEXT,                           -- why a connector did not fire, or why it failed
  attempt         INTEGER NOT NULL DEFAULT 0,
  method          TEXT,
  url             TEXT,
  headers         TEXT,                           -- JSON, secrets masked
  body            TEXT,
  idempotency_key TEXT NOT NULL,
  response_code   INTEGER,
  response_body   TEXT,                           -- truncated
  latency_ms      INTEGER,
  error           TEXT,
  replay_of       TEXT,
  queued_at       INTEGER,                        -- when the message last reached the queue
  next_attempt_at INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  -- '{connector_id}:{event_row_id}' for an event's delivery, so an event never pays a partner
  -- twice; NULL for replays and Test Webhook sends.
  origin_key      TEXT UNIQUE
);
CREATE INDEX deliveries_by_connector ON deliveries (connector_id, created_at);
CREATE INDEX deliveries_by_status ON deliveries (status, updated_at);

-- Every attempt of every delivery.
CREATE TABLE delivery_attempts (
  delivery_id   TEXT NOT NULL,
  attempt       INTEGER NOT NULL,
  started_at    INTEGER NOT NULL,
  response_code INTEGER,
  latency_ms    INTEGER,
  error         TEXT,
  response_body TEXT,
  PRIMARY KEY (delivery_id, attempt)
);
