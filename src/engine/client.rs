//! The caller side of an edge: take a connection from the pool (waiting up to the acquire
//! timeout), pick a callee replica, send the request, and wait for the reply or the
//! per-try timeout. A caller that times out leaves the callee working.

use super::arena::NONE;
use super::events::Kind;
use super::state::{Call, CallState};
use super::{next_round_robin, Simulation};
use crate::outcome::{Cause, Outcome};
use crate::spec::Balancer;
use rand::Rng;

impl Simulation<'_> {
    pub(crate) fn start_call(&mut self, task: u32, edge: u32, op: u32) {
        let e = &self.model.edges[edge as usize];
        let pool = match e.pool {
            None => NONE,
            Some(_) => {
                let caller_replica = self.jobs[self.tasks[task].job].replica;
                let local = caller_replica - self.first_replica[e.caller as usize];
                self.first_pool[edge as usize] + local
            }
        };
        self.rec.edge(edge).calls += 1;
        let call = self.calls.alloc(Call {
            task,
            edge,
            op,
            pool,
            state: CallState::WaitingPool,
            wait_start: self.now,
            result: 0,
        });
        if pool == NONE {
            self.send(call);
            return;
        }
        let p = &mut self.pools[pool as usize];
        if p.in_use < p.size {
            p.in_use += 1;
            self.rec.edge(edge).pool_acquired += 1;
            self.send(call);
            return;
        }
        let acquire_timeout = e.pool.map_or(0, |p| p.acquire_timeout);
        if acquire_timeout == 0 {
            self.rec.edge(edge).pool_timeouts += 1;
            self.end_call(call, Err(Cause::PoolTimeout));
            return;
        }
        let gen = self.calls.gen(call);
        self.pools[pool as usize].waiters.push_back((call, gen));
        self.queue
            .schedule(self.now + acquire_timeout, Kind::PoolTimeout, call, gen);
    }

    /// Send the call's request to a callee replica and arm its per-try timeout.
    fn send(&mut self, call: u32) {
        let c = &mut self.calls[call];
        c.state = CallState::InFlight;
        let (edge, op) = (c.edge, c.op);
        let e = &self.model.edges[edge as usize];
        let replica = self.pick_replica(edge);
        self.rec.edge(edge).attempts += 1;
        let gen = self.calls.gen(call);
        if let Some(timeout) = e.timeout {
            self.queue
                .schedule(self.now + timeout, Kind::Timeout, call, gen);
        }
        self.admit(replica, op, call, gen);
    }

    fn pick_replica(&mut self, edge: u32) -> u32 {
        let e = &self.model.edges[edge as usize];
        let first = self.first_replica[e.callee as usize];
        let n = self.model.services[e.callee as usize].replicas;
        if n == 1 {
            return first;
        }
        let rng = &mut self.edge_rng[edge as usize];
        let local = match e.balancer {
            Balancer::RoundRobin => next_round_robin(&mut self.edge_rr[edge as usize], n),
            Balancer::Random => rng.random_range(0..n),
            Balancer::LeastOutstanding => {
                // Ties go to the replica after the last one chosen, so that equal replicas
                // share the load instead of the first one taking it all.
                let start = next_round_robin(&mut self.edge_rr[edge as usize], n);
                (0..n)
                    .map(|i| (start + i) % n)
                    .min_by_key(|&i| self.replicas[(first + i) as usize].outstanding)
                    .unwrap_or(0)
            }
            Balancer::PowerOfTwoChoices => {
                let a = rng.random_range(0..n);
                let b = (a + 1 + rng.random_range(0..n - 1)) % n;
                let load = |i: u32| self.replicas[(first + i) as usize].outstanding;
                if load(b) < load(a) {
                    b
                } else {
                    a
                }
            }
        };
        first + local
    }

    pub(crate) fn on_reply(&mut self, call: u32, gen: u32) {
        if self.calls.gen(call) != gen {
            return;
        }
        let result = self.calls[call].result;
        let outcome = if result == 0 {
            Ok(())
        } else {
            self.rec.edge(self.calls[call].edge).errors += 1;
            Err(Cause::Downstream)
        };
        self.release_connection(call);
        self.end_call(call, outcome);
    }

    pub(crate) fn on_timeout(&mut self, call: u32, gen: u32) {
        if self.calls.gen(call) != gen || self.calls[call].state != CallState::InFlight {
            return;
        }
        self.rec.edge(self.calls[call].edge).timeouts += 1;
        self.release_connection(call);
        self.end_call(call, Err(Cause::Timeout));
    }

    pub(crate) fn on_pool_timeout(&mut self, call: u32, gen: u32) {
        if self.calls.gen(call) != gen || self.calls[call].state != CallState::WaitingPool {
            return;
        }
        let c = self.calls[call];
        let e = self.rec.edge(c.edge);
        e.pool_timeouts += 1;
        e.pool_wait_ns += u128::from(self.now - c.wait_start);
        self.end_call(call, Err(Cause::PoolTimeout));
    }

    /// Give the call's connection to the first caller still waiting, or back to the pool.
    fn release_connection(&mut self, call: u32) {
        let pool = self.calls[call].pool;
        if pool == NONE {
            return;
        }
        while let Some((waiter, gen)) = self.pools[pool as usize].waiters.pop_front() {
            if self.calls.gen(waiter) != gen || self.calls[waiter].state != CallState::WaitingPool {
                continue;
            }
            // Moving the generation on disarms the waiter's acquire timeout.
            self.calls.bump(waiter);
            let c = self.calls[waiter];
            let e = self.rec.edge(c.edge);
            e.pool_acquired += 1;
            e.pool_wait_ns += u128::from(self.now - c.wait_start);
            self.send(waiter);
            return;
        }
        self.pools[pool as usize].in_use -= 1;
    }

    /// Free the call and let its task go on.
    fn end_call(&mut self, call: u32, outcome: Outcome) {
        let task = self.calls[call].task;
        self.calls.free(call);
        self.resume_after_call(task, outcome);
    }
}
