//! Checks of the engine's bookkeeping, for property tests and the fuzzer: every count of
//! things held (workers, queue places, connections, requests) stays within its bounds and
//! agrees with the others.

use super::Simulation;

impl Simulation<'_> {
    /// `Err` names the first broken invariant. Cost grows with replicas and pools, so call
    /// it between slices of events, not after each one.
    pub fn check_invariants(&self) -> Result<(), String> {
        if let Some(v) = &self.policies.breaker_violation {
            return Err(format!("circuit breaker outside its state machine: {v}"));
        }
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
}
