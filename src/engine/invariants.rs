//! Checks of the engine's bookkeeping, for property tests and the fuzzer: every count of
//! things held (workers, queue places, connections, requests) stays within its bounds and
//! agrees with the others.

use super::state::{CallState, Holds, NEVER};
use super::Simulation;
use std::collections::BTreeSet;

impl Simulation<'_> {
    /// `Err` names the first broken invariant. Cost grows with replicas, pools and requests
    /// in flight, so call it between slices of events, not after each one.
    pub fn check_invariants(&self) -> Result<(), String> {
        if let Some(v) = &self.policies.breaker_violation {
            return Err(format!("circuit breaker outside its state machine: {v}"));
        }
        self.check_calls()?;
        self.check_copies()?;
        let mut outstanding = 0u64;
        for (i, r) in self.replicas.iter().enumerate() {
            let svc = &self.model.services[r.service as usize];
            // A scripted `SetWorkers` that shrinks the pool lets running requests finish,
            // so the bound is the largest pool the service has had.
            let workers = svc.workers.max(self.peak_workers[r.service as usize]);
            if r.busy > workers {
                return Err(format!(
                    "replica {i} of {}: {} busy workers of {}",
                    svc.name, r.busy, svc.workers
                ));
            }
            if r.queue.len() as u64 > svc.queue_capacity {
                return Err(format!(
                    "replica {i} of {}: {} queued, capacity {}",
                    svc.name,
                    r.queue.len(),
                    svc.queue_capacity
                ));
            }
            if !r.queue.is_empty() && r.busy < svc.workers {
                return Err(format!(
                    "replica {i} of {}: requests queue while a worker is free",
                    svc.name
                ));
            }
            outstanding += u64::from(r.outstanding());
        }
        if outstanding != self.jobs.live() as u64 {
            return Err(format!(
                "{} requests held by replicas, {} alive",
                outstanding,
                self.jobs.live()
            ));
        }
        for (i, p) in self.gates.iter().enumerate() {
            // A pool shrunk by an incident keeps the connections it had until they return.
            if p.in_use > p.size.max(p.held_when_shrunk) {
                return Err(format!(
                    "pool or bulkhead {i}: {} held of {}",
                    p.in_use, p.size
                ));
            }
            // A freed slot goes straight to the first live waiter.
            if p.waiting > 0 && p.in_use < p.size || p.waiting as usize > p.waiters.len() {
                return Err(format!(
                    "pool or bulkhead {i}: {} waiting ({} entries) with {} of {} held",
                    p.waiting,
                    p.waiters.len(),
                    p.in_use,
                    p.size
                ));
            }
        }
        for s in 0..self.model.services.len() as u32 {
            let held: u64 = self
                .replicas
                .iter()
                .filter(|r| r.service == s)
                .map(|r| u64::from(r.outstanding()))
                .sum();
            if held != self.rec.in_system(s) {
                return Err(format!(
                    "service {s}: {held} requests held, recorder counts {}",
                    self.rec.in_system(s)
                ));
            }
        }
        Ok(())
    }

    /// The calls alive agree with what the gates and policies count: every slot held or
    /// waited for at a pool or bulkhead is a live call's, every call is on the edge's
    /// active count, and calls, tasks and jobs are alive together (nothing leaks when a
    /// request ends early: crash, deadline, failed branch).
    fn check_calls(&self) -> Result<(), String> {
        let tasks: BTreeSet<u32> = self.tasks.live_indices().collect();
        let jobs: BTreeSet<u32> = self.jobs.live_indices().collect();
        let mut held = vec![0u32; self.gates.len()];
        let mut waiting = vec![0u32; self.gates.len()];
        let mut active = vec![0u32; self.model.edges.len()];
        for i in self.calls.live_indices() {
            let c = &self.calls[i];
            if !tasks.contains(&c.task) {
                return Err(format!("call {i} outlived its task {}", c.task));
            }
            active[c.edge as usize] += 1;
            for (holds, gate, waits) in [
                (Holds::Pool, self.pool_of(i), CallState::WaitingPool),
                (
                    Holds::Bulkhead,
                    self.bulkhead_of(i),
                    CallState::WaitingBulkhead,
                ),
            ] {
                let holds = c.holds(holds);
                if holds {
                    held[gate as usize] += 1;
                }
                if c.state == waits {
                    waiting[gate as usize] += 1;
                }
            }
        }
        for t in &tasks {
            if !jobs.contains(&self.tasks[*t].job) {
                return Err(format!("task {t} outlived its job {}", self.tasks[*t].job));
            }
        }
        if active != self.policies.active_calls {
            return Err(format!(
                "calls alive per edge {active:?}, counted active {:?}",
                self.policies.active_calls
            ));
        }
        for (i, g) in self.gates.iter().enumerate() {
            if g.in_use != held[i] || g.waiting != waiting[i] {
                return Err(format!(
                    "pool or bulkhead {i}: {} in use and {} waiting, but calls hold {} and wait for {}",
                    g.in_use, g.waiting, held[i], waiting[i]
                ));
            }
        }
        Ok(())
    }

    /// What the engine keeps twice for speed agrees with the original: the calls' dense
    /// generations, the slot owners a crash scans, the job's service, replica and class in
    /// each of its tasks, the task's job in each of its calls, the calling task and job in
    /// a reply address, the edges' hot copies (a scripted timeout change updates both).
    fn check_copies(&self) -> Result<(), String> {
        for i in 0..self.calls.slots() as u32 {
            if !self.calls.is_current(i, self.calls.gen(i)) {
                return Err(format!(
                    "call slot {i}: dense generation differs from the slot's"
                ));
            }
        }
        for j in self.jobs.live_indices() {
            if self.jobs.owner(j) != self.jobs[j].replica {
                return Err(format!("job {j}: slot's owner differs from its replica"));
            }
        }
        for t in self.tasks.live_indices() {
            let task = &self.tasks[t];
            let j = &self.jobs[task.job];
            if self.tasks.owner(t) != j.replica {
                return Err(format!(
                    "task {t}: slot's owner differs from its job's replica"
                ));
            }
            if (task.service, self.replica_of(task), u32::from(task.class))
                != (j.service, j.replica, u32::from(j.class))
            {
                return Err(format!(
                    "task {t}: service, replica or class differs from its job's"
                ));
            }
        }
        for c in self.calls.live_indices() {
            let call = &self.calls[c];
            if call.job != self.tasks[call.task].job {
                return Err(format!("call {c}: job differs from its task's"));
            }
            if self.calls.owner(c) != self.jobs[call.job].replica {
                return Err(format!(
                    "call {c}: slot's owner differs from its job's replica"
                ));
            }
        }
        // A job's reply address names the calling task and job beside the call (to load
        // them ahead): while the call waits for this answer, they must be the call's.
        for j in self.jobs.live_indices() {
            let to = self.jobs[j].reply_to;
            if to.is_source() || !self.calls.is_current(to.call, to.gen) {
                continue;
            }
            let call = &self.calls[to.call];
            if (to.task, to.job) != (call.task, call.job) {
                return Err(format!(
                    "job {j}: reply address's task or job differs from its call's"
                ));
            }
        }
        for (e, hot) in self.edge_hot.iter().enumerate() {
            let edge = &self.model.edges[e];
            if hot.timeout != edge.timeout.unwrap_or(NEVER)
                || hot.deadline != edge.deadline.unwrap_or(NEVER)
                || (hot.caller, hot.callee) != (edge.caller, edge.callee)
            {
                return Err(format!(
                    "edge {}: hot copy differs from the model",
                    edge.name
                ));
            }
        }
        Ok(())
    }
}
