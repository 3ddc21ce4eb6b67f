//! The recorder: the engine tells it what happened, it keeps counts.
//!
//! Why windows first and totals by folding? Every event updates one set of counters (the
//! current window's); totals are the sum of the windows after the warm-up, added once per
//! window. The warm-up is a whole number of windows, so nothing straddles it.

use super::Histogram;
use crate::outcome::Cause;

#[derive(Clone, Default)]
pub struct ServiceCounters {
    pub arrivals: u64,
    /// Requests that finished successfully.
    pub completed: u64,
    pub errors: [u64; Cause::COUNT],
    /// Sum of response times of successful requests [ns].
    pub response_ns: u128,
    /// Requests that left after being admitted (success or failure), and their time in system.
    pub departed: u64,
    pub sojourn_ns: u128,
    pub started: u64,
    pub queue_wait_ns: u128,
    /// Started requests that had to wait in the queue.
    pub waited: u64,
    /// Time integrals [ns × count] of busy workers, requests in system and queue length.
    pub busy_area: u128,
    pub in_system_area: u128,
    pub queue_area: u128,
    pub max_queue: u64,
    /// Work finished for callers that had already given up [ns].
    pub wasted_ns: u128,
    /// Latency of successful requests.
    pub latency: Histogram,
}

impl ServiceCounters {
    fn fold(&mut self, w: &ServiceCounters) {
        self.arrivals += w.arrivals;
        self.completed += w.completed;
        for (a, b) in self.errors.iter_mut().zip(w.errors) {
            *a += b;
        }
        self.response_ns += w.response_ns;
        self.departed += w.departed;
        self.sojourn_ns += w.sojourn_ns;
        self.started += w.started;
        self.queue_wait_ns += w.queue_wait_ns;
        self.waited += w.waited;
        self.busy_area += w.busy_area;
        self.in_system_area += w.in_system_area;
        self.queue_area += w.queue_area;
        self.max_queue = self.max_queue.max(w.max_queue);
        self.wasted_ns += w.wasted_ns;
        self.latency.merge(&w.latency);
    }

    /// Zero every counter, keeping the histogram's allocation (a fresh one would cost a
    /// 30 KB allocation per service per window).
    fn reset(&mut self) {
        let ServiceCounters {
            arrivals,
            completed,
            errors,
            response_ns,
            departed,
            sojourn_ns,
            started,
            queue_wait_ns,
            waited,
            busy_area,
            in_system_area,
            queue_area,
            max_queue,
            wasted_ns,
            latency,
        } = self;
        (
            *arrivals, *completed, *departed, *started, *waited, *max_queue,
        ) = (0, 0, 0, 0, 0, 0);
        (
            *response_ns,
            *sojourn_ns,
            *queue_wait_ns,
            *busy_area,
            *in_system_area,
            *queue_area,
            *wasted_ns,
        ) = (0, 0, 0, 0, 0, 0, 0);
        *errors = [0; Cause::COUNT];
        latency.clear();
    }

    pub fn failed(&self) -> u64 {
        self.errors.iter().sum()
    }
}

#[derive(Clone, Copy, Default)]
pub struct EdgeCounters {
    /// Logical calls made by the caller's operations.
    pub calls: u64,
    /// Requests actually sent to a callee replica.
    pub attempts: u64,
    pub pool_acquired: u64,
    pub pool_wait_ns: u128,
    pub pool_timeouts: u64,
    pub timeouts: u64,
    pub errors: u64,
}

impl EdgeCounters {
    fn fold(&mut self, w: &EdgeCounters) {
        self.calls += w.calls;
        self.attempts += w.attempts;
        self.pool_acquired += w.pool_acquired;
        self.pool_wait_ns += w.pool_wait_ns;
        self.pool_timeouts += w.pool_timeouts;
        self.timeouts += w.timeouts;
        self.errors += w.errors;
    }
}

/// Instantaneous levels of one service (all replicas), integrated over time.
#[derive(Clone, Copy, Default)]
struct Levels {
    busy: u64,
    in_system: u64,
    queued: u64,
    since: u64,
}

/// One row of `metrics.csv`: a service during one window.
#[derive(Clone)]
pub struct ServiceRow {
    pub window_start: u64,
    pub window_end: u64,
    pub service: u32,
    pub arrivals: u64,
    pub completed: u64,
    pub errors: [u64; Cause::COUNT],
    pub p50: Option<u64>,
    pub p95: Option<u64>,
    pub p99: Option<u64>,
    pub mean_response_s: Option<f64>,
    /// Mean busy workers / capacity over the window.
    pub utilization: f64,
    pub queue_max: u64,
    pub queue_end: u64,
    pub in_flight_end: u64,
}

pub struct Recorder {
    pub warmup: u64,
    window: Vec<ServiceCounters>,
    pub totals: Vec<ServiceCounters>,
    edge_window: Vec<EdgeCounters>,
    pub edge_totals: Vec<EdgeCounters>,
    levels: Vec<Levels>,
    capacity: Vec<u64>,
    pub rows: Vec<ServiceRow>,
    window_start: u64,
}

