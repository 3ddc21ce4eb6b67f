//! Spec → policy configurations (`crate::policy`), each checked by its own `validate`,
//! with problems reported at `calls.<edge>.<section>.<field>` or
//! `services.<name>.overload.<section>.<field>`.

use crate::policy::adaptive_throttle::ThrottleConfig;
use crate::policy::circuit_breaker::{
    BreakerConfig, BreakerKind, ConsecutiveConfig, OpenWait, SlidingConfig, WindowKind,
};
use crate::policy::concurrency_limit::{AimdConfig, GradientConfig, LimiterConfig};
use crate::policy::outlier::OutlierConfig;
use crate::policy::rate_limiter::RateLimitConfig;
use crate::policy::retry::{Backoff, FailureKind, Jitter, RetryOn, RetryPolicy};
use crate::policy::retry_budget::{RatioBudgetConfig, RetryBudgetConfig, RetryThrottleConfig};
use crate::policy::{ConfigError, SECOND};
use crate::spec::{self, BreakerWindowSpec, ConcurrencyLimitSpec, JitterSpec, RetryBudgetSpec};

/// A problem: the section (e.g. `breaker`) and the policy's own complaint.
pub type Problem = (String, ConfigError);

/// The path, as written in the model file, of a policy config's field: the policies name
/// their fields after the reference library (`open_wait.multiplier`, `budget_percent`),
/// the model format more briefly (`wait.multiplier`, `percent`). Relative to the edge or
/// service; `None` when the field has no counterpart in the file (a fixed default).
pub fn spec_path(section: &str, field: &str) -> Option<String> {
    let renamed = match (section, field) {
        ("breaker", "window_size" | "consecutive_failures") => "window",
        ("breaker", "open_wait.initial" | "open_duration") => "wait.initial",
        ("breaker", "open_wait.max") => "wait.max",
        ("breaker", "open_wait.multiplier") => "wait.multiplier",
        ("breaker", "open_wait.randomization_factor") => "wait.randomization",
        ("breaker", "max_requests") => "half_open_calls",
        ("retry", "deadline") => return Some("deadline".into()),
        ("retry", "backoff.jitter") => "jitter",
        ("retry.budget", "budget_percent") => "percent",
        ("throttle", "buckets") => "window",
        ("outlier", "consecutive_5xx") => "consecutive_failures",
        ("outlier", "interval") => return None,
        ("overload.concurrency_limit", "initial_limit") => "initial",
        ("overload.concurrency_limit", "min_limit" | "min_concurrency") => "min",
        ("overload.concurrency_limit", "max_limit" | "max_concurrency_limit") => "max",
        (
            "overload.concurrency_limit",
            "sample_aggregate_percentile"
            | "concurrency_update_interval"
            | "min_rtt_calc_interval"
            | "min_rtt_request_count"
            | "min_rtt_jitter"
            | "min_rtt_buffer",
        ) => return None,
        (_, f) => f,
    };
    Some(format!("{section}.{renamed}"))
}

/// A hint for a bad policy field: what the value means, and a sensible one.
pub fn hint(path: &str) -> String {
    let field = path.rsplit('.').next().unwrap_or(path);
    match field {
        "failure_rate_threshold" | "slow_call_rate_threshold" => {
            "a percentage of the calls in the window: 50 trips at half of them failing \
             (resilience4j's default)"
        }
        "max_attempts" => "max_attempts counts the first try: 1 means no retries, 3 two retries",
        "percent" => "a percentage of the edge's active calls, e.g. 20 (Envoy's default)",
        "half_open_calls" | "minimum_calls" | "window" => "a whole number of calls, at least 1",
        "multiplier" => "1 keeps the delay constant; 2 doubles it each time",
        _ => "see docs/model-format.md, Resilience, for the allowed values and defaults",
    }
    .to_string()
}

fn checked<T>(
    section: &str,
    config: T,
    validate: impl Fn(&T) -> Result<(), ConfigError>,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    match validate(&config) {
        Ok(()) => Some(config),
        Err(e) => {
            problems.push((section.to_string(), e));
            None
        }
    }
}

pub fn failure_kind(k: spec::FailureKind) -> FailureKind {
    match k {
        spec::FailureKind::Timeout => FailureKind::Timeout,
        spec::FailureKind::Error => FailureKind::Error,
        spec::FailureKind::Rejection => FailureKind::Rejection,
    }
}

pub fn retry(
    r: &spec::RetrySpec,
    deadline: Option<u64>,
    problems: &mut Vec<Problem>,
) -> Option<RetryPolicy> {
    let mut retry_on = RetryOn {
        timeout: false,
        error: false,
        rejection: false,
    };
    for k in &r.on {
        match failure_kind(*k) {
            FailureKind::Timeout => retry_on.timeout = true,
            FailureKind::Error => retry_on.error = true,
            FailureKind::Rejection => retry_on.rejection = true,
        }
    }
    let jitter = match r.jitter {
        JitterSpec::None => Jitter::None,
        JitterSpec::Full => Jitter::Full,
        JitterSpec::Equal => Jitter::Equal,
        JitterSpec::Decorrelated => Jitter::Decorrelated,
        JitterSpec::Proportional => Jitter::GRPC,
    };
    let policy = RetryPolicy {
        max_attempts: r.max_attempts,
        retry_on,
        backoff: Backoff {
            base: r.backoff.base.0,
            multiplier: r.backoff.multiplier,
            cap: r.backoff.cap.0,
            jitter,
        },
        deadline,
    };
    checked("retry", policy, RetryPolicy::validate, problems)
}

