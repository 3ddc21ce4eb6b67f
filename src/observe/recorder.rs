//! The recorder: the engine tells it what happened, it keeps counts.
//!
//! Why windows first and totals by folding? Every event updates one set of counters (the
//! current window's); totals are the sum of the windows after the warm-up, added once per
//! window. The warm-up is a whole number of windows, so nothing straddles it.
//!
//! Why are the time integrals (busy workers, queue, requests in system, capacity) kept
//! as "until the window's planned end"? A level that rises by one at `t` adds
//! `end − t` to its area and one that falls takes it back off: one addition per change,
//! with no clock to carry and no multiplication, instead of multiplying every level by
//! the time since the last change. A window closed early (a run stopped) takes off what
//! the levels would still have added.

use super::counters::{EdgeCounters, ServiceCounters};
use super::rows::{EdgeRow, ServiceRow};
use super::timeline::{DetectedKind, Timeline};
use crate::model::Model;
use crate::outcome::{Cause, Outcome};

/// Instantaneous levels of one service (all replicas), integrated over time.
#[derive(Clone, Copy, Default)]
struct Levels {
    /// Workers over all replicas (changes with scripted actions).
    capacity: u64,
    busy: u64,
    in_system: u64,
    queued: u64,
}

/// What changes as a service runs: its current window's counters and its levels, side by
/// side. Most updates change both, and one record per service is one bounds check and
/// one cache line less than two.
struct LiveService {
    window: ServiceCounters,
    levels: Levels,
}

/// Latencies of successful departures not yet in the histograms, per service. Why not
/// record each at once? A departure's two histogram buckets (the window's and the run's)
/// are two random cache lines in some 40 KB per service, missed one after the other in
/// the middle of the event's work; written here, they cost one sequential store, and a
/// full list goes into the histograms in one tight loop whose misses overlap.
struct PendingLatencies {
    values: [u64; PENDING],
    len: usize,
}

/// Latencies a service holds before they go into its histograms.
const PENDING: usize = 64;

pub struct Recorder {
    pub warmup: u64,
    live: Vec<LiveService>,
    pending: Vec<PendingLatencies>,
    pub totals: Vec<ServiceCounters>,
    edge_window: Vec<EdgeCounters>,
    pub edge_totals: Vec<EdgeCounters>,
    /// Replicas up, sampled at the end of each window.
    replicas_up: Vec<u32>,
    pub rows: Vec<ServiceRow>,
    pub edge_rows: Vec<EdgeRow>,
    pub timeline: Timeline,
    window_start: u64,
    /// The current window counts towards the totals (it starts after the warm-up).
    counting: bool,
    /// When the current window is planned to end (the areas are counted up to it).
    window_end: u64,
}

impl Recorder {
    /// `capacity[s]` is the worker count of service `s` over all replicas; the first
    /// window runs from 0 to `first_end`.
    pub fn new(model: &Model, capacity: Vec<u64>, warmup: u64, first_end: u64) -> Self {
        let n = capacity.len();
        let edges = model.edges.len();
        let mut rec = Recorder {
            warmup,
            live: capacity
                .iter()
                .map(|c| LiveService {
                    window: ServiceCounters::for_window(),
                    levels: Levels {
                        capacity: *c,
                        ..Levels::default()
                    },
                })
                .collect(),
            pending: (0..n)
                .map(|_| PendingLatencies {
                    values: [0; PENDING],
                    len: 0,
                })
                .collect(),
            totals: (0..n).map(|_| ServiceCounters::default()).collect(),
            edge_window: vec![EdgeCounters::default(); edges],
            edge_totals: vec![EdgeCounters::default(); edges],
            replicas_up: vec![0; n],
            rows: Vec::new(),
            edge_rows: Vec::new(),
            timeline: Timeline::default(),
            window_start: 0,
            counting: warmup == 0,
            window_end: first_end,
        };
        for s in 0..n {
            rec.open_areas(s, 0);
        }
        rec
    }

    /// Time left until the window's planned end: what one unit of a level adds to its
    /// area from now on.
    #[inline]
    fn time_left_in_window(&self, now: u64) -> u128 {
        u128::from(self.window_end.saturating_sub(now))
    }

    /// A new window's areas: the levels it starts with, held from `start` to its end.
    fn open_areas(&mut self, s: usize, start: u64) {
        let LiveService {
            window: w,
            levels: l,
        } = &mut self.live[s];
        let span = self.window_end.saturating_sub(start);
        w.busy_area = u128::from(l.busy) * u128::from(span);
        w.in_system_area = u128::from(l.in_system) * u128::from(span);
        w.queue_area = u128::from(l.queued) * u128::from(span);
        w.capacity_area = u128::from(l.capacity) * u128::from(span);
    }

