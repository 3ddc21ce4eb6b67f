//! Counters kept per window and folded into run totals.

use super::Histogram;
use crate::outcome::{Cause, Outcome};

#[derive(Clone, Default)]
pub struct ServiceCounters {
    pub arrivals: u64,
    /// Requests that finished successfully (not degraded).
    pub completed: u64,
    /// Requests that succeeded with a fallback answer somewhere on their way.
    pub degraded: u64,
    /// Failures by cause, including refusals at the door.
    pub errors: [u64; Cause::COUNT],
    /// Sum of response times of successful requests [ns].
    pub response_ns: u128,
    /// Requests that left after being admitted (any outcome), and their time in system.
    pub departed: u64,
    pub sojourn_ns: u128,
    pub started: u64,
    pub queue_wait_ns: u128,
    /// Started requests that had to wait in the queue.
    pub waited: u64,
    /// Time integrals [ns × count] of busy workers, requests in system and queue length.
    pub busy_area: u128,
    pub in_system_area: u128,
    pub queue_area: u128,
    /// Time integral of the worker capacity [ns × workers]: utilisation's denominator.
    pub capacity_area: u128,
    pub max_queue: u64,
    /// Work finished for callers that had already given up [ns].
    pub wasted_ns: u128,
    /// Highest memory of any replica [bytes].
    pub memory_max: u64,
    pub crashes: u64,
    pub restarts: u64,
    /// Latency of successful (and degraded) requests: coarse per window, fine in run
    /// totals (both recorded from the recorder's pending list, not folded, since the
    /// precisions differ). Why not one fine record folded at the window's end? Scanning,
    /// merging and clearing fine histograms at every window cost more than the second
    /// record (measured on M/M/10).
    pub latency: Histogram,
}

impl ServiceCounters {
    /// Counters for one window, with a coarse latency histogram.
    pub fn for_window() -> Self {
        ServiceCounters {
            latency: Histogram::new(super::histogram::COARSE),
            ..Default::default()
        }
    }

    #[inline(always)]
    pub fn left(&mut self, sojourn: u64, outcome: Outcome) {
        self.departed += 1;
        self.sojourn_ns += u128::from(sojourn);
        match outcome {
            Outcome::Ok | Outcome::Degraded => {
                if outcome == Outcome::Ok {
                    self.completed += 1;
                } else {
                    self.degraded += 1;
                }
                self.response_ns += u128::from(sojourn);
                // The latency goes to the histogram through `Recorder`'s pending list.
            }
            Outcome::Failed(c) => self.errors[c as usize] += 1,
        }
    }

    pub fn fold(&mut self, w: &ServiceCounters) {
        self.arrivals += w.arrivals;
        self.completed += w.completed;
        self.degraded += w.degraded;
        for (a, b) in self.errors.iter_mut().zip(w.errors) {
            *a += b;
        }
        self.response_ns += w.response_ns;
        self.departed += w.departed;
        self.sojourn_ns += w.sojourn_ns;
        self.started += w.started;
        self.queue_wait_ns += w.queue_wait_ns;
        self.waited += w.waited;
        self.busy_area += w.busy_area;
        self.in_system_area += w.in_system_area;
        self.queue_area += w.queue_area;
        self.capacity_area += w.capacity_area;
        self.max_queue = self.max_queue.max(w.max_queue);
        self.wasted_ns += w.wasted_ns;
        self.memory_max = self.memory_max.max(w.memory_max);
        self.crashes += w.crashes;
        self.restarts += w.restarts;
    }

    /// Zero every counter, keeping the histogram's allocation (a fresh one would cost a
    /// 30 KB allocation per service per window).
    pub fn reset(&mut self) {
        let ServiceCounters {
            arrivals,
            completed,
            degraded,
            errors,
            response_ns,
            departed,
            sojourn_ns,
            started,
            queue_wait_ns,
            waited,
            busy_area,
            in_system_area,
            queue_area,
            capacity_area,
            max_queue,
            wasted_ns,
            memory_max,
            crashes,
            restarts,
            latency,
        } = self;
        for c in [
            arrivals, completed, degraded, departed, started, waited, max_queue, memory_max,
            crashes, restarts,
        ] {
            *c = 0;
        }
        for a in [
            capacity_area,
            response_ns,
            sojourn_ns,
            queue_wait_ns,
            busy_area,
            in_system_area,
            queue_area,
            wasted_ns,
        ] {
            *a = 0;
        }
        *errors = [0; Cause::COUNT];
        latency.clear();
    }

