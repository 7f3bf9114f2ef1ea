//! The query log, for the query-plan test: with the `QUERY_LOG` setting on, every distinct SQL
//! statement the worker prepares is written to the worker's log once per isolate, as
//! `postclick-query: <sql>` on one line. The test (`tests/integration/query_plans.test.mjs`)
//! drives the hot paths and the admin lists, collects these lines and runs `EXPLAIN QUERY PLAN`
//! on each against the same local D1, failing on a full scan of a table that grows with traffic.
//!
//! Off unless the setting is `true`: never in `wrangler.toml`. The setting is read once per
//! isolate (an isolate's settings do not change while it lives).

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use worker::Env;

/// Where the log line starts; the test finds statements by it.
pub const PREFIX: &str = "postclick-query: ";

thread_local! {
    /// `None` until the first entry point of the isolate has read the setting.
    static ON: Cell<Option<bool>> = const { Cell::new(None) };
    static SEEN: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
}

/// Reads `QUERY_LOG` from `env` the first time an isolate is entered (fetch, queue or cron).
pub fn configure(env: &Env) {
    if ON.get().is_none() {
        let on = env
            .var("QUERY_LOG")
            .is_ok_and(|v| v.to_string().trim() == "true");
        ON.set(Some(on));
    }
}

/// Logs `sql` if the log is on and this isolate has not logged it yet.
pub fn prepared(sql: &str) {
    if ON.get() != Some(true) {
        return;
    }
    let first = SEEN.with(|seen| seen.borrow_mut().insert(sql.to_string()));
    if first {
        // One statement per line: the SQL in the source spans lines.
        let line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        worker::console_log!("{PREFIX}{line}");
    }
}
