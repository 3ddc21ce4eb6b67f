//! The records the engine keeps for things in flight. All are small, `Copy`-friendly and
//! live in arenas; links between them are `u32` indices (`NONE` for absent).

use std::collections::VecDeque;

/// A request being served by one replica of a service (queued or holding a worker).
#[derive(Clone, Copy)]
pub struct Job {
    pub replica: u32,
    pub op: u32,
    /// The call waiting for this job's reply, and that call's generation when sent;
    /// `NONE` for requests from an external source.
    pub caller: u32,
    pub caller_gen: u32,
    pub arrived: u64,
    pub started: u64,
    pub root_task: u32,
}

/// A cursor through one sequence of steps of a running job.
#[derive(Clone, Copy)]
pub struct Task {
    pub job: u32,
    /// The job's service, kept here to spare two dependent loads on every step.
    pub service: u32,
    pub seq: u32,
    pub pos: u32,
    /// The task that spawned this one for a `Parallel` branch or a `Maybe` body.
    pub parent: u32,
    /// Children still running.
    pub pending: u32,
    /// First failure among finished children, as a `Cause` discriminant + 1 (0 = none).
    pub failed: u8,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CallState {
    WaitingPool,
    InFlight,
}

/// One logical call from a task to a callee operation.
#[derive(Clone, Copy)]
pub struct Call {
    pub task: u32,
    pub edge: u32,
    pub op: u32,
    /// Index of the caller replica's pool for this edge, or `NONE`.
    pub pool: u32,
    pub state: CallState,
    pub wait_start: u64,
    /// Result delivered by the callee, read when the Reply event fires (0 = ok, else cause + 1).
    pub result: u8,
}

pub struct Replica {
    pub service: u32,
    pub busy: u32,
    /// Requests queued or running here (what least-outstanding balancers look at).
    pub outstanding: u32,
    pub queue: VecDeque<u32>,
}

impl Replica {
    pub fn new(service: u32) -> Self {
        Replica {
            service,
            busy: 0,
            outstanding: 0,
            queue: VecDeque::new(),
        }
    }
}

/// A connection pool of one caller replica on one edge (HikariCP-like: fixed size,
/// waiters served first-come first-served up to the acquire timeout).
pub struct PoolState {
    pub size: u32,
    pub in_use: u32,
    /// `(call, generation when it started waiting)`; entries whose call has moved on are
    /// skipped when a connection frees up.
    pub waiters: VecDeque<(u32, u32)>,
}

impl PoolState {
    pub fn new(size: u32) -> Self {
        PoolState {
            size,
            in_use: 0,
            waiters: VecDeque::new(),
        }
    }
}
