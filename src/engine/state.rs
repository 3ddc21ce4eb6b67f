//! The records the engine keeps for things in flight. All are small and live in arenas;
//! links between them are `u32` indices (`NONE` for absent).

use super::arena::NONE;
use crate::model::Edge;
use crate::policy::circuit_breaker::Permit;
use crate::spec::Balancer;
use std::collections::VecDeque;

/// "No deadline".
pub const NEVER: u64 = u64::MAX;

/// A request being served by one replica of a service (queued or holding a worker).
#[derive(Clone, Copy)]
pub struct Job {
    pub replica: u32,
    pub service: u32,
    pub op: u32,
    /// At most `MAX_CLASSES` classes: 16 bits leave room for the caller's job in
    /// `reply_to` within the line.
    pub class: u16,
    /// Who waits for this job's answer.
    pub reply_to: ReplyTo,
    pub arrived: u64,
    pub started: u64,
    /// When the caller gives up, if it told us (deadline propagation); `NEVER` otherwise.
    pub deadline: u64,
    pub running: bool,
    /// A call on this request's way was answered by a fallback.
    pub degraded: bool,
    // A concurrency-limit ticket and a trace id live beside the arena (`Policies::tickets`,
    // `Tracer::jobs`): without them a job and its generation fit one cache line.
}

/// Who waits for a job's answer: a call, or (`SOURCE`) the outside world.
#[derive(Clone, Copy)]
pub struct ReplyTo {
    /// The call's slot and its generation when the attempt was sent.
    pub call: u32,
    pub gen: u32,
    /// The task that made the call and its job. Why here? The answer goes on with that
    /// task and job right after reading the call, and all three have usually not been
    /// touched since the call was sent: knowing them here, the callee starts loading all
    /// three at once, when it starts on the request and again when it answers.
    pub task: u32,
    pub job: u32,
}

impl ReplyTo {
    pub const SOURCE: ReplyTo = ReplyTo {
        call: NONE,
        gen: 0,
        task: NONE,
        job: NONE,
    };

    #[inline]
    pub fn is_source(&self) -> bool {
        self.call == NONE
    }
}

// A job and its arena generation in one 64-byte cache line (see `arena::Slot`).
const _: () = assert!(std::mem::size_of::<Job>() + 4 <= 64);

/// A cursor through one sequence of steps of a running job.
#[derive(Clone, Copy)]
pub struct Task {
    pub job: u32,
    /// The job's service, replica (its index among the service's replicas) and class,
    /// kept here to spare reading the job on every step and call.
    pub service: u32,
    pub local_replica: u16,
    pub class: u16,
    /// The task's next step and the end of its sequence, as indices into the program's
    /// `steps`: reaching the next step is one array read, not a walk through tables.
    pub at: u32,
    pub end: u32,
    /// The task that spawned this one for a `Parallel` branch (`NONE` for a root task).
    pub parent: u32,
    /// Children still running (a `Parallel` has at most `u16::MAX` branches).
    pub pending: u16,
    /// First failure among finished children, as an `Outcome` code (0 = none).
    pub failed: u8,
}

// A task and its generation in half a cache line.
const _: () = assert!(std::mem::size_of::<Task>() + 4 <= 32);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CallState {
    WaitingBulkhead,
    WaitingPool,
    InFlight,
    Backoff,
    Fallback,
}

/// One logical call from a task to a callee operation, across all its attempts.
///
/// Why so packed? In a cascade tens of thousands of calls wait at once, and every reply
/// reads one that has not been touched since it was sent: a call that fits one cache
/// line (with its generation) is one miss, not two or three. What can be derived is not
/// kept: the gates from the edge, class and caller replica (`Simulation::pool_of` and
/// `bulkhead_of`), the overall deadline from the start and the edge
/// (`Simulation::call_deadline`); the last backoff delay, which only decorrelated jitter
/// reads, lives beside the arena.
#[derive(Clone, Copy)]
pub struct Call {
    /// The calling task. A task at a `Parallel` step makes each branch that is a single
    /// call itself, without a child task: such a call's end counts its branch done
    /// instead of moving the task on (see `Simulation::at_parallel`).
    pub task: u32,
    /// The calling task's job: a reply reads it soon after the task, and knowing it here
    /// lets both loads start at once.
    pub job: u32,
    pub edge: u32,
    pub op: u32,
    /// The breaker permit's generation, valid when the call holds a permit.
    permit_generation: u32,
    /// When the logical call started: its latency and its deadlines count from here.
    pub started_at: u64,
    pub attempt_started: u64,
    pub wait_start: u64,
    /// The caller's replica, as its index among its service's replicas (the model has at
    /// most `MAX_REPLICAS` per service).
    pub caller_local: u16,
    /// The callee replica of the last attempt, as its index among the callee's replicas
    /// (for outlier detection and retries).
    pub callee_local: u16,
    pub class: u16,
    /// Attempts sent so far.
    pub sends: u16,
    /// Attempts made so far, the current one included (the retry policy's count; at most
    /// `MAX_ATTEMPTS`).
    pub attempts: u16,
    pub state: CallState,
    flags: u8,
}

/// What a call holds, as bits of `Call::flags`.
#[derive(Clone, Copy)]
#[repr(u8)]
pub enum Holds {
    Bulkhead = 1,
    Pool = 2,
    /// The attempt in progress (or the backoff before it) holds a place in the edge's
    /// ratio retry budget: Envoy keeps a retry active until its result is known.
    Retry = 4,
    /// A breaker permit for the attempt in progress.
    Permit = 8,
}

