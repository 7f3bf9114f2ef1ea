-- Signing secrets leave delivery rows: a row names the version of its connector's secret it was
-- written under, and each attempt signs with the connector's secrets as they are at send time.
-- Connector secrets are sealed at rest by the worker itself (they need the signing keys), on
-- each connector's next write; values written before then are read as plain text.

-- Incremented by each rotation. A connector that was rotated already is at its second secret.
ALTER TABLE connectors ADD COLUMN secret_version INTEGER NOT NULL DEFAULT 1;
UPDATE connectors SET secret_version = 2 WHERE previous_secret IS NOT NULL;

-- A row that held a secret now names its connector's version instead (1 when the connector is
-- gone: the attempt then fails saying so, rather than going out unsigned); every row loses the
-- copied secrets. No row is deleted.
UPDATE deliveries
SET request = json_remove(
  json_set(request, '$.secret_version',
    COALESCE((SELECT c.secret_version FROM connectors c WHERE c.id = deliveries.connector_id), 1)),
  '$.signing_secret', '$.previous_secret')
WHERE request IS NOT NULL AND json_valid(request)
  AND json_type(request, '$.signing_secret') = 'text';

UPDATE deliveries
SET request = json_remove(request, '$.signing_secret', '$.previous_secret')
WHERE request IS NOT NULL AND json_valid(request)
  AND (json_type(request, '$.signing_secret') IS NOT NULL
    OR json_type(request, '$.previous_secret') IS NOT NULL);
