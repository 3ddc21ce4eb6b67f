//! The validated model: dense ids, durations in nanoseconds, compiled operation programs.
//!
//! Lifecycle: `spec::ModelSpec` (raw serde) → [`validate`](validate::validate_model) →
//! [`Model`]. The engine only ever sees a `Model`.

mod cycles;
pub mod dist;
mod program;
pub mod validate;

pub use dist::Dist;
pub use program::{Node, Program, SeqId};
pub use validate::validate_model;

use crate::spec::{Balancer, Discipline};

pub type ServiceId = u32;
pub type OpId = u32;
pub type EdgeId = u32;

#[derive(Debug, Clone)]
pub struct Model {
    pub services: Vec<Service>,
    pub operations: Vec<Operation>,
    pub edges: Vec<Edge>,
    pub program: Program,
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
    pub discipline: Discipline,
    pub operations: Vec<OpId>,
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
    pub pool: Option<Pool>,
    pub balancer: Balancer,
}

#[derive(Debug, Clone, Copy)]
pub struct Pool {
    /// Connections per caller replica.
    pub size: u32,
    /// Longest wait for a free connection [ns]; 0 fails at once.
    pub acquire_timeout: u64,
}

impl Model {
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