pub fn retry_budget(b: &RetryBudgetSpec, problems: &mut Vec<Problem>) -> Option<RetryBudgetConfig> {
    let config = match b {
        RetryBudgetSpec::Ratio {
            percent,
            min_retry_concurrency,
        } => RetryBudgetConfig::Ratio(RatioBudgetConfig {
            budget_percent: *percent,
            min_retry_concurrency: *min_retry_concurrency,
        }),
        RetryBudgetSpec::TokenBucket {
            max_tokens,
            token_ratio,
        } => RetryBudgetConfig::TokenBucket(RetryThrottleConfig {
            max_tokens: *max_tokens,
            token_ratio: *token_ratio,
        }),
    };
    checked(
        "retry.budget",
        config,
        RetryBudgetConfig::validate,
        problems,
    )
}

pub fn breaker(b: &spec::BreakerSpec, problems: &mut Vec<Problem>) -> Option<BreakerConfig> {
    let initial = b.wait.initial.0;
    // Without a cap, a growing wait stops at ten times the first one.
    let max = b.wait.max.map_or(
        if b.wait.multiplier > 1.0 {
            initial.saturating_mul(10)
        } else {
            initial
        },
        |m| m.0,
    );
    let open_wait = OpenWait {
        initial,
        multiplier: b.wait.multiplier,
        max,
        randomization_factor: b.wait.randomization,
    };
    let sliding = |window_kind, window_size| {
        BreakerKind::SlidingWindow(SlidingConfig {
            window_kind,
            window_size,
            minimum_calls: b.minimum_calls,
            failure_rate_threshold: b.failure_rate_threshold,
            slow_call_rate_threshold: b.slow_call_rate_threshold,
            slow_call_duration: b.slow_call_duration.0,
            open_wait,
            half_open_calls: b.half_open_calls,
        })
    };
    let kind = match b.window {
        BreakerWindowSpec::CountBased(n) => sliding(WindowKind::CountBased, n),
        BreakerWindowSpec::TimeBased(n) => sliding(WindowKind::TimeBased, n),
        BreakerWindowSpec::ConsecutiveFailures(n) => {
            BreakerKind::ConsecutiveFailures(ConsecutiveConfig {
                consecutive_failures: n,
                open_duration: initial,
                max_requests: b.half_open_calls,
                interval: 0,
            })
        }
    };
    let config = BreakerConfig {
        kind,
        rejections_count_as_failures: b.count_rejections,
    };
    checked("breaker", config, BreakerConfig::validate, problems)
}

pub fn throttle(t: &spec::ThrottleSpec, problems: &mut Vec<Problem>) -> Option<ThrottleConfig> {
    let buckets = (t.window.0 / SECOND).clamp(1, 600) as u32;
    checked(
        "throttle",
        ThrottleConfig {
            window: t.window.0,
            buckets,
            k: t.k,
        },
        ThrottleConfig::validate,
        problems,
    )
}

pub fn outlier(o: &spec::OutlierSpec, problems: &mut Vec<Problem>) -> Option<OutlierConfig> {
    let config = OutlierConfig {
        consecutive_5xx: o.consecutive_failures,
        base_ejection_time: o.base_ejection_time.0,
        max_ejection_time: o.max_ejection_time.0,
        max_ejection_percent: o.max_ejection_percent,
        always_eject_one_host: o.always_eject_one_host,
        ..OutlierConfig::default()
    };
    checked("outlier", config, OutlierConfig::validate, problems)
}

pub fn rate_limit(r: &spec::RateLimitSpec, problems: &mut Vec<Problem>) -> Option<RateLimitConfig> {
    checked(
        "overload.rate_limit",
        RateLimitConfig {
            rate: r.rate,
            burst: r.burst,
        },
        RateLimitConfig::validate,
        problems,
    )
}

pub fn concurrency_limit(
    c: &ConcurrencyLimitSpec,
    problems: &mut Vec<Problem>,
) -> Option<LimiterConfig> {
    let config = match c {
        ConcurrencyLimitSpec::Aimd {
            initial,
            min,
            max,
            backoff_ratio,
            timeout,
        } => LimiterConfig::Aimd(AimdConfig {
            initial_limit: *initial,
            min_limit: *min,
            max_limit: *max,
            backoff_ratio: *backoff_ratio,
            timeout: timeout.0,
        }),
        ConcurrencyLimitSpec::Gradient { min, max } => LimiterConfig::Gradient(GradientConfig {
            min_concurrency: *min,
            max_concurrency_limit: *max,
            ..GradientConfig::default()
        }),
    };
    checked(
        "overload.concurrency_limit",
        config,
        LimiterConfig::validate,
        problems,
    )
}
