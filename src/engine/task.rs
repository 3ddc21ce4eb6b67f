//! Walking an operation's steps: `Work` holds the worker for a sampled time, `Call` hands
//! over to the client side, `Parallel` spawns a child task per branch and waits for them,
//! `Maybe` goes on into its body (the steps after it) or skips past it.

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
            if t.at == t.end {
                self.finish_task(task, Outcome::Ok);
                return;
            }
            // Deadline propagation: a callee whose caller has given up stops at the next
            // step boundary instead of working for nobody.
            if self.deadlines && self.now >= self.jobs[t.job].deadline {
                self.finish_task(task, Outcome::Failed(Cause::Deadline));
                return;
            }
            let service = t.service as usize;
            let program = &self.model.program;
            match program.steps[t.at as usize] {
                Node::Work(dist) => {
                    let d = if self.perturbed[service] {
                        self.perturbed_work(&t, dist)
                    } else {
                        program.dists[dist as usize].sample(&mut self.service_rng[service])
                    };
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
                    for i in 0..u32::from(count) {
                        let seq = self.model.program.branch(first, i);
                        // A branch that is one call needs no task of its own to walk it.
                        let (at, end) = self.model.program.bounds(seq);
                        match self.model.program.steps[at as usize] {
                            Node::Call { edge, op } if end == at + 1 => {
                                self.start_call(task, edge, op);
                            }
                            _ => self.spawn(task, seq),
                        }
                    }
                    return;
                }
                Node::Maybe {
                    probability,
                    body_len,
                } => {
                    let skip = if self.service_rng[service].random::<f64>() < probability {
                        0
                    } else {
                        body_len
                    };
                    self.tasks[task].at += 1 + skip;
                }
            }
        }
    }

    /// A work time when something changed the service: a scripted latency or slowdown,
    /// or the post-restart warm-up of the job's replica.
    fn perturbed_work(&mut self, t: &Task, dist: u32) -> u64 {
        let s = t.service as usize;
        let d = match self.latency_override[s] {
            Some(step) => match &self.scenario.incident.steps[step as usize].action {
                crate::scenario::incident::Action::SetLatency { latency, .. } => {
                    latency.sample(&mut self.service_rng[s])
                }
                _ => 0,
            },
            None => self.model.program.dists[dist as usize].sample(&mut self.service_rng[s]),
        };
        let mut factor = self.slowdown[s];
        if let Some(m) = self.model.services[s].memory {
            if self.now < self.replicas[self.replica_of(t) as usize].warm_until {
                factor *= m.warmup_slowdown;
            }
        }
        if factor == 1.0 {
            d
        } else {
            (d as f64 * factor).min(8.64e15) as u64
        }
    }

    /// The replica running the task's job (the task keeps its index within the service).
    #[inline]
    pub(crate) fn replica_of(&self, t: &Task) -> u32 {
        self.first_replica[t.service as usize] + u32::from(t.local_replica)
    }

    #[inline]
    fn spawn(&mut self, parent: u32, seq: u32) {
        let template = self.tasks[parent];
        let child = self.new_task(&template, seq, parent);
        self.run_task(child);
    }

    /// A task at the start of sequence `seq`, for the same job as `template` (whose job,
    /// service, replica and class it copies), spawned by `parent` (`NONE` for the job's
    /// root task); its slot is the job's replica's, for a crash to find.
    #[inline(always)]
    pub(crate) fn new_task(&mut self, template: &Task, seq: u32, parent: u32) -> u32 {
        let (at, end) = self.model.program.bounds(seq);
        let replica = self.replica_of(template);
        let task = Task {
            at,
            end,
            parent,
            pending: 0,
            failed: 0,
            ..*template
        };
        self.tasks.alloc(task, replica)
    }

    pub(crate) fn on_work_done(&mut self, task: u32, gen: u32) {
        if self.tasks.gen(task) != gen {
            return;
        }
        self.tasks[task].at += 1;
        self.run_task(task);
    }

    /// A call made by `task` ended (a degraded answer counts as success here; the job
    /// has already been marked degraded).
    pub(crate) fn resume_after_call(&mut self, task: u32, outcome: Outcome) {
        if outcome.is_success() {
            self.tasks[task].at += 1;
            self.run_task(task);
        } else {
            self.finish_task(task, outcome);
        }
    }

    /// A task ended: a root task ends its job; a child reports to its parent, which goes
    /// on once every child is back (failing if any child failed).
    fn finish_task(&mut self, task: u32, outcome: Outcome) {
        let t = self.tasks[task];
        self.tasks.free(task);
        if t.parent == NONE {
            let error_rate = self.model.services[t.service as usize].error_rate;
            let outcome = if outcome.is_success()
                && error_rate > 0.0
                && self.service_rng[t.service as usize].random::<f64>() < error_rate
            {
                Outcome::Failed(Cause::Error)
            } else {
                outcome
            };
            self.finish_job(t.job, outcome);
            return;
        }
        self.branch_done(t.parent, outcome);
    }

    /// Whether `task` waits at a `Parallel` step: a call it made is then one of the
    /// branches (a task at any other step waits on at most the one call of that step).
    pub(crate) fn at_parallel(&self, task: u32) -> bool {
        let at = self.tasks[task].at as usize;
        matches!(self.model.program.steps[at], Node::Parallel { .. })
    }

    /// One branch of `task`'s `Parallel` ended (a child task, or a call the task made as
    /// the branch): the task goes on once every branch is back, failing if any failed.
    pub(crate) fn branch_done(&mut self, task: u32, outcome: Outcome) {
        let p = &mut self.tasks[task];
        if !outcome.is_success() && p.failed == 0 {
            p.failed = outcome.code();
        }
        p.pending -= 1;
        if p.pending > 0 {
            return;
        }
        if p.failed != 0 {
            let failed = Outcome::from_code(p.failed);
            self.finish_task(task, failed);
        } else {
            p.at += 1;
            self.run_task(task);
        }
    }
}
