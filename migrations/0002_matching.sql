-- Late matching: an event that arrived before we knew its visitor keeps the identities it
-- carried here; when a later event or click ties one of them to a visitor, the event is matched.
CREATE TABLE pending_identities (
  container_id TEXT NOT NULL,
  kind         TEXT NOT NULL,                   -- external_id | email_sha256 | phone_sha256 | click:{param}
  value        TEXT NOT NULL,
  event_row_id TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (container_id, kind, value, event_row_id)
);

-- Attributes that set-type webhooks attach to a visitor, merged over time.
CREATE TABLE visitors (
  container_id TEXT NOT NULL,
  visitor_id   TEXT NOT NULL,
  attributes   TEXT NOT NULL DEFAULT '{}',      -- JSON object
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (container_id, visitor_id)
);
