-- Pacing checks each send against the destination's last actual send, not only its reserved
-- slot: a consumer that wakes late for its slot (timers fire late on a busy isolate) would
-- otherwise send together with the next one. Unix ms; NULL until the first paced send.
ALTER TABLE destinations ADD COLUMN last_sent_at INTEGER;
