//! Serde types for the resilience settings of services and call edges. Names follow the
//! libraries users copy their values from (resilience4j, Envoy, gRPC, HikariCP).

use super::model::DistSpec;
use super::units::{Bytes, Dur};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Memory of one replica: `base + per_request × requests in flight` (queued or running).
/// Crossing `limit` crashes the replica (OOM).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Memory", deny_unknown_fields)]
pub struct MemorySpec {
    pub limit: Bytes,
    #[serde(default)]
    pub base: Bytes,
    pub per_request: Bytes,
    #[serde(default = "thirty_seconds")]
    pub restart_after: Dur,
    /// After a restart, work runs `warmup_slowdown` times slower for this long (JIT,
    /// cold caches).
    #[serde(default)]
    pub warmup: Dur,
    #[serde(default = "one_f64")]
    pub warmup_slowdown: f64,
}

fn thirty_seconds() -> Dur {
    Dur(30_000_000_000)
}

fn one_f64() -> f64 {
    1.0
}

/// Which failures a policy reacts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub enum FailureKind {
    /// The per-try timeout expired.
    Timeout,
    /// The callee answered with an error (including its own downstream failures).
    Error,
    /// Refused before being sent or by the callee's admission: queue full, pool timeout,
    /// bulkhead full, breaker open, shed, rate limited, throttled, crashed replica.
    Rejection,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Retry", deny_unknown_fields)]
pub struct RetrySpec {
    /// Attempts including the first (gRPC `maxAttempts`).
    #[serde(default = "three")]
    pub max_attempts: u32,
    #[serde(default = "retry_on_default")]
    pub on: Vec<FailureKind>,
    #[serde(default)]
    pub backoff: BackoffSpec,
    #[serde(default)]
    pub jitter: JitterSpec,
    #[serde(default)]
    pub budget: Option<RetryBudgetSpec>,
}

fn three() -> u32 {
    3
}

fn retry_on_default() -> Vec<FailureKind> {
    vec![FailureKind::Timeout, FailureKind::Error]
}

/// `min(cap, base · multiplier^n)` before jitter.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Backoff", deny_unknown_fields)]
pub struct BackoffSpec {
    #[serde(default = "default_base")]
    pub base: Dur,
    #[serde(default = "two")]
    pub multiplier: f64,
    #[serde(default = "default_cap")]
    pub cap: Dur,
}

impl Default for BackoffSpec {
    fn default() -> Self {
        BackoffSpec {
            base: default_base(),
            multiplier: 2.0,
            cap: default_cap(),
        }
    }
}

fn default_base() -> Dur {
    Dur(25_000_000)
}

fn default_cap() -> Dur {
    Dur(1_000_000_000)
}

