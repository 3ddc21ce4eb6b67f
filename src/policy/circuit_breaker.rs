//! Circuit breakers: the resilience4j sliding-window breaker (the default) and the
//! gobreaker consecutive-failures breaker, behind one type the engine can hold per edge.
//!
//! Protocol, for every call on the edge:
//! 1. `try_acquire(now)`: an [`Acquire`] with a [`Permit`] (call may go ahead) or none
//!    (fail fast with `breaker_open`), plus the transition it caused, if any (OPEN →
//!    HALF_OPEN happens lazily here, as in both libraries);
//! 2. when the call ends, either `on_result(now, permit, outcome, rng)`, which may
//!    return a transition, or `on_ignored(now, permit)` for calls that must not count
//!    (for instance a bulkhead rejection when `rejections_count_as_failures` is false),
//!    which gives a half-open probe slot back.
//!
//! Randomness is only used for the open wait's optional randomisation.

mod consecutive;
mod open_wait;
mod sliding;
mod window;

pub use consecutive::{ConsecutiveBreaker, ConsecutiveConfig};
pub use open_wait::OpenWait;
pub use sliding::{SlidingConfig, SlidingWindowBreaker, WindowKind};

use super::ConfigError;
use rand::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum BreakerState {
    Closed = 0,
    Open = 1,
    HalfOpen = 2,
}

impl BreakerState {
    pub const COUNT: usize = 3;
    pub const ALL: [BreakerState; 3] = [Self::Closed, Self::Open, Self::HalfOpen];

    /// The name used in outputs, as resilience4j spells it.
    pub fn name(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }
}

/// A state change, for the engine to record (breaker transitions in the outputs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub at: u64,
    pub from: BreakerState,
    pub to: BreakerState,
}

/// Permission to make one call. Hand it back with the call's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permit {
    /// gobreaker's generation: results of calls permitted before the last state change
    /// are ignored by the consecutive breaker. The sliding breaker records every result
    /// into its current window, as resilience4j does. (32 bits: a call carries it.)
    pub generation: u32,
}

/// The answer to a permission request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acquire {
    /// `None`: rejected, the call fails fast (`breaker_open`).
    pub permit: Option<Permit>,
    pub transition: Option<Transition>,
}

/// How a permitted call ended, as the breaker sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallOutcome {
    /// Error, timeout — and rejection when `rejections_count_as_failures`.
    pub failed: bool,
    /// From permission to result [ns]; compared with `slow_call_duration`.
    pub duration: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BreakerKind {
    /// resilience4j: failure and slow-call rates over a sliding window.
    SlidingWindow(SlidingConfig),
    /// gobreaker: trips on the Nth consecutive failure.
    ConsecutiveFailures(ConsecutiveConfig),
}

#[derive(Debug, Clone, PartialEq)]
pub struct BreakerConfig {
    pub kind: BreakerKind,
    /// Read by the engine, not by the breaker: whether a call rejected downstream of the
    /// breaker (bulkhead full, pool timeout) is reported as a failure or ignored.
    /// Default true: Hystrix counts thread-pool and semaphore rejections as errors, and
    /// resilience4j records every exception, `BulkheadFullException` included, since its
    /// default decoration order puts the bulkhead inside the breaker.
    pub rejections_count_as_failures: bool,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            kind: BreakerKind::SlidingWindow(SlidingConfig::default()),
            rejections_count_as_failures: true,
        }
    }
}

impl BreakerConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        match &self.kind {
            BreakerKind::SlidingWindow(c) => c.validate(),
            BreakerKind::ConsecutiveFailures(c) => c.validate(),
        }
    }
}

#[derive(Debug, Clone)]
pub enum CircuitBreaker {
    SlidingWindow(SlidingWindowBreaker),
    ConsecutiveFailures(ConsecutiveBreaker),
}

impl CircuitBreaker {
    /// # Panics
    /// If the config does not validate (the model validator checks it first).
    pub fn new(config: &BreakerConfig) -> Self {
        match &config.kind {
            BreakerKind::SlidingWindow(c) => Self::SlidingWindow(SlidingWindowBreaker::new(c)),
            BreakerKind::ConsecutiveFailures(c) => {
                Self::ConsecutiveFailures(ConsecutiveBreaker::new(c))
            }
        }
    }

    pub fn try_acquire(&mut self, now: u64) -> Acquire {
        match self {
            Self::SlidingWindow(b) => b.try_acquire(now),
            Self::ConsecutiveFailures(b) => b.try_acquire(now),
        }
    }

    pub fn on_result<R: Rng + ?Sized>(
        &mut self,
        now: u64,
        permit: Permit,
        outcome: CallOutcome,
        rng: &mut R,
    ) -> Option<Transition> {
        match self {
            Self::SlidingWindow(b) => b.on_result(now, outcome, rng),
            Self::ConsecutiveFailures(b) => b.on_result(now, permit, outcome),
        }
    }

    pub fn on_ignored(&mut self, now: u64, permit: Permit) {
        match self {
            Self::SlidingWindow(b) => b.on_ignored(now),
            Self::ConsecutiveFailures(b) => b.on_ignored(now, permit),
        }
    }

    /// The state as last moved; an expired OPEN still reads OPEN until the next
    /// permission request, as in resilience4j.
    pub fn state(&self) -> BreakerState {
        match self {
            Self::SlidingWindow(b) => b.state(),
            Self::ConsecutiveFailures(b) => b.state(),
        }
    }

    /// Nanoseconds spent in each state up to `now`, indexed by `BreakerState as usize`.
    pub fn time_in_states(&self, now: u64) -> [u64; BreakerState::COUNT] {
        match self {
            Self::SlidingWindow(b) => b.clock.time_in_states(now),
            Self::ConsecutiveFailures(b) => b.clock.time_in_states(now),
        }
    }
}

/// The current state, when it was entered, and the time accumulated in each state.
#[derive(Debug, Clone)]
pub(crate) struct StateClock {
    state: BreakerState,
    entered_at: u64,
    spent: [u64; BreakerState::COUNT],
}

impl StateClock {
    pub(crate) fn new() -> Self {
        StateClock {
            state: BreakerState::Closed,
            entered_at: 0,
            spent: [0; BreakerState::COUNT],
        }
    }

    pub(crate) fn state(&self) -> BreakerState {
        self.state
    }

    pub(crate) fn move_to(&mut self, now: u64, to: BreakerState) -> Transition {
        let from = self.state;
        self.spent[from as usize] += now.saturating_sub(self.entered_at);
        self.state = to;
        self.entered_at = now;
        Transition { at: now, from, to }
    }

    pub(crate) fn time_in_states(&self, now: u64) -> [u64; BreakerState::COUNT] {
        let mut spent = self.spent;
        spent[self.state as usize] += now.saturating_sub(self.entered_at);
        spent
    }
}
