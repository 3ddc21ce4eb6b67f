//! Retry policy of a call edge: which failures are retried, how many attempts in all,
//! how long to wait before each retry, and the overall deadline across attempts.
//!
//! The policy is stateless and shared by every call on the edge; each logical call
//! carries a small [`CallRetries`] (the attempt count, the previous delay that
//! decorrelated jitter needs, and when the call started, for the deadline).
//! Retry budgets ([`super::retry_budget`]) are checked by the engine after
//! [`RetryPolicy::on_failure`] says a retry is due.

mod backoff;

pub use backoff::{Backoff, Jitter};

use super::{check, ConfigError};
use rand::Rng;

/// Why an attempt failed, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The per-try timeout expired.
    Timeout,
    /// The callee answered with an error.
    Error,
    /// Refused before reaching the callee (breaker open, bulkhead full, pool timeout,
    /// shed, rate limited, throttled).
    Rejection,
}

/// Which failures are retried (Envoy `retry_on`, gRPC `retryableStatusCodes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryOn {
    pub timeout: bool,
    pub error: bool,
    pub rejection: bool,
}

impl Default for RetryOn {
    /// Everything, as resilience4j's `Retry`, which retries every exception — including
    /// `CallNotPermittedException` and `BulkheadFullException` when it wraps them.
    fn default() -> Self {
        RetryOn {
            timeout: true,
            error: true,
            rejection: true,
        }
    }
}

impl RetryOn {
    pub fn covers(&self, kind: FailureKind) -> bool {
        match kind {
            FailureKind::Timeout => self.timeout,
            FailureKind::Error => self.error,
            FailureKind::Rejection => self.rejection,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first try included (resilience4j and gRPC `maxAttempts`).
    /// Default 3.
    pub max_attempts: u32,
    pub retry_on: RetryOn,
    pub backoff: Backoff,
    /// Overall deadline from the logical call's start across every attempt and backoff
    /// [ns] (gRPC deadline, Envoy route `timeout`). `None`: no deadline (the default).
    pub deadline: Option<u64>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            retry_on: RetryOn::default(),
            backoff: Backoff::default(),
            deadline: None,
        }
    }
}

/// The most attempts a retry policy may allow, the first one included.
pub const MAX_ATTEMPTS: u32 = 1_000;

/// The retry state of one logical call (the engine keeps it in the call's own fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallRetries {
    /// Attempts made so far, the one in flight included.
    pub attempts: u32,
    /// The last backoff delay (decorrelated jitter's `sleep_prev`); 0 before any.
    pub prev_delay: u64,
    /// When the logical call started, for the overall deadline.
    pub started_at: u64,
}

impl CallRetries {
    /// The state of a logical call whose first attempt starts at `now`.
    pub fn first_attempt(now: u64) -> Self {
        CallRetries {
            attempts: 1,
            prev_delay: 0,
            started_at: now,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Send the next attempt after this delay [ns].
    RetryAfter(u64),
    GiveUp(GiveUpReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUpReason {
    /// `retry_on` does not cover this failure.
    NotRetryable,
    AttemptsExhausted,
    /// The next attempt could not start before the overall deadline.
    DeadlineExceeded,
}

impl RetryPolicy {
    pub fn validate(&self) -> Result<(), ConfigError> {
        check(
            self.max_attempts >= 1,
            "max_attempts",
            "counts the first try, so it must be at least 1 (1 = no retries)",
        )?;
        check(
            self.max_attempts <= MAX_ATTEMPTS,
            "max_attempts",
            &format!("must be at most {MAX_ATTEMPTS} (real clients retry a few times)"),
        )?;
        check(self.deadline != Some(0), "deadline", "must be positive")?;
        self.backoff.validate()
    }

    /// What to do after an attempt of `call` failed with `kind` at `now`. On
    /// `RetryAfter`, `call` already counts the retry; if a retry budget then refuses it,
    /// the logical call ends and its state no longer matters.
    pub fn on_failure<R: Rng + ?Sized>(
        &self,
        call: &mut CallRetries,
        kind: FailureKind,
        now: u64,
        rng: &mut R,
    ) -> RetryDecision {
        if !self.retry_on.covers(kind) {
            return RetryDecision::GiveUp(GiveUpReason::NotRetryable);
        }
        if call.attempts >= self.max_attempts {
            return RetryDecision::GiveUp(GiveUpReason::AttemptsExhausted);
        }
        let prev = if call.attempts == 1 {
            self.backoff.base
        } else {
            call.prev_delay
        };
        let delay = self.backoff.delay(call.attempts, prev, rng);
        if let Some(deadline_at) = self.deadline_at(call) {
            if now.saturating_add(delay) >= deadline_at {
                return RetryDecision::GiveUp(GiveUpReason::DeadlineExceeded);
            }
        }
        call.attempts += 1;
        call.prev_delay = delay;
        RetryDecision::RetryAfter(delay)
    }

    /// When the logical call's overall deadline expires, if it has one.
    pub fn deadline_at(&self, call: &CallRetries) -> Option<u64> {
        self.deadline.map(|d| call.started_at.saturating_add(d))
    }

    /// How long the attempt starting at `now` may wait: the per-try timeout, cut short
    /// by the overall deadline (as Envoy bounds `per_try_timeout` by the route timeout).
    pub fn attempt_timeout(&self, call: &CallRetries, now: u64, per_try_timeout: u64) -> u64 {
        match self.deadline_at(call) {
            Some(at) => per_try_timeout.min(at.saturating_sub(now)),
            None => per_try_timeout,
        }
    }
}

#[cfg(test)]
mod tests;