impl Call {
    /// A call from `task` that starts now, holding nothing.
    pub fn new(
        task: u32,
        job: u32,
        edge: u32,
        op: u32,
        class: u16,
        caller_local: u16,
        now: u64,
    ) -> Self {
        Call {
            task,
            job,
            edge,
            op,
            permit_generation: 0,
            started_at: now,
            attempt_started: now,
            wait_start: now,
            caller_local,
            callee_local: 0,
            class,
            sends: 0,
            attempts: 1,
            state: CallState::WaitingBulkhead,
            flags: 0,
        }
    }

    #[inline]
    pub fn holds(&self, what: Holds) -> bool {
        self.flags & what as u8 != 0
    }

    #[inline]
    pub fn set_holds(&mut self, what: Holds, holds: bool) {
        if holds {
            self.flags |= what as u8;
        } else {
            self.flags &= !(what as u8);
        }
    }

    /// Clear a holding and say whether it was held.
    #[inline]
    pub fn take(&mut self, what: Holds) -> bool {
        let held = self.holds(what);
        self.set_holds(what, false);
        held
    }

    #[inline]
    pub fn permit(&self) -> Option<Permit> {
        self.holds(Holds::Permit).then_some(Permit {
            generation: self.permit_generation,
        })
    }

    #[inline]
    pub fn set_permit(&mut self, permit: Permit) {
        self.permit_generation = permit.generation;
        self.set_holds(Holds::Permit, true);
    }

    #[inline]
    pub fn take_permit(&mut self) -> Option<Permit> {
        let permit = self.permit();
        self.set_holds(Holds::Permit, false);
        permit
    }
}

// A call and its arena generation in one 64-byte cache line (see `arena::Slot`).
const _: () = assert!(std::mem::size_of::<Call>() + 4 <= 64);

pub struct Replica {
    pub service: u32,
    pub busy: u32,
    pub queue: VecDeque<u32>,
    pub up: bool,
    /// When the replica last went down (crash) — health checks notice it after their lag.
    pub down_since: u64,
    /// Work runs slower until this time after a restart.
    pub warm_until: u64,
    /// CoDel: the last time the queue was empty.
    pub last_empty: u64,
    /// Taken out of service by a scripted `SetReplicas` (no automatic restart).
    pub stopped: bool,
}

impl Replica {
    /// Requests queued or running here (what least-outstanding balancers and the memory
    /// model look at).
    #[inline]
    pub fn outstanding(&self) -> u32 {
        self.busy + self.queue.len() as u32
    }

    pub fn new(service: u32) -> Self {
        Replica {
            service,
            busy: 0,
            queue: VecDeque::new(),
            up: true,
            down_since: 0,
            warm_until: 0,
            last_empty: 0,
            stopped: false,
        }
    }
}

/// A counted resource with FIFO waiters: a connection pool (HikariCP-like) or a
/// semaphore bulkhead (resilience4j-like) of one caller replica on one edge.
pub struct Gate {
    pub size: u32,
    pub in_use: u32,
    /// Longest wait [ns]; 0 fails at once.
    pub max_wait: u64,
    /// Callers waiting, in the order they started; entries whose call has moved on are
    /// skipped when a slot frees up or their time comes.
    pub waiters: VecDeque<Waiter>,
    /// When the pending `GateTimeout` event fires (`NEVER`: none is pending), and the
    /// generation it carries: an event superseded by an earlier one is ignored.
    pub timeout_at: u64,
    pub timeout_gen: u32,
    /// Live waiters (the deque may also hold stale entries).
    pub waiting: u32,
    /// Connections in use when an incident last shrank the pool below them: they close as
    /// they come back, so until then `in_use` may exceed `size`, but never this.
    pub held_when_shrunk: u32,
}

/// A call waiting at a gate.
#[derive(Clone, Copy)]
pub struct Waiter {
    pub call: u32,
    /// The call's generation when it started waiting.
    pub gen: u32,
    /// When the wait times out as far as the gate's queue is concerned: never earlier
    /// than the entries before it (see `timeouts::wait_at_gate`).
    pub until: u64,
}

impl Gate {
    pub fn new(size: u32, max_wait: u64) -> Self {
        Gate {
            size,
            in_use: 0,
            max_wait,
            waiters: VecDeque::new(),
            timeout_at: NEVER,
            timeout_gen: 0,
            waiting: 0,
            held_when_shrunk: 0,
        }
    }
}

/// What every call reads of its edge, in one cache line per edge. Why a copy? The model's
/// `Edge` is some 430 bytes with these fields spread over several lines, and with the
/// cascade's records streaming through the cache every call would load them again.
/// Durations are `NEVER` for "none". (Scripted timeout changes update `timeout` here as
/// well as in the engine's model.)
#[derive(Clone, Copy)]
#[repr(align(64))]
pub struct EdgeHot {
    pub caller: u32,
    pub callee: u32,
    /// The callee's first replica and its number of replicas.
    pub first_callee: u32,
    pub callee_replicas: u32,
    pub timeout: u64,
    pub deadline: u64,
    pub health_check: u64,
    pub propagate_deadline: bool,
    pub balancer: Balancer,
}

impl EdgeHot {
    pub fn new(e: &Edge, first_callee: u32, callee_replicas: u32) -> Self {
        EdgeHot {
            caller: e.caller,
            callee: e.callee,
            first_callee,
            callee_replicas,
            timeout: e.timeout.unwrap_or(NEVER),
            deadline: e.deadline.unwrap_or(NEVER),
            health_check: e.health_check.unwrap_or(NEVER),
            propagate_deadline: e.propagate_deadline,
            balancer: e.balancer,
        }
    }
}

/// `from + duration`, or `NEVER` for no duration.
#[inline]
pub fn after(from: u64, duration: u64) -> u64 {
    if duration == NEVER {
        NEVER
    } else {
        from + duration
    }
}

const _: () = assert!(std::mem::size_of::<EdgeHot>() == 64);