    /// A window closed at `now`, before its planned end: take off what the levels would
    /// have added after `now`.
    fn close_areas(&mut self, s: usize, now: u64) {
        let LiveService {
            window: w,
            levels: l,
        } = &mut self.live[s];
        let rest = u128::from(self.window_end.saturating_sub(now));
        w.busy_area -= u128::from(l.busy) * rest;
        w.in_system_area -= u128::from(l.in_system) * rest;
        w.queue_area -= u128::from(l.queued) * rest;
        w.capacity_area -= u128::from(l.capacity) * rest;
    }

    #[inline]
    pub fn arrival(&mut self, s: u32) {
        self.live[s as usize].window.arrivals += 1;
    }

    /// Turned away at the door (never admitted): counted as an arrival that failed.
    #[inline]
    pub fn refused(&mut self, s: u32, cause: Cause) {
        self.live[s as usize].window.errors[cause as usize] += 1;
    }

    #[inline]
    pub fn admitted(&mut self, s: u32, now: u64) {
        let rest = self.time_left_in_window(now);
        let c = &mut self.live[s as usize];
        c.levels.in_system += 1;
        c.window.in_system_area += rest;
    }

    #[inline]
    pub fn enqueued(&mut self, s: u32, now: u64) {
        let rest = self.time_left_in_window(now);
        let LiveService {
            window: w,
            levels: l,
        } = &mut self.live[s as usize];
        l.queued += 1;
        let q = l.queued;
        w.queue_area += rest;
        w.max_queue = w.max_queue.max(q);
    }

    #[inline]
    pub fn started(&mut self, s: u32, now: u64, queue_wait: u64, from_queue: bool) {
        let rest = self.time_left_in_window(now);
        let LiveService {
            window: w,
            levels: l,
        } = &mut self.live[s as usize];
        l.busy += 1;
        w.busy_area += rest;
        if from_queue {
            l.queued -= 1;
            w.queue_area -= rest;
        }
        w.started += 1;
        w.queue_wait_ns += u128::from(queue_wait);
        w.waited += u64::from(from_queue);
    }

    /// A running request left its service after `sojourn` ns.
    #[inline]
    pub fn departed(&mut self, s: u32, now: u64, sojourn: u64, outcome: Outcome) {
        let rest = self.time_left_in_window(now);
        let LiveService {
            window: w,
            levels: l,
        } = &mut self.live[s as usize];
        l.busy -= 1;
        l.in_system -= 1;
        w.busy_area -= rest;
        w.in_system_area -= rest;
        w.left(sojourn, outcome);
        if outcome.is_success() {
            let p = &mut self.pending[s as usize];
            p.values[p.len] = sojourn;
            p.len += 1;
            if p.len == PENDING {
                self.record_latencies(s as usize);
            }
        }
    }

    /// Move service `s`'s pending latencies into its window's histogram and, once the
    /// warm-up is over, its run's. (`counting` only changes when a window closes, after
    /// the pending latencies have gone in: each goes where it would have at once.)
    fn record_latencies(&mut self, s: usize) {
        let p = &mut self.pending[s];
        let window = &mut self.live[s].window.latency;
        for &v in &p.values[..p.len] {
            window.record(v);
        }
        if self.counting {
            let total = &mut self.totals[s].latency;
            for &v in &p.values[..p.len] {
                total.record(v);
            }
        }
        p.len = 0;
    }

    /// Every pending latency into the histograms: before they are read.
    pub fn record_pending_latencies(&mut self) {
        for s in 0..self.pending.len() {
            self.record_latencies(s);
        }
    }

    /// A queued request left without running.
    pub fn dropped(&mut self, s: u32, now: u64, sojourn: u64, cause: Cause) {
        let rest = self.time_left_in_window(now);
        let LiveService {
            window: w,
            levels: l,
        } = &mut self.live[s as usize];
        l.queued -= 1;
        l.in_system -= 1;
        w.queue_area -= rest;
        w.in_system_area -= rest;
        w.left(sojourn, Outcome::Failed(cause));
    }

    #[inline]
    pub fn wasted(&mut self, s: u32, work: u64) {
        self.live[s as usize].window.wasted_ns += u128::from(work);
    }

    #[inline]
    pub fn memory(&mut self, s: u32, bytes: u64) {
        let w = &mut self.live[s as usize].window;
        w.memory_max = w.memory_max.max(bytes);
    }

