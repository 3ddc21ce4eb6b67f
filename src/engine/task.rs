//! Walking an operation's steps: `Work` holds the worker for a sampled time, `Call` hands
//! over to the client side, `Parallel` and `Maybe` spawn child tasks and wait for them.

use super::arena::NONE;
use super::events::Kind;
use super::state::Task;
use super::Simulation;
use crate::model::Node;
use crate::outcome::{Cause, Outcome};
use rand::Rng;

impl Simulation<'_> {
    /// Run a task from its current position until it waits on something or ends.
    pub(crate) fn run_task(&mut self, task: u32) {
        loop {
            let t = self.tasks[task];
            let program = &self.model.program;
            if t.pos == program.seq_len(t.seq) {
                self.finish_task(task, Ok(()));
                return;
            }
            let service = t.service as usize;
            match *program.node_at(t.seq, t.pos) {
                Node::Work(dist) => {
                    let d = program.dists[dist as usize].sample(&mut self.service_rng[service]);
                    let gen = self.tasks.gen(task);
                    self.queue.schedule(self.now + d, Kind::WorkDone, task, gen);
                    return;
                }
                Node::Call { edge, op } => {
                    self.start_call(task, edge, op);
                    return;
                }
                Node::Parallel { first, count } => {
                    self.tasks[task].pending = count;
                    for i in 0..count {
                        let seq = self.model.program.branch(first, i);
                        self.spawn(task, seq);
                    }
                    return;
                }
                Node::Maybe { probability, body } => {
                    if self.service_rng[service].random::<f64>() < probability {
                        self.tasks[task].pending = 1;
                        self.spawn(task, body);
                        return;
                    }
                    self.tasks[task].pos += 1;
                }
            }
        }
    }

    fn spawn(&mut self, parent: u32, seq: u32) {
        let Task { job, service, .. } = self.tasks[parent];
        let child = self.tasks.alloc(Task {
            job,
            service,
            seq,
            pos: 0,
            parent,
            pending: 0,
            failed: 0,
        });
        self.run_task(child);
    }

    pub(crate) fn on_work_done(&mut self, task: u32, gen: u32) {
        if self.tasks.gen(task) != gen {
            return;
        }
        self.tasks[task].pos += 1;
        self.run_task(task);
    }

    /// A call made by `task` ended.
    pub(crate) fn resume_after_call(&mut self, task: u32, outcome: Outcome) {
        match outcome {
            Ok(()) => {
                self.tasks[task].pos += 1;
                self.run_task(task);
            }
            Err(cause) => self.finish_task(task, Err(cause)),
        }
    }

    /// A task ended: a root task ends its job; a child reports to its parent, which goes
    /// on once every child is back (failing if any child failed).
    fn finish_task(&mut self, task: u32, outcome: Outcome) {
        let t = self.tasks[task];
        self.tasks.free(task);
        if t.parent == NONE {
            self.finish_job(t.job, outcome);
            return;
        }
        let p = &mut self.tasks[t.parent];
        if let Err(c) = outcome {
            if p.failed == 0 {
                p.failed = c as u8 + 1;
            }
        }
        p.pending -= 1;
        if p.pending > 0 {
            return;
        }
        if p.failed != 0 {
            let cause = cause_from_code(p.failed);
            self.finish_task(t.parent, Err(cause));
        } else {
            p.pos += 1;
            self.run_task(t.parent);
        }
    }
}

pub(crate) fn cause_from_code(code: u8) -> Cause {
    Cause::ALL[(code - 1) as usize]
}
