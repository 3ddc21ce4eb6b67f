//! The model file: services, their operations, and the clients on call edges.

use super::resilience::*;
use super::unique::unique_keys;
use super::units::Dur;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A whole topology. Maps are ordered by name so that ids never depend on hashing.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Model", deny_unknown_fields)]
pub struct ModelSpec {
    #[serde(deserialize_with = "unique_keys")]
    pub services: BTreeMap<String, ServiceSpec>,
    #[serde(default, deserialize_with = "unique_keys")]
    pub calls: BTreeMap<String, ClientSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Service", deny_unknown_fields)]
pub struct ServiceSpec {
    #[serde(default = "one")]
    pub replicas: u32,
    pub workers: u32,
    #[serde(default)]
    pub queue: QueueSpec,
    #[serde(deserialize_with = "unique_keys")]
    pub operations: BTreeMap<String, Vec<StepSpec>>,
    /// Memory model of one replica; absent means memory is not simulated.
    #[serde(default)]
    pub memory: Option<MemorySpec>,
    /// Fraction of requests that fail after doing their work.
    #[serde(default)]
    pub error_rate: f64,
    #[serde(default)]
    pub overload: OverloadSpec,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename = "Queue", deny_unknown_fields)]
pub struct QueueSpec {
    /// Requests waiting for a worker, per replica; absent means unbounded.
    #[serde(default)]
    pub capacity: Option<u64>,
    #[serde(default)]
    pub discipline: Discipline,
    /// Requests that waited longer than this are dropped when they reach the head.
    #[serde(default)]
    pub timeout: Option<Dur>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum Discipline {
    #[default]
    Fifo,
    Lifo,
    /// Facebook's CoDel for request queues: while the queue has not been empty within the
    /// last `interval`, requests that waited more than `target` are dropped.
    CoDel {
        #[serde(default = "codel_target")]
        target: Dur,
        #[serde(default = "codel_interval")]
        interval: Dur,
    },
    /// CoDel plus adaptive LIFO: newest first while a standing queue exists.
    AdaptiveLifo {
        #[serde(default = "codel_target")]
        target: Dur,
        #[serde(default = "codel_interval")]
        interval: Dur,
    },
}

fn codel_target() -> Dur {
    Dur(5_000_000)
}

fn codel_interval() -> Dur {
    Dur(100_000_000)
}

#[derive(Debug, Clone, Deserialize)]
pub enum StepSpec {
    Work(DistSpec),
    Call(String),
    Parallel(Vec<StepSpec>),
    Maybe(f64, Box<StepSpec>),
}

#[derive(Debug, Clone, Deserialize)]
pub enum DistSpec {
    Constant(Dur),
    Exponential {
        mean: Dur,
    },
    Uniform {
        min: Dur,
        max: Dur,
    },
    LogNormal {
        median: Dur,
        p99: Dur,
    },
    /// Parameters of the underlying normal of ln(seconds).
    LogNormalMuSigma {
        mu: f64,
        sigma: f64,
    },
    Gamma {
        shape: f64,
        mean: Dur,
    },
    /// Normal truncated at zero.
    Normal {
        mean: Dur,
        std_dev: Dur,
    },
    /// Percentile (0–100) → value, interpolated linearly between the points given.
    Empirical(Vec<(f64, Dur)>),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename = "Client", deny_unknown_fields)]
pub struct ClientSpec {
    /// Per-try timeout; absent means the caller waits for ever.
    #[serde(default)]
    pub timeout: Option<Dur>,
    /// Connection pool per caller replica; absent means unlimited connections.
    #[serde(default)]
    pub pool: Option<PoolSpec>,
    #[serde(default)]
    pub balancer: Balancer,
    /// Separate pools per request class (`{"critical": Pool(size: 10), "bulk": Pool(size: 50)}`);
    /// classes not listed share `pool`.
    #[serde(default)]
    pub pools: PerClass<PoolSpec>,
    #[serde(default)]
    pub retry: Option<RetrySpec>,
    /// Overall deadline over all attempts.
    #[serde(default)]
    pub deadline: Option<Dur>,
    /// Tell the callee when the caller gives up, so it abandons the work.
    #[serde(default)]
    pub propagate_deadline: bool,
    #[serde(default)]
    pub breaker: Option<BreakerSpec>,
    #[serde(default)]
    pub bulkhead: Option<BulkheadSpec>,
    /// Separate bulkheads per request class; classes not listed share `bulkhead`.
    #[serde(default)]
    pub bulkheads: PerClass<BulkheadSpec>,
    #[serde(default)]
    pub fallback: Option<FallbackSpec>,
    #[serde(default)]
    pub throttle: Option<ThrottleSpec>,
    #[serde(default)]
    pub outlier: Option<OutlierSpec>,
    /// Interval of the caller's health checks: a crashed replica is skipped once a check
    /// has noticed it; absent means crashed replicas are only found by failing calls.
    #[serde(default)]
    pub health_check: Option<Dur>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Pool", deny_unknown_fields)]
pub struct PoolSpec {
    pub size: u32,
    /// How long a caller waits for a free connection before failing (HikariCP's
    /// `connectionTimeout`, 30 s by default). `"0s"` fails at once.
    #[serde(default = "hikari_connection_timeout")]
    pub acquire_timeout: Dur,
}

fn hikari_connection_timeout() -> Dur {
    Dur(30_000_000_000)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum Balancer {
    #[default]
    RoundRobin,
    Random,
    LeastOutstanding,
    PowerOfTwoChoices,
}
