//! Out-of-memory crashes and restarts. A crash fails every request the replica holds
//! (queued or running), drops its connections and bulkhead slots, and the replica comes
//! back after `restart_after`, optionally slow while it warms up.

use super::events::Kind;
use super::Simulation;
use crate::outcome::{Cause, Outcome};

impl Simulation<'_> {
    /// An out-of-memory crash (the `Crash` event scheduled when memory crossed the limit).
    pub(crate) fn crash(&mut self, replica: u32) {
        let service = self.replicas[replica as usize].service;
        if let Some(memory) = self.model.services[service as usize].memory {
            self.take_down(replica, Some(memory.restart_after), true);
        }
    }

    /// Take a replica down, failing everything it holds; it restarts after `restart`
    /// (never, for `None`). `oom` marks an out-of-memory crash for the detectors.
    pub(crate) fn take_down(&mut self, replica: u32, restart: Option<u64>, oom: bool) {
        let r = &self.replicas[replica as usize];
        if !r.up {
            return;
        }
        let service = r.service;
        let now = self.now;
        // Everything that belongs to the replica: its jobs, their tasks and the calls those
        // wait on, found by their slots' owners rather than by loading every record (a
        // cache miss apiece in a big run). In slot order, as the scans find them: freed
        // slots are reused in this order.
        let dead_jobs = self.jobs.live_slots_of(replica);
        let dead_tasks = self.tasks.live_slots_of(replica);
        let dead_calls = self.calls.live_slots_of(replica);
        // Their callees keep working for nobody (counted as wasted work when they answer).
        for call in dead_calls {
            self.abandon_call(call);
            self.calls.free(call);
        }
        for task in dead_tasks {
            self.tasks.free(task);
        }
        for job in dead_jobs {
            if let (Some(ticket), Some(limiter)) = (
                self.policies.tickets.take(job),
                self.policies.concurrency[replica as usize].as_mut(),
            ) {
                limiter.on_ignored(ticket);
            }
            let j = self.jobs[job];
            if self.tracer.is_some() {
                self.trace_request(job, now, Outcome::Failed(Cause::Crashed));
            }
            self.jobs.free(job);
            if j.running {
                self.rec.departed(
                    service,
                    now,
                    now - j.arrived,
                    Outcome::Failed(Cause::Crashed),
                );
            } else {
                self.rec
                    .dropped(service, now, now - j.arrived, Cause::Crashed);
            }
            let work = if j.running { now - j.started } else { 0 };
            self.reply(j.reply_to, Outcome::Failed(Cause::Crashed), service, work);
        }
        let local = replica - self.first_replica[service as usize];
        for gate in self.layout.gates_of_replica(&self.model, service, local) {
            let g = &mut self.gates[gate as usize];
            g.in_use = 0;
            g.waiting = 0;
            g.waiters.clear();
        }
        let r = &mut self.replicas[replica as usize];
        r.busy = 0;
        r.queue.clear();
        r.up = false;
        r.down_since = now;
        if oom {
            self.rec.crashed(service);
            self.detect_oom(service);
        }
        if let Some(after) = restart {
            self.queue.schedule(now + after, Kind::Restart, replica, 0);
        }
    }

    pub(crate) fn restart(&mut self, replica: u32) {
        let r = &mut self.replicas[replica as usize];
        if r.up || r.stopped {
            return;
        }
        let service = r.service;
        r.up = true;
        r.last_empty = self.now;
        r.warm_until = self.now
            + self.model.services[service as usize]
                .memory
                .map_or(0, |m| m.warmup);
        self.rec.restarted(service);
    }
}