fn two() -> f64 {
    2.0
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum JitterSpec {
    None,
    #[default]
    Full,
    Equal,
    Decorrelated,
    /// gRPC: `v · U(0.8, 1.2)`.
    Proportional,
}

#[derive(Debug, Clone, Deserialize)]
pub enum RetryBudgetSpec {
    /// Envoy: active retries ≤ max(min_retry_concurrency, percent % of active requests).
    Ratio {
        #[serde(default = "twenty")]
        percent: f64,
        #[serde(default = "three")]
        min_retry_concurrency: u32,
    },
    /// gRPC retry throttling.
    TokenBucket {
        #[serde(default = "hundred")]
        max_tokens: f64,
        #[serde(default = "token_ratio")]
        token_ratio: f64,
    },
}

fn twenty() -> f64 {
    20.0
}

fn hundred() -> f64 {
    100.0
}

fn token_ratio() -> f64 {
    0.1
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Breaker", deny_unknown_fields)]
pub struct BreakerSpec {
    #[serde(default)]
    pub window: BreakerWindowSpec,
    #[serde(default = "hundred_u32")]
    pub minimum_calls: u32,
    /// Percent.
    #[serde(default = "fifty")]
    pub failure_rate_threshold: f64,
    /// Percent.
    #[serde(default = "hundred")]
    pub slow_call_rate_threshold: f64,
    #[serde(default = "sixty_seconds")]
    pub slow_call_duration: Dur,
    #[serde(default)]
    pub wait: OpenWaitSpec,
    #[serde(default = "ten")]
    pub half_open_calls: u32,
    /// Count pool, bulkhead and callee-admission rejections as failures (Hystrix does).
    #[serde(default)]
    pub count_rejections: bool,
}

fn hundred_u32() -> u32 {
    100
}

fn fifty() -> f64 {
    50.0
}

fn ten() -> u32 {
    10
}

fn sixty_seconds() -> Dur {
    Dur(60_000_000_000)
}

#[derive(Debug, Clone, Deserialize)]
pub enum BreakerWindowSpec {
    /// The last `size` outcomes (resilience4j COUNT_BASED).
    CountBased(u32),
    /// Outcomes of the last `size` seconds (resilience4j TIME_BASED).
    TimeBased(u32),
    /// Trip on the n-th consecutive failure (sony/gobreaker).
    ConsecutiveFailures(u32),
}

impl Default for BreakerWindowSpec {
    fn default() -> Self {
        BreakerWindowSpec::CountBased(100)
    }
}

/// Open wait `min(initial · multiplier^(attempt−1), max)`, optionally randomised.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "OpenWait", deny_unknown_fields)]
pub struct OpenWaitSpec {
    #[serde(default = "sixty_seconds")]
    pub initial: Dur,
    #[serde(default = "one_f64")]
    pub multiplier: f64,
    #[serde(default)]
    pub max: Option<Dur>,
    #[serde(default)]
    pub randomization: f64,
}

impl Default for OpenWaitSpec {
    fn default() -> Self {
        OpenWaitSpec {
            initial: sixty_seconds(),
            multiplier: 1.0,
            max: None,
            randomization: 0.0,
        }
    }
}

/// resilience4j semaphore bulkhead.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Bulkhead", deny_unknown_fields)]
pub struct BulkheadSpec {
    #[serde(default = "twenty_five")]
    pub max_concurrent: u32,
    #[serde(default)]
    pub max_wait: Dur,
}

fn twenty_five() -> u32 {
    25
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Fallback", deny_unknown_fields)]
pub struct FallbackSpec {
    /// Time to produce the degraded response.
    pub latency: DistSpec,
    /// Failures that fall back; all of them when absent.
    #[serde(default)]
    pub on: Option<Vec<FailureKind>>,
    /// A feature flag: incidents can switch it.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// Google SRE client-side adaptive throttling.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Throttle", deny_unknown_fields)]
pub struct ThrottleSpec {
    #[serde(default = "two")]
    pub k: f64,
    #[serde(default = "two_minutes")]
    pub window: Dur,
}

fn two_minutes() -> Dur {
    Dur(120_000_000_000)
}

/// Envoy outlier detection.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Outlier", deny_unknown_fields)]
pub struct OutlierSpec {
    #[serde(default = "five")]
    pub consecutive_failures: u32,
    #[serde(default = "thirty_seconds")]
    pub base_ejection_time: Dur,
    #[serde(default = "five_minutes")]
    pub max_ejection_time: Dur,
    /// Percent of the callee's replicas that may be ejected at once.
    #[serde(default = "ten_u32")]
    pub max_ejection_percent: u32,
    /// Eject one replica even when that is more than `max_ejection_percent`.
    #[serde(default)]
    pub always_eject_one_host: bool,
}

fn ten_u32() -> u32 {
    10
}

fn five() -> u32 {
    5
}

fn five_minutes() -> Dur {
    Dur(300_000_000_000)
}

/// Service-side overload protection.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename = "Overload", deny_unknown_fields)]
pub struct OverloadSpec {
    /// Shed requests of these classes (first listed, first shed) when the queue is fuller
    /// than `queue_share` of its capacity.
    #[serde(default)]
    pub shed: Option<ShedSpec>,
    #[serde(default)]
    pub rate_limit: Option<RateLimitSpec>,
    #[serde(default)]
    pub concurrency_limit: Option<ConcurrencyLimitSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Shed", deny_unknown_fields)]
pub struct ShedSpec {
    pub queue_share: f64,
    pub classes: Vec<String>,
}

/// Ingress token bucket.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "RateLimit", deny_unknown_fields)]
pub struct RateLimitSpec {
    /// Requests per second per replica.
    pub rate: f64,
    pub burst: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub enum ConcurrencyLimitSpec {
    Aimd {
        initial: u32,
        min: u32,
        max: u32,
        #[serde(default = "backoff_ratio")]
        backoff_ratio: f64,
        /// Latency above which a request counts as a drop.
        timeout: Dur,
    },
    /// Envoy's adaptive concurrency (gradient controller).
    Gradient {
        #[serde(default = "three")]
        min: u32,
        #[serde(default = "thousand")]
        max: u32,
    },
}

fn thousand() -> u32 {
    1000
}

fn backoff_ratio() -> f64 {
    0.9
}

/// Per-class resources on an edge: the write-up's `ResourcePool(critical=10, bulk=50)`.
pub type PerClass<T> = BTreeMap<String, T>;