    pub fn failed(&self) -> u64 {
        self.errors.iter().sum()
    }
}

#[derive(Clone, Copy, Default, Debug, PartialEq)]
pub struct EdgeCounters {
    /// Logical calls started by the caller's operations.
    pub calls: u64,
    /// Requests actually sent to a callee replica (first tries and retries).
    pub attempts: u64,
    pub retries: u64,
    /// Logical calls that ended: succeeded, answered by the fallback, failed by cause.
    pub ok: u64,
    pub degraded: u64,
    pub failures: [u64; Cause::COUNT],
    /// Attempts that failed, by cause (a call retried twice can count three).
    pub attempt_failures: [u64; Cause::COUNT],
    /// Sum of logical call durations [ns].
    pub call_ns: u128,
    pub pool_acquired: u64,
    pub pool_wait_ns: u128,
    pub pool_in_use_max: u32,
    pub pool_waiters_max: u32,
    pub bulkhead_in_use_max: u32,
    /// Breaker state at the end of the window: 0 none, 1 closed, 2 open, 3 half-open.
    pub breaker_state: u8,
    pub breaker_transitions: u64,
    /// Retries not made because the retry budget was spent.
    pub budget_exhausted: u64,
    /// Calls hit by a chaos injector.
    pub chaos_hits: u64,
    /// Callee replicas ejected by outlier detection.
    pub ejections: u64,
    /// Attempts sent that did not reach the callee when sent: partitioned, dropped, or
    /// delayed by chaos (`delivered_late` counts the delayed ones that arrived later).
    pub undelivered: u64,
    pub delivered_late: u64,
}

impl EdgeCounters {
    #[inline]
    pub fn call_done(&mut self, outcome: Outcome, duration: u64) {
        self.call_ns += u128::from(duration);
        match outcome {
            Outcome::Ok => self.ok += 1,
            Outcome::Degraded => self.degraded += 1,
            Outcome::Failed(c) => self.failures[c as usize] += 1,
        }
    }

    pub fn fold(&mut self, w: &EdgeCounters) {
        self.calls += w.calls;
        self.attempts += w.attempts;
        self.retries += w.retries;
        self.ok += w.ok;
        self.degraded += w.degraded;
        for (a, b) in self.failures.iter_mut().zip(w.failures) {
            *a += b;
        }
        for (a, b) in self.attempt_failures.iter_mut().zip(w.attempt_failures) {
            *a += b;
        }
        self.call_ns += w.call_ns;
        self.pool_acquired += w.pool_acquired;
        self.pool_wait_ns += w.pool_wait_ns;
        self.pool_in_use_max = self.pool_in_use_max.max(w.pool_in_use_max);
        self.pool_waiters_max = self.pool_waiters_max.max(w.pool_waiters_max);
        self.bulkhead_in_use_max = self.bulkhead_in_use_max.max(w.bulkhead_in_use_max);
        self.breaker_state = w.breaker_state;
        self.breaker_transitions += w.breaker_transitions;
        self.budget_exhausted += w.budget_exhausted;
        self.chaos_hits += w.chaos_hits;
        self.undelivered += w.undelivered;
        self.delivered_late += w.delivered_late;
        self.ejections += w.ejections;
    }

    pub fn failed(&self) -> u64 {
        self.failures.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field, with a different value each, and no `..`: a new counter must be added
    /// here, and to `fold`.
    #[test]
    fn folding_a_window_into_empty_totals_gives_the_window() {
        let window = EdgeCounters {
            calls: 1,
            attempts: 2,
            retries: 3,
            ok: 4,
            degraded: 5,
            failures: [6; Cause::COUNT],
            attempt_failures: [7; Cause::COUNT],
            call_ns: 8,
            pool_acquired: 9,
            pool_wait_ns: 10,
            pool_in_use_max: 11,
            pool_waiters_max: 12,
            bulkhead_in_use_max: 13,
            breaker_state: 2,
            breaker_transitions: 14,
            budget_exhausted: 15,
            chaos_hits: 16,
            ejections: 17,
            undelivered: 18,
            delivered_late: 19,
        };
        let mut totals = EdgeCounters::default();
        totals.fold(&window);
        assert_eq!(totals, window);
    }
}
