//! The service side: admitting a request to a replica, queueing it, giving it a worker,
//! and releasing the worker when it is done.

use super::arena::NONE;
use super::events::Kind;
use super::state::{Job, Task};
use super::Simulation;
use crate::outcome::{Cause, Outcome};
use crate::spec::Discipline;

impl Simulation<'_> {
    /// A request for `op` arrives at `replica`, on behalf of `caller` (a call) or a source.
    pub(crate) fn admit(&mut self, replica: u32, op: u32, caller: u32, caller_gen: u32) {
        let now = self.now;
        let r = &self.replicas[replica as usize];
        let service = r.service;
        let svc = &self.model.services[service as usize];
        self.rec.arrival(service);
        let has_worker = r.busy < svc.workers;
        let has_room = (r.queue.len() as u64) < svc.queue_capacity;
        if !has_worker && !has_room {
            self.rec.rejected(service);
            self.reply(caller, caller_gen, Err(Cause::Rejected), service, 0);
            return;
        }
        let job = self.jobs.alloc(Job {
            replica,
            op,
            caller,
            caller_gen,
            arrived: now,
            started: 0,
            root_task: NONE,
        });
        self.replicas[replica as usize].outstanding += 1;
        self.rec.admitted(service, now);
        if has_worker {
            self.start(job, false);
        } else {
            self.replicas[replica as usize].queue.push_back(job);
            self.rec.enqueued(service, now);
        }
    }

    fn start(&mut self, job: u32, from_queue: bool) {
        let now = self.now;
        let j = &mut self.jobs[job];
        j.started = now;
        let (replica, op, waited) = (j.replica, j.op, now - j.arrived);
        let r = &mut self.replicas[replica as usize];
        r.busy += 1;
        let service = r.service;
        self.rec.started(service, now, waited, from_queue);
        let body = self.model.operations[op as usize].body;
        let task = self.tasks.alloc(Task {
            job,
            service,
            seq: body,
            pos: 0,
            parent: NONE,
            pending: 0,
            failed: 0,
        });
        self.jobs[job].root_task = task;
        self.run_task(task);
    }

    /// The job's root task ended: release the worker, answer the caller, start the next.
    pub(crate) fn finish_job(&mut self, job: u32, outcome: Outcome) {
        let now = self.now;
        let j = self.jobs[job];
        self.jobs.free(job);
        let r = &mut self.replicas[j.replica as usize];
        r.busy -= 1;
        r.outstanding -= 1;
        let service = r.service;
        self.rec.departed(service, now, now - j.arrived, outcome);
        self.reply(j.caller, j.caller_gen, outcome, service, now - j.started);
        let discipline = self.model.services[service as usize].discipline;
        let r = &mut self.replicas[j.replica as usize];
        let next = match discipline {
            Discipline::Fifo => r.queue.pop_front(),
            Discipline::Lifo => r.queue.pop_back(),
        };
        if let Some(next) = next {
            self.start(next, true);
        }
    }

    /// Deliver a job's outcome to the call that sent it, if that call still waits for it.
    /// The reply is an event at the current instant (see `EventQueue::now_lane`).
    fn reply(&mut self, caller: u32, caller_gen: u32, outcome: Outcome, service: u32, work: u64) {
        if caller == NONE {
            return;
        }
        if self.calls.gen(caller) != caller_gen {
            // The caller gave up (timeout): everything this job did was for nobody.
            self.rec.wasted(service, work);
            return;
        }
        self.calls[caller].result = match outcome {
            Ok(()) => 0,
            Err(c) => c as u8 + 1,
        };
        self.queue
            .schedule_now(self.now, Kind::Reply, caller, caller_gen);
    }
}
