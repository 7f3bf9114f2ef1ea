-- Trust: who stands behind every event, identity link and delivery (provenance), browser events
-- deduplicated per visitor, server confirmation of browser events, and the connector setting
-- that decides whether browser events may fire a postback.

-- Events are rebuilt, because their uniqueness changes. A server event is unique per
-- (container, event id) as before; a browser event per (container, visitor, event id), so one
-- visitor's event id never hides another visitor's and an anonymous caller learns nothing about
-- events it did not send. `dedup_key` holds that key: the event id for server events (and for
-- rows stored before this migration), `b:{visitor}:{event id}` or `b:{row id}` for browser events.
CREATE TABLE events_v5 (
  id                  TEXT PRIMARY KEY,
  container_id        TEXT NOT NULL,
  event_id            TEXT NOT NULL,              -- the caller's eventId/conversion_id, or generated
  dedup_key           TEXT NOT NULL,
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
  dispatched_at       INTEGER,
  -- browser (anonymous, /e) | server (an API key) | admin
  provenance          TEXT NOT NULL CHECK (provenance IN ('browser', 'server', 'admin')),
  -- A browser event repeating the id of a server event: it fires its own pixels, no postback.
  shadow_of           TEXT,
  -- The visitor who sent a browser event (kept when a confirmation rematches the event), so the
  -- same visitor resending the id is told it is a duplicate.
  sent_by             TEXT,
  -- When a server event with this id confirmed this browser event.
  confirmed_at        INTEGER,
  UNIQUE (container_id, dedup_key)
);
INSERT INTO events_v5 (id, container_id, event_id, dedup_key, name, value, currency, visitor_id,
  matched_by, source, topic, consent_advertising, payload, created_at, dispatched_at, provenance,
  sent_by)
SELECT id, container_id, event_id, event_id, name, value, currency, visitor_id, matched_by,
  source, topic, consent_advertising, payload, created_at, dispatched_at,
  CASE source WHEN 'browser' THEN 'browser' ELSE 'server' END,
  CASE source WHEN 'browser' THEN visitor_id END
FROM events;
DROP TABLE events;
ALTER TABLE events_v5 RENAME TO events;
CREATE INDEX events_by_event_id ON events (container_id, event_id, sent_by);
CREATE INDEX events_by_visitor ON events (container_id, visitor_id, created_at);
CREATE INDEX events_by_name ON events (container_id, name);
CREATE INDEX events_unmatched ON events (container_id, created_at) WHERE visitor_id IS NULL;
CREATE INDEX events_undispatched ON events (created_at) WHERE dispatched_at IS NULL;

-- Identity links carry their provenance. A browser link never moves an identity already linked
-- to another visitor; a server link that names the visitor wins over browser links. Links made
-- before this migration cannot tell and count as browser links (the least trusted).
ALTER TABLE identities ADD COLUMN provenance TEXT NOT NULL DEFAULT 'browser'
  CHECK (provenance IN ('browser', 'server'));

-- Deliveries show the provenance of what caused them: the event's, or admin for Test Webhook.
ALTER TABLE deliveries ADD COLUMN provenance TEXT;
UPDATE deliveries SET provenance = CASE
  WHEN event_row_id IS NULL THEN 'admin'
  ELSE COALESCE((SELECT e.provenance FROM events e WHERE e.id = deliveries.event_row_id), 'server')
END;

-- Webhook activity rows say who stood behind the request: server when its key authenticated.
ALTER TABLE webhook_requests ADD COLUMN provenance TEXT;
UPDATE webhook_requests SET provenance = 'server' WHERE status IN ('success', 'duplicate');

-- Requests to the custom webhook with a missing, malformed or unknown key (or another
-- container's) are counted per container and day instead of listed, so they can never push the
-- real requests out of the recent activity.
CREATE TABLE webhook_unauthenticated (
  container_id TEXT NOT NULL,
  day          INTEGER NOT NULL,                 -- unix day (ms / 86400000)
  count        INTEGER NOT NULL,
  last_at      INTEGER NOT NULL,
  PRIMARY KEY (container_id, day)
);

-- Connectors: browser events fire a postback only for connectors that opt in
-- (webhook.fire_on = server_and_browser). Every stored connector fired on browser events until
-- now; it moves to the safe default, and each one whose webhook this changes gets a one-time
-- notice in the console.
ALTER TABLE connectors ADD COLUMN notice TEXT;
UPDATE connectors SET notice = 'fire_on_server'
WHERE json_extract(config, '$.webhook.enabled') = 1;
UPDATE connectors SET config = json_set(config, '$.webhook.fire_on', 'server')
WHERE json_type(config, '$.webhook') = 'object';
