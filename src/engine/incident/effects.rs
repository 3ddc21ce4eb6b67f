//! What changing a setting does to the running system beyond the number: capacity
//! recorded, queued requests started on new workers, replicas stopped or restarted,
//! connections added to pools, pending arrivals redrawn.

use super::super::Simulation;

impl Simulation<'_> {
    pub(super) fn capacity_changed(&mut self, service: u32) {
        let svc = &self.model.services[service as usize];
        let peak = &mut self.peak_workers[service as usize];
        *peak = (*peak).max(svc.workers);
        self.rec.set_capacity(
            service,
            self.now,
            u64::from(svc.workers) * u64::from(svc.replicas),
        );
    }

    /// Start queued requests on workers that a larger pool size made free.
    pub(super) fn fill_workers(&mut self, service: u32) {
        let first = self.first_replica[service as usize];
        for r in first..first + self.model.services[service as usize].replicas {
            while self.replicas[r as usize].up
                && self.replicas[r as usize].busy < self.model.services[service as usize].workers
                && !self.replicas[r as usize].queue.is_empty()
            {
                self.start_next(r);
            }
        }
    }

    /// Keep the first `n` replicas running.
    pub(super) fn set_running_replicas(&mut self, service: u32, n: u32) {
        let first = self.first_replica[service as usize];
        let total = self.model.services[service as usize].replicas;
        for local in 0..total {
            let r = first + local;
            let stopped = self.replicas[r as usize].stopped;
            if local >= n && !stopped {
                self.replicas[r as usize].stopped = true;
                if self.replicas[r as usize].up {
                    self.take_down(r, None, false);
                }
            } else if local < n && stopped {
                self.replicas[r as usize].stopped = false;
                self.restart(r);
            }
        }
    }

    /// Change the size of every caller replica's shared pool on an edge.
    pub(super) fn resize_pool(&mut self, edge: u32, old: u32, new: u32) {
        if let Some(p) = &mut self.model.edges[edge as usize].pool {
            p.size = new;
        }
        let caller = self.model.edges[edge as usize].caller;
        for local in 0..self.model.services[caller as usize].replicas {
            let gate = self.layout.pool(edge, crate::model::DEFAULT_CLASS, local);
            if gate == crate::engine::arena::NONE {
                continue;
            }
            let g = &mut self.gates[gate as usize];
            g.size = new;
            if g.in_use > new {
                g.held_when_shrunk = g.in_use;
            }
            for _ in old..new {
                // A new connection: hand it to a waiter, or leave it free.
                self.gates[gate as usize].in_use += 1;
                self.release_gate(gate);
            }
        }
    }

    /// Give a source a new rate multiplier; its pending arrival is redrawn.
    pub(super) fn set_traffic(&mut self, source: u32, multiplier: f64) {
        self.sources[source as usize].set_multiplier(multiplier);
        self.schedule_arrival(source);
    }
}
