//! Resilience mechanisms as pure state machines: circuit breakers, retries and their
//! budgets, bulkheads, rate limiting, client-side throttling, adaptive concurrency
//! limits, CoDel queueing and outlier ejection.
//!
//! Each mechanism behaves like the library users run in production (resilience4j,
//! gobreaker, Envoy, gRPC, Netflix concurrency-limits, Facebook's CoDel) and names its
//! parameters so values can be copied from such a configuration; `docs/resilience.md`
//! lists the parameters, defaults and reference behaviour.
//!
//! Why pure state machines? The engine owns time, randomness and events. Here:
//! - time is simulated nanoseconds passed in as `now` (no clock is ever read);
//! - randomness comes from the caller's `&mut impl Rng` (the engine's per-component
//!   stream), so draws are reproducible from the seed;
//! - memory is allocated at construction (fixed rings of buckets), never per call;
//! - nothing here knows serde, clap or the model: each mechanism takes a plain `Config`
//!   whose `Default` is the reference library's default and whose `validate` explains
//!   the first bad field, for the model validator to turn into a diagnostic.

pub mod adaptive_throttle;
pub mod circuit_breaker;
pub mod concurrency_limit;
pub mod outlier;
pub mod rate_limiter;
pub mod retry;
pub mod retry_budget;
pub mod time_buckets;

use std::fmt;

/// One millisecond in simulated nanoseconds.
pub const MILLISECOND: u64 = 1_000_000;
/// One second in simulated nanoseconds.
pub const SECOND: u64 = 1_000_000_000;

/// A configuration value outside its allowed range.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    /// The field's path from the validated config, as users write it
    /// (`failure_rate_threshold`, `open_wait.multiplier`).
    pub field: &'static str,
    /// What is wrong and what is allowed.
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.field, self.problem)
    }
}

impl std::error::Error for ConfigError {}

/// Fails with `problem` on `field` unless `ok`.
pub(crate) fn check(ok: bool, field: &'static str, problem: &str) -> Result<(), ConfigError> {
    if ok {
        Ok(())
    } else {
        Err(ConfigError {
            field,
            problem: problem.to_string(),
        })
    }
}

/// A percentage in `[0, 100]`, rejecting NaN.
pub(crate) fn check_percent(value: f64, field: &'static str) -> Result<(), ConfigError> {
    check(
        (0.0..=100.0).contains(&value),
        field,
        "must be a percentage between 0 and 100",
    )
}
