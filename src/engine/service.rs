//! The service side: admitting a request to a replica (or refusing it), queueing it,
//! giving it a worker, and releasing the worker when it is done.

use super::arena::NONE;
use super::events::Kind;
use super::state::{Job, ReplyTo, Task, NEVER};
use super::Simulation;
use crate::model::{ClassId, QueueDiscipline};
use crate::outcome::{Cause, Outcome};

impl Simulation<'_> {
    /// A request for `op` arrives at `replica`, on behalf of `caller` (a call) or a source.
    pub(crate) fn admit(
        &mut self,
        replica: u32,
        op: u32,
        class: ClassId,
        reply_to: ReplyTo,
        deadline: u64,
    ) {
        let now = self.now;
        let service = self.replicas[replica as usize].service;
        self.rec.arrival(service);
        if self.blackholed[service as usize] {
            // Swallowed without an answer: the caller finds out by its timeout.
            self.rec.refused(service, Cause::Lost);
            return;
        }
        let refusal = self.refusal(replica, class);
        if let Some(cause) = refusal {
            self.rec.refused(service, cause);
            self.reply(reply_to, Outcome::Failed(cause), service, 0);
            return;
        }
        let job = Job {
            replica,
            service,
            op,
            class: class as u16,
            reply_to,
            arrived: now,
            started: 0,
            deadline,
            running: false,
            degraded: false,
        };
        let job = self.jobs.alloc(job, replica);
        if self.tracer.is_some() {
            let trace = if reply_to.is_source() {
                self.arrival_trace
            } else {
                self.caller_trace(reply_to.call)
            };
            self.set_job_trace(job, trace);
        }
        let limited = self.model.services[service as usize]
            .concurrency_limit
            .is_some();
        if limited && !self.take_concurrency_ticket(replica, job) {
            self.jobs.free(job);
            self.rec.refused(service, Cause::Shed);
            self.reply(reply_to, Outcome::Failed(Cause::Shed), service, 0);
            return;
        }
        let svc = &self.model.services[service as usize];
        let r = &mut self.replicas[replica as usize];
        // The new request counts, though it is neither running nor queued yet.
        let outstanding = r.outstanding() + 1;
        let has_worker = r.busy < svc.workers;
        if let Some(m) = svc.memory {
            let used = m.base + m.per_request * u64::from(outstanding);
            self.rec.memory(service, used);
            if used > m.limit {
                // Why an event and not a crash right here? The crash tears down every
                // request of the replica, and we may be deep inside a caller's handler.
                self.queue.schedule_now(now, Kind::Crash, replica, 0);
            }
        }
        self.rec.admitted(service, now);
        if has_worker {
            self.replicas[replica as usize].last_empty = now;
            self.start(job, false);
        } else {
            self.replicas[replica as usize].queue.push_back(job);
            self.rec.enqueued(service, now);
        }
    }

    /// Why a replica turns a request away at the door, if it does.
    fn refusal(&mut self, replica: u32, class: ClassId) -> Option<Cause> {
        let r = &self.replicas[replica as usize];
        let svc = &self.model.services[r.service as usize];
        if !r.up {
            return Some(Cause::Crashed);
        }
        let full = r.busy >= svc.workers && r.queue.len() as u64 >= svc.queue_capacity;
        // The service's own settings say whether a limiter exists; looking there first
        // spares loading the per-replica policy state of every admitted request.
        let limited = svc.rate_limit.is_some();
        if let Some(cause) = limited.then(|| self.ingress_refusal(replica)).flatten() {
            Some(cause)
        } else if self.sheds(replica, class) {
            Some(Cause::Shed)
        } else if full {
            Some(Cause::Rejected)
        } else {
            None
        }
    }

    /// Priority load shedding: the i-th listed class is shed once the queue is fuller than
    /// `share + i·(1 − share)/n` of its capacity, so the first-listed class goes first.
    fn sheds(&self, replica: u32, class: ClassId) -> bool {
        let r = &self.replicas[replica as usize];
        let svc = &self.model.services[r.service as usize];
        let Some(shed) = &svc.shed else { return false };
        let Some(rank) = shed.classes.iter().position(|c| *c == class) else {
            return false;
        };
        let n = shed.classes.len() as f64;
        let threshold = shed.share + rank as f64 * (1.0 - shed.share) / n;
        r.queue.len() as f64 >= threshold * svc.queue_capacity as f64
    }

    fn start(&mut self, job: u32, from_queue: bool) {
        let task = self.take_worker(job, from_queue);
        self.run_task(task);
    }

    /// Give the job a worker and its root task; the task is not run yet.
    #[inline(always)]
    fn take_worker(&mut self, job: u32, from_queue: bool) -> u32 {
        let now = self.now;
        let j = &mut self.jobs[job];
        j.started = now;
        j.running = true;
        let (replica, service, op, waited) = (j.replica, j.service, j.op, now - j.arrived);
        let (class, reply_to) = (j.class, j.reply_to);
        // The caller's call (and its dense generation, which the answer checks first),
        // task and job are read when this job answers, often a few dozen events from now
        // and long after they were last touched: start loading them into the cache now,
        // while there is time. (`reply_to_call` asks again.)
        if !reply_to.is_source() {
            self.calls.prefetch_gen(reply_to.call);
            self.prefetch_caller(reply_to);
        }
        // What every task of the job copies, positioned by `new_task`. Replica and class
        // fit 16 bits: at most `MAX_REPLICAS` replicas a service, `MAX_CLASSES` classes.
        let template = Task {
            job,
            service,
            local_replica: (replica - self.first_replica[service as usize]) as u16,
            class,
            at: 0,
            end: 0,
            parent: NONE,
            pending: 0,
            failed: 0,
        };
        self.replicas[replica as usize].busy += 1;
        self.rec.started(service, now, waited, from_queue);
        let body = self.model.operations[op as usize].body;
        self.new_task(&template, body, NONE)
    }

    /// The job's root task ended: release the worker, answer the caller, start the next.
    pub(crate) fn finish_job(&mut self, job: u32, outcome: Outcome) {
        let now = self.now;
        let j = &self.jobs[job];
        let (replica, service, reply_to) = (j.replica, j.service, j.reply_to);
        let (arrived, started) = (j.arrived, j.started);
        let outcome = match outcome {
            Outcome::Ok if j.degraded => Outcome::Degraded,
            o => o,
        };
        self.return_concurrency_ticket(replica, job, outcome.is_success());
        if self.tracer.is_some() {
            self.trace_request(job, self.now, outcome);
        }
        self.jobs.free(job);
        self.replicas[replica as usize].busy -= 1;
        self.rec.departed(service, now, now - arrived, outcome);
        self.reply(reply_to, outcome, service, now - started);
        self.start_next(replica);
    }

    /// Give the freed worker to the next queued request, dropping those that waited too
    /// long (queue timeout, CoDel) or whose caller has already given up.
    #[inline(always)]
    pub(crate) fn start_next(&mut self, replica: u32) {
        let now = self.now;
        let service = self.replicas[replica as usize].service;
        let svc = &self.model.services[service as usize];
        let (discipline, queue_timeout) = (svc.discipline, svc.queue_timeout.unwrap_or(NEVER));
        loop {
            let r = &mut self.replicas[replica as usize];
            let (next, limit) = match discipline {
                QueueDiscipline::Fifo => (r.queue.pop_front(), queue_timeout),
                QueueDiscipline::Lifo => (r.queue.pop_back(), queue_timeout),
                QueueDiscipline::CoDel {
                    target,
                    interval,
                    adaptive_lifo,
                } => {
                    // A standing queue: not empty at any moment of the last interval.
                    let standing = now.saturating_sub(r.last_empty) > interval;
                    let next = if standing && adaptive_lifo {
                        r.queue.pop_back()
                    } else {
                        r.queue.pop_front()
                    };
                    (
                        next,
                        queue_timeout.min(if standing { target } else { interval }),
                    )
                }
            };
            if r.queue.is_empty() {
                r.last_empty = now;
            }
            // The request after this one is started by the next worker to free up: have
            // its record in the cache by then.
            let after = match discipline {
                QueueDiscipline::Lifo => r.queue.back(),
                _ => r.queue.front(),
            };
            if let Some(&after) = after {
                self.jobs.prefetch(after);
            }
            let Some(next) = next else { return };
            let j = self.jobs[next];
            let cause = if now >= j.deadline {
                Some(Cause::Deadline)
            } else if now - j.arrived > limit {
                Some(Cause::QueueTimeout)
            } else {
                None
            };
            match cause {
                Some(cause) => self.drop_queued(next, cause),
                None => {
                    // The next request takes the worker at once, so nothing can overtake
                    // it; only running its steps is deferred (see `run_ready`).
                    let task = self.take_worker(next, true);
                    self.run_ready(task);
                    return;
                }
            }
        }
    }

    /// Run the root task of a queued request that has just taken a worker.
    ///
    /// Why not run it at once? A queued request can end the instant it starts (an empty
    /// operation, a call failing at once on a full pool), freeing the worker for the one
    /// after it: running each from the previous one's `finish_job` would recurse as deep
    /// as the queue is long and overflow the stack. The outermost call runs them in order.
    fn run_ready(&mut self, task: u32) {
        if self.running_ready {
            self.ready_tasks.push((task, self.tasks.gen(task)));
            return;
        }
        self.running_ready = true;
        self.run_task(task);
        let mut i = 0;
        while i < self.ready_tasks.len() {
            let (task, gen) = self.ready_tasks[i];
            i += 1;
            // A crash of its replica in the meantime freed the task: nothing to run.
            if self.tasks.gen(task) == gen {
                self.run_task(task);
            }
        }
        self.ready_tasks.clear();
        self.running_ready = false;
    }

    /// A queued request leaves without having run.
    pub(crate) fn drop_queued(&mut self, job: u32, cause: Cause) {
        if self.tracer.is_some() {
            self.trace_request(job, self.now, Outcome::Failed(cause));
        }
        self.return_concurrency_ticket(self.jobs[job].replica, job, false);
        let j = self.jobs[job];
        self.jobs.free(job);
        self.rec
            .dropped(j.service, self.now, self.now - j.arrived, cause);
        self.reply(j.reply_to, Outcome::Failed(cause), j.service, 0);
    }

    /// Deliver a job's outcome to the call that sent it, if that call still waits for it,
    /// or to the outside world for a request from a source.
    #[inline(always)]
    pub(crate) fn reply(&mut self, to: ReplyTo, outcome: Outcome, service: u32, work: u64) {
        if to.is_source() {
            self.entry_answered(service, outcome);
        } else {
            self.reply_to_call(to, outcome, service, work);
        }
    }

    /// The reply is an event at the current instant (see `EventQueue::now_lane`).
    /// Inlined: every answer to a call comes through here.
    #[inline(always)]
    fn reply_to_call(&mut self, to: ReplyTo, outcome: Outcome, service: u32, work: u64) {
        if !self.calls.is_current(to.call, to.gen) {
            // The caller gave up (timeout): everything this job did was for nobody.
            self.rec.wasted(service, work);
            return;
        }
        // The reply's event reads the call, then goes on with its task and job, which
        // have not been touched since the call was sent: start loading all three now.
        self.prefetch_caller(to);
        // And one level up: the caller's own answer is often the next thing it does (a
        // service whose last step is this call), and its caller's records are colder
        // still, untouched since that caller sent its call, seconds ago in a cascade.
        // The caller's job was loaded when this job started (`take_worker`), so reading
        // its reply address here rarely waits; loading its caller's three records now
        // rather than when the caller answers gives them an event's time to arrive. (The
        // caller's job is live: the call is, and a task ends only once its calls are back.)
        let up = self.jobs[to.job].reply_to;
        if !up.is_source() {
            self.prefetch_caller(up);
        }
        let reply = Kind::Reply {
            outcome: outcome.code(),
        };
        self.queue.schedule_now(self.now, reply, to.call, to.gen);
    }

    /// Ask the CPU to start loading the records an answer to `to` reads: the call, the
    /// task that made it and that task's job.
    #[inline(always)]
    fn prefetch_caller(&self, to: ReplyTo) {
        self.calls.prefetch(to.call);
        self.tasks.prefetch(to.task);
        self.jobs.prefetch(to.job);
    }
}
