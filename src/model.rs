//! The validated model: dense ids, durations in nanoseconds, compiled operation programs.
//!
//! Lifecycle: `spec::ModelSpec` (raw serde) → [`validate`](validate::validate_model) →
//! [`Model`]. The engine only ever sees a `Model`.

mod cycles;
pub mod dist;
pub mod limits;
mod policies;
mod program;
mod resilience;
pub mod validate;

pub use dist::Dist;
pub use program::{Node, Program, SeqId};
pub use resilience::{class_hint, source_class};
pub use validate::{build_dist, validate_model};

use crate::policy::adaptive_throttle::ThrottleConfig;
use crate::policy::circuit_breaker::BreakerConfig;
use crate::policy::concurrency_limit::LimiterConfig;
use crate::policy::outlier::OutlierConfig;
use crate::policy::rate_limiter::RateLimitConfig;
use crate::policy::retry::{FailureKind, RetryPolicy};
use crate::policy::retry_budget::RetryBudgetConfig;
use crate::spec::Balancer;

pub type ClassId = u32;

/// The class of requests that no source names.
pub const DEFAULT_CLASS: ClassId = 0;

pub type ServiceId = u32;
pub type OpId = u32;
pub type EdgeId = u32;

#[derive(Debug, Clone)]
pub struct Model {
    pub services: Vec<Service>,
    pub operations: Vec<Operation>,
    pub edges: Vec<Edge>,
    pub program: Program,
    /// Request classes: index 0 is the unnamed default class, then every class named in
    /// the model, then (added by the scenario) every class its sources name.
    pub classes: Vec<String>,
    /// FNV-1a over the canonical form of the validated model; printed in every summary.
    pub hash: u64,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    pub replicas: u32,
    /// Worker threads per replica.
    pub workers: u32,
    /// Waiting room per replica; `u64::MAX` when unbounded.
    pub queue_capacity: u64,
    pub discipline: QueueDiscipline,
    /// Longest queue wait before a request is dropped at the head [ns].
    pub queue_timeout: Option<u64>,
    pub operations: Vec<OpId>,
    pub memory: Option<Memory>,
    /// Probability that a request fails after doing its work.
    pub error_rate: f64,
    /// Shed these classes when the queue is fuller than `share` of its capacity.
    pub shed: Option<Shed>,
    /// Ingress token bucket, per replica.
    pub rate_limit: Option<RateLimitConfig>,
    /// Adaptive concurrency limit, per replica.
    pub concurrency_limit: Option<LimiterConfig>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum QueueDiscipline {
    Fifo,
    Lifo,
    /// CoDel with optional adaptive LIFO; times in ns.
    CoDel {
        target: u64,
        interval: u64,
        adaptive_lifo: bool,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct Memory {
    pub limit: u64,
    pub base: u64,
    pub per_request: u64,
    pub restart_after: u64,
    pub warmup: u64,
    pub warmup_slowdown: f64,
}

#[derive(Debug, Clone)]
pub struct Shed {
    pub share: f64,
    pub classes: Vec<ClassId>,
}

/// A degraded response served when a call fails.
#[derive(Debug, Clone)]
pub struct Fallback {
    /// Index into `Program::dists`.
    pub latency: u32,
    /// Which failures fall back (timeout, error, rejection).
    pub on: [bool; 3],
    pub enabled: bool,
}

impl Fallback {
    pub fn covers(&self, kind: FailureKind) -> bool {
        self.enabled && self.on[kind as usize]
    }
}

#[derive(Debug, Clone)]
pub struct Operation {
    /// `service/operation`.
    pub name: String,
    pub service: ServiceId,
    pub body: SeqId,
}

/// The caller side of a call edge.
#[derive(Debug, Clone)]
pub struct Edge {
    /// `caller -> callee`.
    pub name: String,
    pub caller: ServiceId,
    pub callee: ServiceId,
    /// Per-try timeout [ns]; `None` waits for ever.
    pub timeout: Option<u64>,
    /// The pool shared by classes without their own.
    pub pool: Option<Pool>,
    /// Per-class pools, `(class, pool)`, sorted by class.
    pub class_pools: Vec<(ClassId, Pool)>,
    /// Semaphore bulkhead shared by classes without their own (`size` = max concurrent
    /// calls, `acquire_timeout` = max wait).
    pub bulkhead: Option<Pool>,
    pub class_bulkheads: Vec<(ClassId, Pool)>,
    pub balancer: Balancer,
    /// Overall deadline over all attempts [ns].
    pub deadline: Option<u64>,
    pub propagate_deadline: bool,
    pub fallback: Option<Fallback>,
    /// Health-check interval [ns].
    pub health_check: Option<u64>,
    pub retry: Option<RetryPolicy>,
    pub retry_budget: Option<RetryBudgetConfig>,
    pub breaker: Option<BreakerConfig>,
    pub throttle: Option<ThrottleConfig>,
    pub outlier: Option<OutlierConfig>,
}

#[derive(Debug, Clone, Copy)]
pub struct Pool {
    /// Connections per caller replica.
    pub size: u32,
    /// Longest wait for a free connection [ns]; 0 fails at once.
    pub acquire_timeout: u64,
}

impl Model {
    pub fn class_id(&self, name: &str) -> Option<ClassId> {
        self.classes
            .iter()
            .position(|c| c == name)
            .map(|i| i as ClassId)
    }

    pub fn service_id(&self, name: &str) -> Option<ServiceId> {
        self.services
            .iter()
            .position(|s| s.name == name)
            .map(|i| i as ServiceId)
    }

    pub fn operation_id(&self, full_name: &str) -> Option<OpId> {
        self.operations
            .iter()
            .position(|o| o.name == full_name)
            .map(|i| i as OpId)
    }

    pub fn edge_id(&self, caller: ServiceId, callee: ServiceId) -> Option<EdgeId> {
        self.edges
            .iter()
            .position(|e| e.caller == caller && e.callee == callee)
            .map(|i| i as EdgeId)
    }
}

/// FNV-1a, 64 bit: a stable hash whose output never changes with the Rust version.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
