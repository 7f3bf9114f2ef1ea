-- Privacy: retention per container, erasure records, refused click values.

-- Days each kind of data is kept, as the container set them: a JSON object such as
-- {"events": 90, "activity": 7}. Kinds left out take the defaults (src/core/retention.rs).
ALTER TABLE containers ADD COLUMN retention TEXT NOT NULL DEFAULT '{}';
-- When the retention sweep last finished this container: the least recently purged go first,
-- so a sweep that runs out of time never starves the containers after it.
ALTER TABLE containers ADD COLUMN purged_at INTEGER;

-- One row per erasure request, without the personal data itself: the subject is kept only as
-- SHA-256 of "{kind}:{key}" (src/core/privacy/subject.rs), and `removed` counts what was
-- removed per table (JSON). A repeated request updates its row.
CREATE TABLE erasures (
  id           TEXT PRIMARY KEY,
  container_id TEXT NOT NULL,
  subject_hash TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('visitor_id', 'email', 'phone', 'external_id')),
  removed      TEXT NOT NULL DEFAULT '{}',
  requested_at INTEGER NOT NULL,
  completed_at INTEGER,
  UNIQUE (container_id, subject_hash)
);

-- Everything an erasure named, hashed the same way: the subject, each visitor it resolved to
-- and each stored event it covered. Queue consumers hash what a message names and drop the
-- message when it is listed here (messages already queued cannot be cancelled).
CREATE TABLE erased_subjects (
  container_id TEXT NOT NULL,
  subject_hash TEXT NOT NULL,
  erasure_id   TEXT NOT NULL,
  erased_at    INTEGER NOT NULL,
  PRIMARY KEY (container_id, subject_hash)
);

-- Click parameters of landing URLs whose value was refused (empty, an unfilled macro, too long,
-- control characters, not UTF-8), counted per container, day, parameter and reason.
CREATE TABLE click_refusals (
  container_id TEXT NOT NULL,
  day          TEXT NOT NULL,                   -- YYYY-MM-DD, UTC
  param        TEXT NOT NULL,
  reason       TEXT NOT NULL,
  count        INTEGER NOT NULL,
  last_at      INTEGER NOT NULL,
  PRIMARY KEY (container_id, day, param, reason)
);

-- Retention purges by container and age.
CREATE INDEX clicks_by_container_time ON clicks (container_id, created_at);
CREATE INDEX events_by_container_time ON events (container_id, created_at);
CREATE INDEX identities_by_container_time ON identities (container_id, created_at);
CREATE INDEX visitors_by_container_time ON visitors (container_id, updated_at);
CREATE INDEX deliveries_by_container_time ON deliveries (container_id, created_at);
CREATE INDEX pending_identities_by_event ON pending_identities (event_row_id);
