-- An erased event is marked in the same D1 batch as its erasure record, so the postback consumer
-- learns of an erasure in the claim's own statement (one round trip fewer per batch) instead
-- of hashing each claimed row's event and looking the hashes up in `erased_subjects`.
-- Erasures completed before this migration settled their pending deliveries themselves; an
-- erasure that stopped part-way is finished by running it again, which marks its events.
ALTER TABLE events ADD COLUMN erased_at INTEGER;
