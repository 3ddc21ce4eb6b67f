//! Semaphore bulkhead (resilience4j `Bulkhead`): at most `max_concurrent_calls` calls
//! at once; a caller finding it full waits up to `max_wait`, in FIFO order, or fails at
//! once when `max_wait` is 0 (the default). The same state machine models a HikariCP
//! connection pool: `maximumPoolSize` 10, `connectionTimeout` 30 s.
//!
//! Waiters are the engine's `u32` handles; the engine arms its own timeout event at
//! `now + max_wait` and calls [`Bulkhead::cancel_wait`] when it fires.
//!
//! [`ClassPools`] keeps a separate bulkhead per request class (`critical`, `bulk`, …).

mod classes;

pub use classes::{ClassId, ClassPools, ClassPoolsConfig};

use super::{check, ConfigError, SECOND};
use std::collections::VecDeque;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkheadConfig {
    /// `maxConcurrentCalls` (HikariCP `maximumPoolSize`). Default 25.
    pub max_concurrent_calls: u32,
    /// `maxWaitDuration` (HikariCP `connectionTimeout`) [ns]; 0 = fail at once.
    /// Default 0.
    pub max_wait: u64,
}

impl Default for BulkheadConfig {
    fn default() -> Self {
        BulkheadConfig {
            max_concurrent_calls: 25,
            max_wait: 0,
        }
    }
}

impl BulkheadConfig {
    /// HikariCP's defaults, for a database connection pool.
    pub fn hikari() -> Self {
        BulkheadConfig {
            max_concurrent_calls: 10,
            max_wait: 30 * SECOND,
        }
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        check(
            self.max_concurrent_calls >= 1,
            "max_concurrent_calls",
            "must be at least 1",
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// A slot is taken; give it back with `release`.
    Granted,
    /// Full: the handle waits in line; arm a timeout at `now + max_wait`.
    Queued,
    /// Full and no waiting allowed (`bulkhead_full`).
    Rejected,
}

#[derive(Debug, Clone)]
pub struct Bulkhead {
    config: BulkheadConfig,
    in_use: u32,
    /// FIFO, as resilience4j's fair semaphore and roughly HikariCP.
    waiters: VecDeque<u32>,
}

impl Bulkhead {
    /// # Panics
    /// If the config does not validate.
    pub fn new(config: BulkheadConfig) -> Self {
        if let Err(e) = config.validate() {
            panic!("invalid bulkhead config: {e}");
        }
        Bulkhead {
            config,
            in_use: 0,
            waiters: VecDeque::new(),
        }
    }

    pub fn config(&self) -> BulkheadConfig {
        self.config
    }

    /// Why no check for waiters here? A release hands its slot straight to the first
    /// waiter, so while anyone waits every slot is taken and a newcomer queues behind.
    pub fn try_acquire(&mut self, waiter: u32) -> Admission {
        if self.in_use < self.config.max_concurrent_calls {
            self.in_use += 1;
            Admission::Granted
        } else if self.config.max_wait == 0 {
            Admission::Rejected
        } else {
            self.waiters.push_back(waiter);
            Admission::Queued
        }
    }

    /// Gives a slot back. If someone waits, the slot passes to the first waiter, whose
    /// handle is returned: its call may go ahead (and its timeout is now stale).
    pub fn release(&mut self) -> Option<u32> {
        debug_assert!(self.in_use > 0, "release without a slot");
        let next = self.waiters.pop_front();
        if next.is_none() {
            self.in_use = self.in_use.saturating_sub(1);
        }
        next
    }

    /// Removes a waiter whose wait timed out (or whose call was abandoned). Returns
    /// false if it was not waiting (it already got a slot). Waiters time out in the order
    /// they queued, so the search ends at the front in practice.
    pub fn cancel_wait(&mut self, waiter: u32) -> bool {
        match self.waiters.iter().position(|&w| w == waiter) {
            Some(i) => {
                self.waiters.remove(i);
                true
            }
            None => false,
        }
    }

    pub fn in_use(&self) -> u32 {
        self.in_use
    }

    pub fn waiting(&self) -> usize {
        self.waiters.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulkhead(max_concurrent_calls: u32, max_wait: u64) -> Bulkhead {
        Bulkhead::new(BulkheadConfig {
            max_concurrent_calls,
            max_wait,
        })
    }

    #[test]
    fn no_wait_rejects_beyond_the_limit() {
        let mut b = bulkhead(2, 0);
        assert_eq!(b.try_acquire(1), Admission::Granted);
        assert_eq!(b.try_acquire(2), Admission::Granted);
        assert_eq!(b.try_acquire(3), Admission::Rejected);
        assert_eq!(b.release(), None);
        assert_eq!(b.try_acquire(4), Admission::Granted);
        assert_eq!(b.in_use(), 2);
    }

    #[test]
    fn waiters_are_served_first_in_first_out() {
        let mut b = bulkhead(1, SECOND);
        assert_eq!(b.try_acquire(1), Admission::Granted);
        for w in [2, 3, 4] {
            assert_eq!(b.try_acquire(w), Admission::Queued);
        }
        assert_eq!(b.release(), Some(2));
        assert_eq!(b.release(), Some(3));
        assert_eq!(b.in_use(), 1, "slots pass from hand to hand");
        assert_eq!(b.release(), Some(4));
        assert_eq!(b.release(), None);
        assert_eq!(b.in_use(), 0);
    }

    #[test]
    fn a_timed_out_waiter_leaves_the_line() {
        let mut b = bulkhead(1, SECOND);
        b.try_acquire(1);
        b.try_acquire(2);
        b.try_acquire(3);
        assert!(b.cancel_wait(2));
        assert!(!b.cancel_wait(2), "already gone");
        assert_eq!(b.waiting(), 1);
        assert_eq!(b.release(), Some(3));
    }

    #[test]
    fn defaults_are_resilience4j_and_hikari() {
        assert_eq!(BulkheadConfig::default().max_concurrent_calls, 25);
        assert_eq!(BulkheadConfig::default().max_wait, 0);
        assert_eq!(BulkheadConfig::hikari().max_concurrent_calls, 10);
        let bad = BulkheadConfig {
            max_concurrent_calls: 0,
            max_wait: 0,
        };
        assert_eq!(bad.validate().unwrap_err().field, "max_concurrent_calls");
    }
}
