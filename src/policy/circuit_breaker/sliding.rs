//! The resilience4j circuit breaker: failure and slow-call rates over a sliding window.
//!
//! - CLOSED records every result and evaluates the rates after each one; once the
//!   window holds `minimum_calls` calls, a failure rate ≥ `failure_rate_threshold` or a
//!   slow-call rate ≥ `slow_call_rate_threshold` opens it.
//! - OPEN rejects until its wait has passed; the next permission request after that
//!   (strictly after, as `Instant.isAfter`) moves it to HALF_OPEN.
//! - HALF_OPEN admits exactly `half_open_calls` calls, records results in a fresh count
//!   window of that size, and when it is full goes OPEN (rates over threshold) or CLOSED.
//!
//! Why record a result whatever state the call was permitted in? resilience4j does:
//! a call permitted while CLOSED that ends while HALF_OPEN counts towards the probes.

use super::open_wait::OpenWait;
use super::window::{CallCounts, SlidingWindow};
use super::{Acquire, BreakerState, CallOutcome, Permit, StateClock, Transition};
use crate::policy::{check, check_percent, ConfigError, SECOND};
use rand::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowKind {
    /// `COUNT_BASED`: the last `window_size` calls.
    CountBased,
    /// `TIME_BASED`: the calls of the last `window_size` one-second buckets.
    TimeBased,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SlidingConfig {
    /// `slidingWindowType`. Default COUNT_BASED.
    pub window_kind: WindowKind,
    /// `slidingWindowSize`: calls (count-based) or seconds (time-based). Default 100.
    pub window_size: u32,
    /// `minimumNumberOfCalls`: below it the breaker never trips. Default 100. Clamped to
    /// `window_size` for a count-based window (it could never be reached otherwise).
    pub minimum_calls: u32,
    /// `failureRateThreshold` [%], in (0, 100]. Default 50.
    pub failure_rate_threshold: f64,
    /// `slowCallRateThreshold` [%], in (0, 100]. Default 100.
    pub slow_call_rate_threshold: f64,
    /// `slowCallDurationThreshold` [ns]: a call is slow when strictly longer. Default 60 s.
    pub slow_call_duration: u64,
    /// `waitDurationInOpenState` and its backoff.
    pub open_wait: OpenWait,
    /// `permittedNumberOfCallsInHalfOpenState`. Default 10.
    pub half_open_calls: u32,
}

/// Large enough for any real configuration, small enough that a typo cannot allocate
/// gigabytes.
const MAX_WINDOW_SIZE: u32 = 1_000_000;

impl Default for SlidingConfig {
    fn default() -> Self {
        SlidingConfig {
            window_kind: WindowKind::CountBased,
            window_size: 100,
            minimum_calls: 100,
            failure_rate_threshold: 50.0,
            slow_call_rate_threshold: 100.0,
            slow_call_duration: 60 * SECOND,
            open_wait: OpenWait::default(),
            half_open_calls: 10,
        }
    }
}

impl SlidingConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let window_ok = (1..=MAX_WINDOW_SIZE).contains(&self.window_size);
        check(window_ok, "window_size", "must be between 1 and 1000000")?;
        check(
            self.minimum_calls >= 1,
            "minimum_calls",
            "must be at least 1",
        )?;
        for (value, field) in [
            (self.failure_rate_threshold, "failure_rate_threshold"),
            (self.slow_call_rate_threshold, "slow_call_rate_threshold"),
        ] {
            check_percent(value, field)?;
            check(value > 0.0, field, "must be above 0 %")?;
        }
        check(
            self.slow_call_duration >= 1,
            "slow_call_duration",
            "must be positive",
        )?;
        let half_open_ok = (1..=MAX_WINDOW_SIZE).contains(&self.half_open_calls);
        check(
            half_open_ok,
            "half_open_calls",
            "must be between 1 and 1000000",
        )?;
        self.open_wait.validate()
    }

    /// `minimum_calls` as the breaker applies it.
    pub fn effective_minimum_calls(&self) -> u32 {
        match self.window_kind {
            WindowKind::CountBased => self.minimum_calls.min(self.window_size),
            WindowKind::TimeBased => self.minimum_calls,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SlidingWindowBreaker {
    config: SlidingConfig,
    pub(super) clock: StateClock,
    closed_window: SlidingWindow,
    half_open_window: SlidingWindow,
    /// Consecutive openings since the last close; 1 on the first CLOSED → OPEN.
    open_attempts: u32,
    /// OPEN until strictly after this instant.
    open_until: u64,
    half_open_permits_left: u32,
}

impl SlidingWindowBreaker {
    /// # Panics
    /// If the config does not validate.
    pub fn new(config: &SlidingConfig) -> Self {
        if let Err(e) = config.validate() {
            panic!("invalid circuit breaker config: {e}");
        }
        let closed_window = match config.window_kind {
            WindowKind::CountBased => SlidingWindow::count_based(config.window_size),
            WindowKind::TimeBased => SlidingWindow::time_based(config.window_size),
        };
        SlidingWindowBreaker {
            config: config.clone(),
            clock: StateClock::new(),
            closed_window,
            half_open_window: SlidingWindow::count_based(config.half_open_calls),
            open_attempts: 0,
            open_until: 0,
            half_open_permits_left: 0,
        }
    }

    pub fn state(&self) -> BreakerState {
        self.clock.state()
    }

    /// When an OPEN breaker will admit a probe: the first instant after this one.
    pub fn open_until(&self) -> Option<u64> {
        (self.state() == BreakerState::Open).then_some(self.open_until)
    }

    pub fn try_acquire(&mut self, now: u64) -> Acquire {
        let mut transition = None;
        if self.state() == BreakerState::Open && now > self.open_until {
            transition = Some(self.half_open(now));
        }
        let permitted = match self.state() {
            BreakerState::Closed => true,
            BreakerState::Open => false,
            BreakerState::HalfOpen if self.half_open_permits_left > 0 => {
                self.half_open_permits_left -= 1;
                true
            }
            BreakerState::HalfOpen => false,
        };
        Acquire {
            permit: permitted.then_some(Permit { generation: 0 }),
            transition,
        }
    }

    pub fn on_result<R: Rng + ?Sized>(
        &mut self,
        now: u64,
        outcome: CallOutcome,
        rng: &mut R,
    ) -> Option<Transition> {
        let slow = outcome.duration > self.config.slow_call_duration;
        match self.state() {
            BreakerState::Closed => {
                let totals = self.closed_window.record(now, outcome.failed, slow);
                let minimum = self.config.effective_minimum_calls();
                self.over_thresholds(totals, minimum)
                    .then(|| self.open(now, rng))
            }
            // The window of an open breaker is discarded when it goes half-open.
            BreakerState::Open => None,
            BreakerState::HalfOpen => {
                let totals = self.half_open_window.record(now, outcome.failed, slow);
                let probes = self.config.half_open_calls;
                if totals.calls < probes {
                    None
                } else if self.over_thresholds(totals, probes) {
                    Some(self.open(now, rng))
                } else {
                    Some(self.close(now))
                }
            }
        }
    }

    /// A permitted call that must not count: gives a half-open probe slot back, as
    /// resilience4j's `releasePermission`.
    pub fn on_ignored(&mut self, _now: u64) {
        if self.state() == BreakerState::HalfOpen {
            let limit = self.config.half_open_calls;
            self.half_open_permits_left = (self.half_open_permits_left + 1).min(limit);
        }
    }

    fn over_thresholds(&self, totals: CallCounts, minimum_calls: u32) -> bool {
        totals.calls >= minimum_calls
            && (totals.failure_rate() >= self.config.failure_rate_threshold
                || totals.slow_call_rate() >= self.config.slow_call_rate_threshold)
    }

    fn open<R: Rng + ?Sized>(&mut self, now: u64, rng: &mut R) -> Transition {
        self.open_attempts = self.open_attempts.saturating_add(1);
        let wait = self.config.open_wait.wait(self.open_attempts, rng);
        self.open_until = now.saturating_add(wait);
        self.clock.move_to(now, BreakerState::Open)
    }

    fn half_open(&mut self, now: u64) -> Transition {
        self.half_open_window.clear();
        self.half_open_permits_left = self.config.half_open_calls;
        self.clock.move_to(now, BreakerState::HalfOpen)
    }

    fn close(&mut self, now: u64) -> Transition {
        self.open_attempts = 0;
        self.closed_window.clear();
        self.clock.move_to(now, BreakerState::Closed)
    }
}

#[cfg(test)]
mod tests;
