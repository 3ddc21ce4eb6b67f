//! The caller side of an edge. A logical call makes one or more attempts; each attempt
//! takes a bulkhead slot and a pool connection (waiting up to their limits), goes to a
//! callee replica and ends with the reply or the per-try timeout. Failed attempts are
//! retried, answered by a fallback, or fail the caller's task. A caller that times out
//! leaves the callee working unless the edge propagates deadlines.

use super::arena::NONE;
use super::chaos::ChaosEffect;
use super::events::Kind;
use super::state::{after, Call, CallState, Holds, ReplyTo, Waiter, NEVER};
use super::{next_round_robin, Simulation};
use crate::outcome::{Cause, Outcome};
use crate::policy::retry::FailureKind;
use crate::spec::Balancer;
use rand::Rng;

/// Result of asking a gate for a slot.
enum Acquire {
    Got,
    Waiting,
    Refused,
}

impl Simulation<'_> {
    /// `task` calls `op` over `edge` (as a step of its own, or as a branch of its
    /// `Parallel`).
    pub(crate) fn start_call(&mut self, task: u32, edge: u32, op: u32) {
        let now = self.now;
        let t = &self.tasks[task];
        // The call is its caller replica's: a crash there takes it down.
        let replica = self.replica_of(t);
        let call = self.calls.alloc(
            Call::new(task, t.job, edge, op, t.class, t.local_replica, now),
            replica,
        );
        self.rec.edge(edge).calls += 1;
        self.policies.active_calls[edge as usize] += 1;
        self.attempt(call);
    }

    /// Start (or restart) an attempt: admission checks, then bulkhead, then pool, then send.
    ///
    /// Inlined, like the two steps after it: every attempt passes through all three, and
    /// as functions of their own their entries and exits cost more than most of their
    /// bodies (13 instructions an event on the replay).
    #[inline(always)]
    fn attempt(&mut self, call: u32) {
        if self.now >= self.call_deadline(call) {
            self.attempt_failed(call, Cause::Timeout, false);
            return;
        }
        if let Some(cause) = self.admission_refusal(call) {
            self.attempt_failed(call, cause, false);
            return;
        }
        self.acquire_bulkhead(call);
    }

    #[inline(always)]
    fn acquire_bulkhead(&mut self, call: u32) {
        let gate = self.bulkhead_of(call);
        if gate != NONE && !self.calls[call].holds(Holds::Bulkhead) {
            match self.acquire(gate, call, CallState::WaitingBulkhead) {
                Acquire::Got => self.calls[call].set_holds(Holds::Bulkhead, true),
                Acquire::Waiting => return,
                Acquire::Refused => {
                    self.attempt_failed(call, Cause::BulkheadFull, false);
                    return;
                }
            }
        }
        self.acquire_pool(call);
    }

    #[inline(always)]
    fn acquire_pool(&mut self, call: u32) {
        let gate = self.pool_of(call);
        if gate != NONE && !self.calls[call].holds(Holds::Pool) {
            match self.acquire(gate, call, CallState::WaitingPool) {
                Acquire::Got => {
                    self.calls[call].set_holds(Holds::Pool, true);
                    self.rec.edge(self.calls[call].edge).pool_acquired += 1;
                }
                Acquire::Waiting => return,
                Acquire::Refused => {
                    self.attempt_failed(call, Cause::PoolTimeout, false);
                    return;
                }
            }
        }
        self.send(call);
    }

    fn acquire(&mut self, gate: u32, call: u32, waiting_state: CallState) -> Acquire {
        let g = &mut self.gates[gate as usize];
        let (edge, is_pool) = (
            self.layout.edge_of_gate[gate as usize],
            self.layout.is_pool[gate as usize],
        );
        if g.in_use < g.size {
            g.in_use += 1;
            self.rec.gate_level(edge, is_pool, g.in_use, g.waiting);
            return Acquire::Got;
        }
        if g.max_wait == 0 {
            return Acquire::Refused;
        }
        g.waiting += 1;
        self.rec.gate_level(edge, is_pool, g.in_use, g.waiting);
        // Only a wait needs the deadline: it bounds how long.
        let wait_until = self.now + g.max_wait;
        let until = wait_until.min(self.call_deadline(call));
        let gen = self.calls.gen(call);
        let c = &mut self.calls[call];
        c.state = waiting_state;
        c.wait_start = self.now;
        self.wait_at_gate(gate, call, gen, until);
        Acquire::Waiting
    }

    /// Hand a freed slot to the first caller still waiting for it, or give it back.
    pub(crate) fn release_gate(&mut self, gate: u32) {
        // A pool shrunk below its connections in use closes them as they come back.
        if self.gates[gate as usize].in_use > self.gates[gate as usize].size {
            self.gates[gate as usize].in_use -= 1;
            return;
        }
        while let Some(Waiter {
            call: waiter, gen, ..
        }) = self.gates[gate as usize].waiters.pop_front()
        {
            // The next waiter is served when the next slot frees up.
            if let Some(after) = self.gates[gate as usize].waiters.front() {
                self.calls.prefetch(after.call);
            }
            let c = self.calls[waiter];
            let waiting = matches!(c.state, CallState::WaitingBulkhead | CallState::WaitingPool);
            if self.calls.gen(waiter) != gen || !waiting {
                continue;
            }
            self.gates[gate as usize].waiting -= 1;
            // Moving the generation on disarms the waiter's acquire timeout.
            self.calls.bump(waiter);
            if c.state == CallState::WaitingBulkhead {
                self.calls[waiter].set_holds(Holds::Bulkhead, true);
                self.acquire_pool(waiter);
            } else {
                self.calls[waiter].set_holds(Holds::Pool, true);
                let e = self.rec.edge(c.edge);
                e.pool_acquired += 1;
                e.pool_wait_ns += u128::from(self.now - c.wait_start);
                self.send(waiter);
            }
            return;
        }
        self.gates[gate as usize].in_use -= 1;
    }

    /// Give back the call's pool connection and bulkhead slot, if it holds them. Inlined:
    /// every attempt's end asks, and most calls hold neither.
    #[inline(always)]
    fn release_held(&mut self, call: u32) {
        if self.calls[call].take(Holds::Pool) {
            self.release_gate(self.pool_of(call));
        }
        if self.calls[call].take(Holds::Bulkhead) {
            self.release_gate(self.bulkhead_of(call));
        }
    }

    /// The call's pool and bulkhead (`NONE`: unlimited), found from its edge, class and
    /// caller replica rather than kept in the call.
    #[inline]
    pub(crate) fn pool_of(&self, call: u32) -> u32 {
        let c = &self.calls[call];
        self.layout
            .pool(c.edge, c.class.into(), c.caller_local.into())
    }

    #[inline]
    pub(crate) fn bulkhead_of(&self, call: u32) -> u32 {
        let c = &self.calls[call];
        self.layout
            .bulkhead(c.edge, c.class.into(), c.caller_local.into())
    }

    /// The logical call's overall deadline (`NEVER`: none): the edge's `deadline` after
    /// the call started, or the caller's own propagated deadline if earlier. Derived,
    /// not kept: neither changes while the call lives.
    #[inline]
    pub(crate) fn call_deadline(&self, call: u32) -> u64 {
        let c = &self.calls[call];
        let e = &self.edge_hot[c.edge as usize];
        let own = after(c.started_at, e.deadline);
        if e.propagate_deadline {
            own.min(self.jobs[c.job].deadline)
        } else {
            own
        }
    }

    /// The callee replica of the call's last attempt.
    #[inline]
    pub(crate) fn callee_of(&self, call: u32) -> u32 {
        let c = &self.calls[call];
        self.edge_hot[c.edge as usize].first_callee + u32::from(c.callee_local)
    }

    pub(crate) fn on_acquire_timeout(&mut self, call: u32, gen: u32) {
        let c = self.calls[call];
        let gate = match c.state {
            CallState::WaitingBulkhead => self.bulkhead_of(call),
            CallState::WaitingPool => self.pool_of(call),
            _ => return,
        };
        if self.calls.gen(call) != gen {
            return;
        }
        self.calls.bump(call);
        self.gates[gate as usize].waiting -= 1;
        let cause = if c.state == CallState::WaitingPool {
            self.rec.edge(c.edge).pool_wait_ns += u128::from(self.now - c.wait_start);
            Cause::PoolTimeout
        } else {
            Cause::BulkheadFull
        };
        self.attempt_failed(call, cause, false);
    }

    /// Send the attempt to a callee replica and arm its per-try timeout.
    fn send(&mut self, call: u32) {
        let now = self.now;
        let replica = self.pick_replica(call);
        let deadline = self.call_deadline(call);
        let e = &self.edge_hot[self.calls[call].edge as usize];
        let c = &mut self.calls[call];
        c.state = CallState::InFlight;
        c.sends += 1;
        c.attempt_started = now;
        c.callee_local = (replica - e.first_callee) as u16;
        let (edge, op, class, retry, task, job) =
            (c.edge, c.op, u32::from(c.class), c.sends > 1, c.task, c.job);
        let give_up_at = after(now, e.timeout).min(deadline);
        let callee_deadline = if e.propagate_deadline {
            give_up_at
        } else {
            NEVER
        };
        let counters = self.rec.edge(edge);
        counters.attempts += 1;
        counters.retries += u64::from(retry);
        let gen = self.calls.gen(call);
        let (caller, callee) = (e.caller, e.callee);
        if give_up_at != NEVER {
            self.arm_timeout(edge, give_up_at, call, gen);
        }
        if self
            .partitions
            .iter()
            .any(|&(a, b)| (a, b) == (caller, callee) || (b, a) == (caller, callee))
        {
            // Nothing gets through: the attempt hangs until its timeout.
            self.rec.edge(edge).undelivered += 1;
            return;
        }
        match self.chaos_on_send(edge) {
            ChaosEffect::None => {
                let reply_to = ReplyTo {
                    call,
                    gen,
                    task,
                    job,
                };
                self.admit(replica, op, class, reply_to, callee_deadline);
            }
            ChaosEffect::Delay(d) => {
                self.rec.edge(edge).undelivered += 1;
                self.queue.schedule(now + d, Kind::DelayedSend, call, gen);
            }
            ChaosEffect::Drop => {
                self.rec.edge(edge).undelivered += 1;
                self.calls.bump(call);
                self.attempt_failed(call, Cause::Dropped, false);
            }
        }
    }

    /// A chaos-delayed attempt reaches the callee now, if the caller still waits.
    pub(crate) fn on_delayed_send(&mut self, call: u32, gen: u32) {
        if self.calls.gen(call) != gen || self.calls[call].state != CallState::InFlight {
            return;
        }
        let c = self.calls[call];
        self.rec.edge(c.edge).delivered_late += 1;
        let e = &self.edge_hot[c.edge as usize];
        let callee_deadline = if e.propagate_deadline {
            after(c.attempt_started, e.timeout).min(self.call_deadline(call))
        } else {
            NEVER
        };
        let reply_to = ReplyTo {
            call,
            gen,
            task: c.task,
            job: c.job,
        };
        let callee = self.callee_of(call);
        self.admit(callee, c.op, c.class.into(), reply_to, callee_deadline);
    }

    /// Choose a callee replica: skip replicas a health check has seen down, and on a
    /// retry prefer another replica than the last attempt's.
    fn pick_replica(&mut self, call: u32) -> u32 {
        let c = self.calls[call];
        let last = self.callee_of(call);
        let e = &self.edge_hot[c.edge as usize];
        let (first, n) = (e.first_callee, e.callee_replicas);
        if n == 1 {
            return first;
        }
        let rng = &mut self.edge_rng[c.edge as usize];
        let mut local = match e.balancer {
            Balancer::RoundRobin => next_round_robin(&mut self.edge_rr[c.edge as usize], n),
            Balancer::Random => rng.random_range(0..n),
            Balancer::LeastOutstanding => {
                // Ties go to the replica after the last one chosen, so that equal replicas
                // share the load instead of the first one taking it all.
                let start = next_round_robin(&mut self.edge_rr[c.edge as usize], n);
                (0..n)
                    .map(|i| (start + i) % n)
                    .min_by_key(|&i| self.replicas[(first + i) as usize].outstanding())
                    .unwrap_or(0)
            }
            Balancer::PowerOfTwoChoices => {
                let a = rng.random_range(0..n);
                let b = (a + 1 + rng.random_range(0..n - 1)) % n;
                let load = |i: u32| self.replicas[(first + i) as usize].outstanding();
                if load(b) < load(a) {
                    b
                } else {
                    a
                }
            }
        };
        for _ in 0..n {
            let candidate = first + local;
            let avoid = (c.sends > 0 && candidate == last)
                || !self.usable(c.edge, candidate)
                || self.ejected(c.edge, candidate);
            if !avoid {
                break;
            }
            local = if local + 1 == n { 0 } else { local + 1 };
        }
        first + local
    }

    /// Whether the caller believes a replica can take requests: it is up, or its crash
    /// has not yet been noticed by a health check.
    fn usable(&self, edge: u32, replica: u32) -> bool {
        let r = &self.replicas[replica as usize];
        if r.up {
            return true;
        }
        let interval = self.edge_hot[edge as usize].health_check;
        interval == NEVER || self.now < r.down_since + interval
    }

    pub(crate) fn on_reply(&mut self, call: u32, gen: u32, outcome: u8) {
        if self.calls.gen(call) != gen || self.calls[call].state != CallState::InFlight {
            return;
        }
        self.calls.bump(call);
        match Outcome::from_code(outcome) {
            Outcome::Failed(cause) => self.attempt_failed(call, cause, true),
            outcome => self.attempt_succeeded(call, outcome),
        }
    }

    pub(crate) fn on_timeout(&mut self, call: u32, gen: u32) {
        if self.calls.gen(call) != gen || self.calls[call].state != CallState::InFlight {
            return;
        }
        self.calls.bump(call);
        self.attempt_failed(call, Cause::Timeout, false);
    }

    fn attempt_succeeded(&mut self, call: u32, outcome: Outcome) {
        if self.tracer.is_some() {
            self.trace_attempt(call, self.calls[call].attempt_started, outcome);
        }
        self.release_held(call);
        self.record_attempt(call, None, true);
        self.finish_call(call, outcome);
    }

    /// An attempt failed, on the caller's side (`from_callee` false: timeout, pool,
    /// bulkhead, breaker, throttle) or as the callee's answer.
    fn attempt_failed(&mut self, call: u32, cause: Cause, from_callee: bool) {
        let c = self.calls[call];
        let start = if c.state == CallState::InFlight || from_callee || cause == Cause::Timeout {
            c.attempt_started
        } else {
            c.wait_start
        };
        if self.tracer.is_some() {
            self.trace_attempt(call, start, Outcome::Failed(cause));
        }
        self.release_held(call);
        let kind = cause.kind();
        let reached = from_callee || cause == Cause::Timeout;
        self.record_attempt(call, Some((cause, kind)), reached);
        let local = if from_callee {
            Cause::Downstream
        } else {
            cause
        };
        match self.retry_delay(call, kind) {
            Some(delay) => {
                let gen = self.calls.bump(call);
                self.calls[call].state = CallState::Backoff;
                self.queue
                    .schedule(self.now + delay, Kind::Backoff, call, gen);
            }
            None => self.give_up(call, local, kind),
        }
    }

    pub(crate) fn on_backoff_done(&mut self, call: u32, gen: u32) {
        if self.calls.gen(call) == gen && self.calls[call].state == CallState::Backoff {
            self.attempt(call);
        }
    }

    /// No more attempts: answer with the fallback if it covers this failure, else fail.
    fn give_up(&mut self, call: u32, cause: Cause, kind: FailureKind) {
        let edge = self.calls[call].edge as usize;
        let fallback = self.model.edges[edge]
            .fallback
            .as_ref()
            .filter(|f| f.covers(kind))
            .map(|f| f.latency);
        let Some(dist) = fallback else {
            self.finish_call(call, Outcome::Failed(cause));
            return;
        };
        let caller_service = self.model.edges[edge].caller as usize;
        let latency =
            self.model.program.dists[dist as usize].sample(&mut self.service_rng[caller_service]);
        let gen = self.calls.bump(call);
        self.calls[call].state = CallState::Fallback;
        self.queue
            .schedule(self.now + latency, Kind::FallbackDone, call, gen);
    }

    pub(crate) fn on_fallback_done(&mut self, call: u32, gen: u32) {
        if self.calls.gen(call) == gen && self.calls[call].state == CallState::Fallback {
            self.finish_call(call, Outcome::Degraded);
        }
    }

    /// The logical call is over: count it, free it and let its task go on. Inlined: every
    /// call ends here, most of them from `attempt_succeeded`.
    #[inline(always)]
    fn finish_call(&mut self, call: u32, outcome: Outcome) {
        let c = self.calls[call];
        self.calls.free(call);
        self.policies.active_calls[c.edge as usize] -= 1;
        self.rec.call_done(c.edge, outcome, self.now - c.started_at);
        if outcome == Outcome::Degraded {
            self.jobs[c.job].degraded = true;
        }
        if self.at_parallel(c.task) {
            self.branch_done(c.task, outcome);
        } else {
            self.resume_after_call(c.task, outcome);
        }
    }
}