impl Recorder {
    /// `capacity[s]` is the worker count of service `s` over all replicas.
    pub fn new(capacity: Vec<u64>, edges: usize, warmup: u64) -> Self {
        let n = capacity.len();
        Recorder {
            warmup,
            window: (0..n).map(|_| ServiceCounters::default()).collect(),
            totals: (0..n).map(|_| ServiceCounters::default()).collect(),
            edge_window: vec![EdgeCounters::default(); edges],
            edge_totals: vec![EdgeCounters::default(); edges],
            levels: vec![Levels::default(); n],
            capacity,
            rows: Vec::new(),
            window_start: 0,
        }
    }

    #[inline]
    fn integrate(&mut self, s: u32, now: u64) {
        let l = &mut self.levels[s as usize];
        let dt = u128::from(now - l.since);
        if dt > 0 {
            let w = &mut self.window[s as usize];
            w.busy_area += u128::from(l.busy) * dt;
            w.in_system_area += u128::from(l.in_system) * dt;
            w.queue_area += u128::from(l.queued) * dt;
            l.since = now;
        }
    }

    #[inline]
    pub fn arrival(&mut self, s: u32) {
        self.window[s as usize].arrivals += 1;
    }

    #[inline]
    pub fn admitted(&mut self, s: u32, now: u64) {
        self.integrate(s, now);
        self.levels[s as usize].in_system += 1;
    }

    #[inline]
    pub fn enqueued(&mut self, s: u32, now: u64) {
        self.integrate(s, now);
        let l = &mut self.levels[s as usize];
        l.queued += 1;
        let q = l.queued;
        let w = &mut self.window[s as usize];
        w.max_queue = w.max_queue.max(q);
    }

    #[inline]
    pub fn started(&mut self, s: u32, now: u64, queue_wait: u64, from_queue: bool) {
        self.integrate(s, now);
        let l = &mut self.levels[s as usize];
        l.busy += 1;
        if from_queue {
            l.queued -= 1;
        }
        let w = &mut self.window[s as usize];
        w.started += 1;
        w.queue_wait_ns += u128::from(queue_wait);
        w.waited += u64::from(from_queue);
    }

    #[inline]
    pub fn rejected(&mut self, s: u32) {
        self.window[s as usize].errors[Cause::Rejected as usize] += 1;
    }

    /// A started request left its service after `sojourn` ns.
    #[inline]
    pub fn departed(&mut self, s: u32, now: u64, sojourn: u64, outcome: Result<(), Cause>) {
        self.integrate(s, now);
        let l = &mut self.levels[s as usize];
        l.busy -= 1;
        l.in_system -= 1;
        let w = &mut self.window[s as usize];
        w.departed += 1;
        w.sojourn_ns += u128::from(sojourn);
        match outcome {
            Ok(()) => {
                w.completed += 1;
                w.response_ns += u128::from(sojourn);
                w.latency.record(sojourn);
            }
            Err(c) => w.errors[c as usize] += 1,
        }
    }

    #[inline]
    pub fn wasted(&mut self, s: u32, work: u64) {
        self.window[s as usize].wasted_ns += u128::from(work);
    }

    #[inline]
    pub fn edge(&mut self, e: u32) -> &mut EdgeCounters {
        &mut self.edge_window[e as usize]
    }

    /// Close the window ending at `now`: emit its rows and, past the warm-up, fold it
    /// into the totals.
    pub fn close_window(&mut self, now: u64) {
        let span = now.saturating_sub(self.window_start).max(1);
        for s in 0..self.window.len() {
            self.integrate(s as u32, now);
            let w = &self.window[s];
            let l = self.levels[s];
            let [p50, p95, p99] = w.latency.quantiles([0.50, 0.95, 0.99]);
            self.rows.push(ServiceRow {
                window_start: self.window_start,
                window_end: now,
                service: s as u32,
                arrivals: w.arrivals,
                completed: w.completed,
                errors: w.errors,
                p50,
                p95,
                p99,
                mean_response_s: (w.completed > 0)
                    .then(|| w.response_ns as f64 / w.completed as f64 / 1e9),
                utilization: w.busy_area as f64 / (span as f64 * self.capacity[s] as f64),
                queue_max: w.max_queue.max(l.queued),
                queue_end: l.queued,
                in_flight_end: l.in_system,
            });
            if self.window_start >= self.warmup {
                self.totals[s].fold(&self.window[s]);
            }
            self.window[s].reset();
            // The queue carried into the next window counts towards its maximum.
            self.window[s].max_queue = l.queued;
        }
        for e in 0..self.edge_window.len() {
            if self.window_start >= self.warmup {
                let w = self.edge_window[e];
                self.edge_totals[e].fold(&w);
            }
            self.edge_window[e] = EdgeCounters::default();
        }
        self.window_start = now;
    }

    /// Requests currently in the system at service `s`.
    pub fn in_system(&self, s: u32) -> u64 {
        self.levels[s as usize].in_system
    }
}
