//! CoDel for request queues, as Facebook describes it in "Fail at Scale" (2015), with
//! adaptive LIFO.
//!
//! A queue that has been empty within the last `interval` (N) is absorbing a burst:
//! requests entering it may wait up to N. A queue that has not been empty for longer
//! than N is a standing queue: requests entering it get the short `target` (M) instead,
//! so the queue drains instead of serving requests whose callers have given up. With
//! `adaptive_lifo`, a standing queue also serves the newest request first, since it is
//! the one most likely to still have a waiting caller.
//!
//! The timeout is fixed when a request is enqueued (Facebook's pseudo-code); the engine
//! may arm a timer at `now + timeout` or test [`Codel::expired`] when it dequeues.
//! Report every change of the queue's length with `observe_len` so that the last
//! instant the queue was empty is known.

use super::{check, ConfigError, MILLISECOND};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodelConfig {
    /// M [ns]: queue timeout while a standing queue exists. Default 5 ms.
    pub target: u64,
    /// N [ns]: the window, and the queue timeout otherwise. Default 100 ms.
    pub interval: u64,
    /// Serve newest first while a standing queue exists. Default false: CoDel and
    /// adaptive LIFO are separate switches.
    pub adaptive_lifo: bool,
}

impl Default for CodelConfig {
    fn default() -> Self {
        CodelConfig {
            target: 5 * MILLISECOND,
            interval: 100 * MILLISECOND,
            adaptive_lifo: false,
        }
    }
}

impl CodelConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        check(self.target >= 1, "target", "must be positive")?;
        check(
            self.interval > self.target,
            "interval",
            "must be longer than `target` (Facebook uses M = 5 ms, N = 100 ms)",
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServeOrder {
    Fifo,
    Lifo,
}

#[derive(Debug, Clone)]
pub struct Codel {
    config: CodelConfig,
    /// The queue starts empty.
    last_empty_at: u64,
}

impl Codel {
    /// # Panics
    /// If the config does not validate.
    pub fn new(config: CodelConfig) -> Self {
        if let Err(e) = config.validate() {
            panic!("invalid CoDel config: {e}");
        }
        Codel {
            config,
            last_empty_at: 0,
        }
    }

    /// The queue's length changed (or was looked at) at `now`.
    pub fn observe_len(&mut self, now: u64, queue_len: usize) {
        if queue_len == 0 {
            self.last_empty_at = now;
        }
    }

    /// A standing queue: not empty now, and not empty at any instant in the last N.
    pub fn is_standing(&self, now: u64, queue_len: usize) -> bool {
        queue_len > 0 && self.last_empty_at < now.saturating_sub(self.config.interval)
    }

    /// The queue timeout of a request entering a queue of `queue_len_before` requests.
    pub fn on_enqueue(&mut self, now: u64, queue_len_before: usize) -> u64 {
        self.observe_len(now, queue_len_before);
        if self.is_standing(now, queue_len_before) {
            self.config.target
        } else {
            self.config.interval
        }
    }

    /// Which end of the queue to serve next.
    pub fn order(&self, now: u64, queue_len: usize) -> ServeOrder {
        if self.config.adaptive_lifo && self.is_standing(now, queue_len) {
            ServeOrder::Lifo
        } else {
            ServeOrder::Fifo
        }
    }

    /// Whether a request enqueued at `enqueued_at` with `timeout` must be dropped
    /// rather than served at `now` (it waited strictly longer than its timeout).
    pub fn expired(&self, now: u64, enqueued_at: u64, timeout: u64) -> bool {
        now.saturating_sub(enqueued_at) > timeout
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: u64 = 5 * MILLISECOND;
    const N: u64 = 100 * MILLISECOND;

    fn codel(adaptive_lifo: bool) -> Codel {
        Codel::new(CodelConfig {
            adaptive_lifo,
            ..CodelConfig::default()
        })
    }

    #[test]
    fn a_queue_that_empties_gives_the_long_timeout() {
        let mut c = codel(false);
        // A burst queues up at 1 s and drains at 1.09 s: never standing for N.
        c.observe_len(SECOND_1, 0);
        for i in 0..10 {
            assert_eq!(c.on_enqueue(SECOND_1 + i * MILLISECOND, i as usize), N);
        }
        c.observe_len(SECOND_1 + 90 * MILLISECOND, 0);
        assert_eq!(c.on_enqueue(SECOND_1 + 150 * MILLISECOND, 3), N);
    }

    const SECOND_1: u64 = 1_000 * MILLISECOND;

    #[test]
    fn a_standing_queue_gives_the_short_timeout_until_it_empties() {
        let mut c = codel(false);
        c.observe_len(0, 0);
        c.observe_len(MILLISECOND, 5); // never empty again
        assert_eq!(
            c.on_enqueue(N, 5),
            N,
            "empty exactly N ago: not yet standing"
        );
        assert_eq!(c.on_enqueue(N + 1, 6), M);
        c.observe_len(2 * N, 0);
        assert_eq!(c.on_enqueue(2 * N + 1, 0), N, "drained: back to N");
        assert_eq!(c.on_enqueue(2 * N + 2, 1), N);
    }

    #[test]
    fn adaptive_lifo_serves_newest_first_only_while_standing() {
        let mut c = codel(true);
        c.observe_len(0, 0);
        assert_eq!(c.order(N / 2, 10), ServeOrder::Fifo);
        assert_eq!(c.order(2 * N, 10), ServeOrder::Lifo);
        assert_eq!(
            codel(false).order(2 * N, 10),
            ServeOrder::Fifo,
            "switched off"
        );
        c.observe_len(3 * N, 0);
        assert_eq!(c.order(3 * N + 1, 1), ServeOrder::Fifo);
    }

    #[test]
    fn expiry_is_strictly_after_the_timeout() {
        let c = codel(false);
        assert!(!c.expired(10 + M, 10, M));
        assert!(c.expired(11 + M, 10, M));
    }

    #[test]
    fn validation() {
        let bad = CodelConfig {
            target: N,
            ..CodelConfig::default()
        };
        assert_eq!(bad.validate().unwrap_err().field, "interval");
    }
}
