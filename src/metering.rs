//! Per-request counts of what a request costs the platform: D1 round trips and queue sends.
//! The storage and queue code calls [`d1_round_trip`] and [`queue_send`] where it talks to the
//! platform; the router wraps a request's future in [`Metered`] and reports the counts in a
//! `Server-Timing` header ([`server_timing`]) when the `SERVER_TIMING` setting is on.
//!
//! An isolate interleaves requests on one thread, so a plain global counter would mix them.
//! Instead each [`Metered`] future installs its own counters while it is being polled and puts
//! the previous ones back afterwards: work that runs inside that poll (every storage call the
//! handler awaits) counts toward its request, and work after the answer (`wait_until`, the queue
//! consumers) counts toward none. Work a request leaves for after its answer is counted on its
//! own instead ([`after_answer`]), so what an accepted webhook or event costs in all is known.
//! Nothing here knows about HTTP.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// What one request has cost so far.
#[derive(Debug, Default)]
pub struct Counts {
    d1: Cell<u32>,
    queue: Cell<u32>,
}

impl Counts {
    /// D1 round trips: one per query, write or batch (a batch is one round trip).
    pub fn d1(&self) -> u32 {
        self.d1.get()
    }

    /// Queue sends: one per `send` or `sendBatch` call.
    pub fn queue(&self) -> u32 {
        self.queue.get()
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Counts>>> = const { RefCell::new(None) };
}

fn bump(pick: fn(&Counts) -> &Cell<u32>) {
    CURRENT.with(|current| {
        if let Some(counts) = current.borrow().as_ref() {
            let cell = pick(counts);
            cell.set(cell.get().saturating_add(1));
        }
    });
}

/// Counts one D1 round trip toward the request being polled, if any.
pub fn d1_round_trip() {
    bump(|c| &c.d1);
}

/// Counts one queue send toward the request being polled, if any.
pub fn queue_send() {
    bump(|c| &c.queue);
}

/// The D1 round trips the metered future being polled has made so far; `None` outside one.
/// Work that must stay within a per-invocation query budget (the cron sweep) reads it.
pub fn d1_so_far() -> Option<u32> {
    CURRENT.with(|current| current.borrow().as_ref().map(|counts| counts.d1()))
}

/// Whether the metered future being polled may start more work that costs D1 queries: its
/// round trips so far are under `share`. Always, outside a metered future.
pub fn d1_within(share: u32) -> bool {
    d1_so_far().is_none_or(|n| n < share)
}

/// A future whose storage calls and queue sends are counted in [`Metered::counts`].
pub struct Metered<'a, T> {
    inner: Pin<Box<dyn Future<Output = T> + 'a>>,
    counts: Rc<Counts>,
}

impl<'a, T> Metered<'a, T> {
    /// Wraps `inner` with fresh counters.
    pub fn new(inner: impl Future<Output = T> + 'a) -> Self {
        Self {
            inner: Box::pin(inner),
            counts: Rc::new(Counts::default()),
        }
    }

    /// The counters, to read once the future has finished.
    pub fn counts(&self) -> Rc<Counts> {
        Rc::clone(&self.counts)
    }
}

impl<T> Future for Metered<'_, T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mine = Some(Rc::clone(&self.counts));
        let previous = CURRENT.with(|current| current.replace(mine));
        let polled = self.inner.as_mut().poll(cx);
        CURRENT.with(|current| current.replace(previous));
        polled
    }
}

/// Where the log line of work after an answer starts: `postclick-after: <what> d1=N queue=M`.
/// The bench and the tests find the counts by it.
pub const AFTER_PREFIX: &str = "postclick-after: ";

/// `work` counted on its own (it runs after the answer, outside the request's [`Metered`]):
/// once it has finished, `report` gets its counts. The caller logs them with [`after_line`].
pub async fn after_answer<T>(work: impl Future<Output = T>, report: impl FnOnce(&Counts)) -> T {
    let metered = Metered::new(work);
    let counts = metered.counts();
    let out = metered.await;
    report(&counts);
    out
}

/// The log line of [`after_answer`]'s counts for the work named `what`.
pub fn after_line(what: &str, counts: &Counts) -> String {
    format!(
        "{AFTER_PREFIX}{what} d1={} queue={}",
        counts.d1(),
        counts.queue()
    )
}

/// The `Server-Timing` header value (W3C Server Timing) for `counts` and the request's total
/// time in milliseconds: `d1;desc="2", queue;desc="1", total;dur=4.0`.
pub fn server_timing(counts: &Counts, total_ms: f64) -> String {
    format!(
        "d1;desc=\"{}\", queue;desc=\"{}\", total;dur={:.1}",
        counts.d1(),
        counts.queue(),
        total_ms.max(0.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::future::join;

    async fn two_queries() {
        d1_round_trip();
        futures_util::future::ready(()).await;
        d1_round_trip();
    }

    #[test]
    fn each_request_counts_only_its_own_round_trips_and_sends() {
        let first = Metered::new(two_queries());
        let second = Metered::new(async { queue_send() });
        let (a, b) = (first.counts(), second.counts());
        let so_far = Metered::new(async {
            two_queries().await;
            (d1_so_far(), d1_within(3), d1_within(2))
        });
        assert_eq!(futures_executor_block_on(so_far), (Some(2), true, false));
        assert!(d1_within(0), "outside a metered future there is no budget");
        assert_eq!(d1_so_far(), None, "outside a metered future");
        futures_executor_block_on(join(first, second));
        assert_eq!((a.d1(), a.queue()), (2, 0));
        assert_eq!((b.d1(), b.queue()), (0, 1));
        // Outside any request nothing is counted, and nothing fails.
        d1_round_trip();
        assert_eq!(a.d1(), 2);
    }

    #[test]
    fn the_header_names_the_counts_and_the_total_time() {
        let counts = Counts::default();
        counts.d1.set(2);
        counts.queue.set(1);
        assert_eq!(
            server_timing(&counts, 4.04),
            "d1;desc=\"2\", queue;desc=\"1\", total;dur=4.0"
        );
    }

    #[test]
    fn work_after_the_answer_is_counted_on_its_own() {
        let mut seen = None;
        let request = Metered::new(async {
            d1_round_trip();
        });
        let counts = request.counts();
        futures_executor_block_on(request);
        futures_executor_block_on(after_answer(
            async {
                two_queries().await;
                queue_send();
            },
            |c| seen = Some(after_line("webhook dispatch", c)),
        ));
        assert_eq!(
            seen.as_deref(),
            Some("postclick-after: webhook dispatch d1=2 queue=1")
        );
        assert_eq!(counts.d1(), 1, "the request's own count is unchanged");
    }

    /// Polls a future that never waits on anything outside itself to completion.
    fn futures_executor_block_on<F: Future>(future: F) -> F::Output {
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut future = Box::pin(future);
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }
}
