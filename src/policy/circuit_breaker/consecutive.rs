//! The sony/gobreaker circuit breaker: trips on the Nth consecutive failure.
//!
//! - CLOSED counts consecutive failures; the `consecutive_failures`-th opens it
//!   (gobreaker's default `ReadyToTrip` is "more than 5", i.e. the 6th).
//! - OPEN rejects until `open_duration` has passed (`now ≥ expiry`, as gobreaker's
//!   `expiry.Before(now)` is checked lazily on the next request).
//! - HALF_OPEN admits `max_requests` calls; a failure re-opens at once, and
//!   `max_requests` consecutive successes close it.
//!
//! Every state change starts a new *generation*: results of calls permitted in an
//! older generation are ignored, so a slow call from before a trip cannot re-close it.

use super::{Acquire, BreakerState, CallOutcome, Permit, StateClock, Transition};
use crate::policy::{check, ConfigError, SECOND};

#[derive(Debug, Clone, PartialEq)]
pub struct ConsecutiveConfig {
    /// Trips on this many consecutive failures (≥ 1). Default 6: gobreaker's default
    /// `ReadyToTrip` is `ConsecutiveFailures > 5`.
    pub consecutive_failures: u32,
    /// gobreaker `Timeout`: how long the breaker stays OPEN [ns]. Default 60 s.
    pub open_duration: u64,
    /// gobreaker `MaxRequests`: calls admitted while HALF_OPEN. Default 1.
    pub max_requests: u32,
    /// gobreaker `Interval`: how often CLOSED clears its counts [ns]; 0 = never (the
    /// default).
    pub interval: u64,
}

impl Default for ConsecutiveConfig {
    fn default() -> Self {
        ConsecutiveConfig {
            consecutive_failures: 6,
            open_duration: 60 * SECOND,
            max_requests: 1,
            interval: 0,
        }
    }
}

impl ConsecutiveConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let n = self.consecutive_failures;
        check(n >= 1, "consecutive_failures", "must be at least 1")?;
        check(self.open_duration >= 1, "open_duration", "must be positive")?;
        check(self.max_requests >= 1, "max_requests", "must be at least 1")
    }
}

#[derive(Debug, Clone)]
pub struct ConsecutiveBreaker {
    config: ConsecutiveConfig,
    pub(super) clock: StateClock,
    generation: u32,
    /// OPEN: when it may go HALF_OPEN; CLOSED with an interval: when counts clear.
    expiry: u64,
    requests: u32,
    consecutive_failures: u32,
    consecutive_successes: u32,
}

impl ConsecutiveBreaker {
    /// # Panics
    /// If the config does not validate.
    pub fn new(config: &ConsecutiveConfig) -> Self {
        if let Err(e) = config.validate() {
            panic!("invalid circuit breaker config: {e}");
        }
        let mut b = ConsecutiveBreaker {
            config: config.clone(),
            clock: StateClock::new(),
            generation: 0,
            expiry: 0,
            requests: 0,
            consecutive_failures: 0,
            consecutive_successes: 0,
        };
        b.new_generation(0);
        b
    }

    pub fn state(&self) -> BreakerState {
        self.clock.state()
    }

    pub fn try_acquire(&mut self, now: u64) -> Acquire {
        let transition = self.refresh(now);
        let permitted = match self.state() {
            BreakerState::Closed => true,
            BreakerState::Open => false,
            BreakerState::HalfOpen => self.requests < self.config.max_requests,
        };
        if permitted {
            self.requests += 1;
        }
        let permit = Permit {
            generation: self.generation,
        };
        Acquire {
            permit: permitted.then_some(permit),
            transition,
        }
    }

    /// Records a result; ignored if the call was permitted before the last state change.
    /// If a time-driven move is due (OPEN expired, or a CLOSED `interval` elapsed),
    /// gobreaker would make it first, so the result belongs to an older generation and
    /// is dropped; the move itself is made and reported by the next `try_acquire`.
    pub fn on_result(
        &mut self,
        now: u64,
        permit: Permit,
        outcome: CallOutcome,
    ) -> Option<Transition> {
        if self.is_stale(now, permit) {
            return None;
        }
        if outcome.failed {
            self.consecutive_failures += 1;
            self.consecutive_successes = 0;
            let trips = match self.state() {
                BreakerState::Closed => {
                    self.consecutive_failures >= self.config.consecutive_failures
                }
                _ => true,
            };
            trips.then(|| self.move_to(now, BreakerState::Open))
        } else {
            self.consecutive_successes += 1;
            self.consecutive_failures = 0;
            let closes = self.state() == BreakerState::HalfOpen
                && self.consecutive_successes >= self.config.max_requests;
            closes.then(|| self.move_to(now, BreakerState::Closed))
        }
    }

    /// A permitted call that must not count: frees its half-open slot (gobreaker v2's
    /// excluded errors).
    pub fn on_ignored(&mut self, now: u64, permit: Permit) {
        if !self.is_stale(now, permit) {
            self.requests = self.requests.saturating_sub(1);
        }
    }

