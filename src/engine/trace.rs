//! Request traces: a seeded sample of external requests is followed through the system,
//! one span per request at a service and one per call attempt, all on the request's own
//! track (its correlation id), so that spans nest by call in a trace viewer.

use super::arena::{SlotTable, NONE};
use super::rng::{stream, Stream};
use super::Simulation;
use crate::outcome::Outcome;
use rand::Rng;

/// Spans kept at most; a run that would record more stops tracing and says so.
pub const MAX_SPANS: usize = 1_000_000;

#[derive(Debug, Clone, Copy)]
pub enum SpanOf {
    /// A request served by a service operation.
    Request { op: u32 },
    /// One attempt of a call over an edge (`retry` 0 is the first try).
    Attempt { edge: u32, retry: u32 },
}

#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub of: SpanOf,
    /// Correlation id of the external request.
    pub trace: u32,
    pub start: u64,
    pub end: u64,
    pub outcome: Outcome,
}

pub struct Tracer {
    rate: f64,
    rng: Stream,
    next_id: u32,
    pub spans: Vec<Span>,
    pub truncated: bool,
    /// Per job slot: the correlation id of the request it serves, if traced.
    jobs: SlotTable<u32>,
}

impl Tracer {
    pub fn new(seed: u64, rate: f64) -> Self {
        Tracer {
            rate,
            rng: stream(seed, "trace"),
            next_id: 1,
            spans: Vec::new(),
            truncated: false,
            jobs: SlotTable::default(),
        }
    }

    /// A new correlation id if this external request is sampled, else `NONE`.
    fn sample(&mut self) -> u32 {
        if self.rng.random::<f64>() < self.rate {
            self.next_id += 1;
            self.next_id - 1
        } else {
            NONE
        }
    }

    fn push(&mut self, span: Span) {
        if self.spans.len() < MAX_SPANS {
            self.spans.push(span);
        } else {
            self.truncated = true;
        }
    }
}

impl Simulation<'_> {
    /// Follow a share `rate` (0–1) of external requests; call before running.
    pub fn trace(&mut self, rate: f64) {
        self.tracer = Some(Tracer::new(self.scenario.seed, rate.clamp(0.0, 1.0)));
    }

    /// The correlation id a callee's request inherits from the call that sent it.
    #[inline]
    pub(crate) fn caller_trace(&self, caller: u32) -> u32 {
        if caller == NONE {
            return NONE;
        }
        self.job_trace(self.calls[caller].job)
    }

    /// The correlation id of a job's request (`NONE` if it is not traced).
    fn job_trace(&self, job: u32) -> u32 {
        self.tracer
            .as_ref()
            .and_then(|t| t.jobs.get(job))
            .unwrap_or(NONE)
    }

    /// Note a newly admitted job's correlation id (`NONE` if not traced).
    pub(crate) fn set_job_trace(&mut self, job: u32, trace: u32) {
        if let Some(t) = &mut self.tracer {
            t.jobs.set(job, (trace != NONE).then_some(trace));
        }
    }

    pub(crate) fn sample_trace(&mut self) -> u32 {
        self.tracer.as_mut().map_or(NONE, Tracer::sample)
    }

    pub(crate) fn trace_request(&mut self, job: u32, end: u64, outcome: Outcome) {
        let trace = self.job_trace(job);
        if trace == NONE {
            return;
        }
        let j = &self.jobs[job];
        let span = Span {
            of: SpanOf::Request { op: j.op },
            trace,
            start: j.arrived,
            end,
            outcome,
        };
        if let Some(t) = &mut self.tracer {
            t.push(span);
        }
    }

    pub(crate) fn trace_attempt(&mut self, call: u32, start: u64, outcome: Outcome) {
        if self.tracer.is_none() {
            return;
        }
        let c = self.calls[call];
        let trace = self.job_trace(c.job);
        if trace == NONE {
            return;
        }
        let span = Span {
            of: SpanOf::Attempt {
                edge: c.edge,
                retry: u32::from(c.sends.saturating_sub(1)),
            },
            trace,
            start,
            end: self.now,
            outcome,
        };
        if let Some(t) = &mut self.tracer {
            t.push(span);
        }
    }
}