    pub fn crashed(&mut self, s: u32) {
        self.live[s as usize].window.crashes += 1;
    }

    pub fn restarted(&mut self, s: u32) {
        self.live[s as usize].window.restarts += 1;
    }

    pub fn replica_up(&mut self, s: u32, up: bool) {
        self.replicas_up[s as usize] += u32::from(up);
    }

    #[inline]
    pub fn edge(&mut self, e: u32) -> &mut EdgeCounters {
        &mut self.edge_window[e as usize]
    }

    pub fn chaos_hit(&mut self, e: u32) {
        self.edge_window[e as usize].chaos_hits += 1;
    }

    #[inline]
    pub fn attempt_failed(&mut self, e: u32, cause: Cause) {
        self.edge_window[e as usize].attempt_failures[cause as usize] += 1;
    }

    #[inline]
    pub fn call_done(&mut self, e: u32, outcome: Outcome, duration: u64) {
        self.edge_window[e as usize].call_done(outcome, duration);
    }

    /// A pool's or bulkhead's level: slots in use and callers waiting.
    #[inline]
    pub fn gate_level(&mut self, e: u32, is_pool: bool, in_use: u32, waiting: u32) {
        let w = &mut self.edge_window[e as usize];
        if is_pool {
            w.pool_in_use_max = w.pool_in_use_max.max(in_use);
            w.pool_waiters_max = w.pool_waiters_max.max(waiting);
        } else {
            w.bulkhead_in_use_max = w.bulkhead_in_use_max.max(in_use);
        }
    }

    pub fn breaker_state(&mut self, e: u32, state: u8, transitions: u64) {
        let w = &mut self.edge_window[e as usize];
        w.breaker_state = state;
        w.breaker_transitions += transitions;
    }

    /// A detector noticed something about a service (and an edge, or `u32::MAX`).
    pub fn detected(&mut self, at: u64, kind: DetectedKind, service: u32, edge: u32) -> bool {
        self.timeline.detected(at, kind, service, edge, 0)
    }

    /// Workers over all replicas changed (a scripted action): utilisation is measured
    /// against the new capacity from now on.
    pub fn set_capacity(&mut self, s: u32, now: u64, workers: u64) {
        let rest = self.time_left_in_window(now);
        let LiveService {
            window: w,
            levels: l,
        } = &mut self.live[s as usize];
        // Add before taking off, so that the unsigned area never dips below zero.
        w.capacity_area += u128::from(workers) * rest;
        w.capacity_area -= u128::from(l.capacity) * rest;
        l.capacity = workers;
    }

    pub fn window_start(&self) -> u64 {
        self.window_start
    }

    /// Close the window ending at `now`: emit its rows and, past the warm-up, fold it
    /// into the totals. The next window is planned to end at `next_end`.
    pub fn close_window(&mut self, now: u64, next_end: u64) {
        self.record_pending_latencies();
        let counted = self.window_start >= self.warmup;
        for s in 0..self.live.len() {
            self.close_areas(s, now);
            let LiveService {
                window: w,
                levels: l,
            } = &mut self.live[s];
            self.rows.push(ServiceRow::new(
                self.window_start,
                now,
                s as u32,
                w,
                l.queued,
                l.in_system,
                self.replicas_up[s],
            ));
            if counted {
                self.totals[s].fold(w);
            }
            w.reset();
            // The queue carried into the next window counts towards its maximum.
            w.max_queue = l.queued;
            self.replicas_up[s] = 0;
        }
        self.window_end = next_end;
        for s in 0..self.live.len() {
            self.open_areas(s, now);
        }
        for e in 0..self.edge_window.len() {
            let w = self.edge_window[e];
            self.edge_rows
                .push(EdgeRow::new(self.window_start, now, e as u32, &w));
            if counted {
                self.edge_totals[e].fold(&w);
            }
            self.edge_window[e] = EdgeCounters {
                breaker_state: w.breaker_state,
                ..EdgeCounters::default()
            };
        }
        self.window_start = now;
        self.counting = now >= self.warmup;
    }

    /// Requests counted in the totals as arriving at service `s` that have neither left
    /// (completed, degraded or failed) nor are still in the system: zero whenever the
    /// books balance, which they do over a run without a warm-up.
    pub fn unaccounted(&self, s: u32) -> i128 {
        let t = &self.totals[s as usize];
        let left = t.completed + t.degraded + t.failed();
        i128::from(t.arrivals) - i128::from(left) - i128::from(self.in_system(s))
    }

    /// Requests currently in the system at service `s`.
    pub fn in_system(&self, s: u32) -> u64 {
        self.live[s as usize].levels.in_system
    }
}