    fn is_stale(&self, now: u64, permit: Permit) -> bool {
        let expired = match self.state() {
            BreakerState::Open => now >= self.expiry,
            BreakerState::Closed => self.config.interval > 0 && now >= self.expiry,
            BreakerState::HalfOpen => false,
        };
        expired || permit.generation != self.generation
    }

    /// gobreaker's `currentState`: the lazy moves that depend only on time.
    fn refresh(&mut self, now: u64) -> Option<Transition> {
        match self.state() {
            BreakerState::Open if now >= self.expiry => {
                Some(self.move_to(now, BreakerState::HalfOpen))
            }
            BreakerState::Closed if self.config.interval > 0 && now >= self.expiry => {
                self.new_generation(now);
                None
            }
            _ => None,
        }
    }

    fn move_to(&mut self, now: u64, to: BreakerState) -> Transition {
        let t = self.clock.move_to(now, to);
        self.new_generation(now);
        t
    }

    fn new_generation(&mut self, now: u64) {
        // Wrapping: a result would be misfiled only after 2^32 state changes while its
        // call was in flight.
        self.generation = self.generation.wrapping_add(1);
        self.requests = 0;
        self.consecutive_failures = 0;
        self.consecutive_successes = 0;
        self.expiry = match self.state() {
            BreakerState::Closed if self.config.interval > 0 => now + self.config.interval,
            BreakerState::Open => now + self.config.open_duration,
            _ => 0,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAIL: CallOutcome = CallOutcome {
        failed: true,
        duration: 1,
    };
    const OK: CallOutcome = CallOutcome {
        failed: false,
        duration: 1,
    };

    fn call(b: &mut ConsecutiveBreaker, now: u64, o: CallOutcome) -> Option<Transition> {
        let permit = b.try_acquire(now).permit.expect("permitted");
        b.on_result(now, permit, o)
    }

    #[test]
    fn trips_on_the_nth_consecutive_failure_only() {
        let mut b = ConsecutiveBreaker::new(&ConsecutiveConfig::default());
        for _ in 0..5 {
            assert_eq!(call(&mut b, 0, FAIL), None);
        }
        call(&mut b, 0, OK); // a success resets the run
        for _ in 0..5 {
            call(&mut b, 0, FAIL);
        }
        assert_eq!(b.state(), BreakerState::Closed);
        let t = call(&mut b, 0, FAIL).expect("6th consecutive failure trips");
        assert_eq!(t.to, BreakerState::Open);
    }

    #[test]
    fn half_open_admits_max_requests_and_closes_after_as_many_successes() {
        let config = ConsecutiveConfig {
            consecutive_failures: 1,
            open_duration: SECOND,
            max_requests: 2,
            interval: 0,
        };
        let mut b = ConsecutiveBreaker::new(&config);
        call(&mut b, 0, FAIL);
        assert!(b.try_acquire(SECOND - 1).permit.is_none());
        let first = b.try_acquire(SECOND);
        assert_eq!(first.transition.map(|t| t.to), Some(BreakerState::HalfOpen));
        let second = b.try_acquire(SECOND);
        assert!(first.permit.is_some() && second.permit.is_some());
        assert!(
            b.try_acquire(SECOND).permit.is_none(),
            "third probe refused"
        );
        assert_eq!(b.on_result(SECOND, first.permit.unwrap(), OK), None);
        let t = b.on_result(SECOND, second.permit.unwrap(), OK);
        assert_eq!(t.map(|t| t.to), Some(BreakerState::Closed));
    }

    #[test]
    fn results_from_an_older_generation_are_ignored() {
        let config = ConsecutiveConfig {
            consecutive_failures: 1,
            ..ConsecutiveConfig::default()
        };
        let mut b = ConsecutiveBreaker::new(&config);
        let early = b.try_acquire(0).permit.unwrap();
        call(&mut b, 0, FAIL);
        let probe_at = config.open_duration;
        let probe = b.try_acquire(probe_at).permit.unwrap();
        assert_eq!(
            b.on_result(probe_at, early, OK),
            None,
            "stale success ignored"
        );
        assert_eq!(b.state(), BreakerState::HalfOpen);
        let t = b.on_result(probe_at, probe, FAIL);
        assert_eq!(t.map(|t| t.to), Some(BreakerState::Open));
    }

    #[test]
    fn interval_clears_closed_counts() {
        let config = ConsecutiveConfig {
            consecutive_failures: 3,
            interval: 10 * SECOND,
            ..ConsecutiveConfig::default()
        };
        let mut b = ConsecutiveBreaker::new(&config);
        call(&mut b, SECOND, FAIL);
        call(&mut b, 2 * SECOND, FAIL);
        call(&mut b, 10 * SECOND, FAIL); // a new generation began at 10 s
        assert_eq!(b.state(), BreakerState::Closed);
        call(&mut b, 11 * SECOND, FAIL);
        call(&mut b, 12 * SECOND, FAIL);
        assert_eq!(b.state(), BreakerState::Open);
    }
}
