-- Reconciliation: daily counts per connector (deliveries by status) and per container (events
-- by status) that outlive the retention of the rows they count, and the container's time zone
-- that decides where a day starts.

-- An IANA time zone name (`Europe/Helsinki`); days of reconciliation and of the overview start
-- at local midnight there. Checked against the runtime's time zone data when it is set.
ALTER TABLE containers ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

-- What the retention purge removed, counted per UTC quarter hour (`bucket` = created_at / 900000,
-- rounded down): every time zone in use today is a whole number of quarter hours from UTC, so
-- any local day is a whole number of buckets and a change of time zone re-buckets the counts
-- exactly. The purge adds to these in the same batch that deletes the rows, so an answer is
-- the rollups plus a live count of the rows still present, never both for one row.
CREATE TABLE delivery_rollups (
  connector_id TEXT NOT NULL,
  bucket       INTEGER NOT NULL,
  status       TEXT NOT NULL,
  -- The reason of a skipped delivery; '' for every other status.
  reason       TEXT NOT NULL DEFAULT '',
  n            INTEGER NOT NULL,
  PRIMARY KEY (connector_id, bucket, status, reason)
) WITHOUT ROWID;

CREATE TABLE event_rollups (
  container_id TEXT NOT NULL,
  bucket       INTEGER NOT NULL,
  status       TEXT NOT NULL,
  n            INTEGER NOT NULL,
  PRIMARY KEY (container_id, bucket, status)
) WITHOUT ROWID;

