-- The install check: the last page view each container saw, so the console can show whether
-- the snippet is installed and whether its cookies could be set. One row per container,
-- overwritten; an isolate writes it at most once a minute per container unless it changed
-- (src/core/install_check.rs).
CREATE TABLE install_checks (
  container_id   TEXT PRIMARY KEY,
  seen_at        INTEGER NOT NULL,               -- ms since the epoch
  page_origin    TEXT,                           -- https://www.shop.com
  host           TEXT NOT NULL,                  -- t.shop.com, or www.shop.com/_pc (same origin)
  cookie_domain  TEXT NOT NULL,                  -- the container's cookie domain at the time
  cookie_verdict TEXT NOT NULL
    CHECK (cookie_verdict IN ('first_party', 'third_party', 'host_not_covered', 'unknown_page'))
);
