-- Bulk recovery skips a failed delivery that was already replayed (`NOT EXISTS (SELECT 1 FROM
-- deliveries r WHERE r.replay_of = d.id)`): without an index that reads every delivery for
-- each candidate. Only replays have `replay_of`, so the index is partial and small.
CREATE INDEX deliveries_by_replay_of ON deliveries (replay_of) WHERE replay_of IS NOT NULL;
