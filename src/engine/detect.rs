//! Incident detectors, run every `detectors.interval`: connection pools saturated for a
//! sustained time, services queuing, outage (the entry's success rate below the SLO over
//! a sliding window) and recovery (goodput back near its pre-incident level). Memory
//! exhaustion is noticed when a replica crashes. Nothing here knows the times it is
//! expected to find: it looks at the same gauges an operator's dashboard would.

use super::events::Kind;
use super::Simulation;
use crate::observe::DetectedKind;
use crate::outcome::Outcome;
use std::collections::VecDeque;

const NONE: u32 = u32::MAX;

/// Detector state, and the verdicts a run reports.
#[derive(Default)]
pub struct Detect {
    /// Per edge: since when its pool has been saturated.
    saturated_since: Vec<Option<u64>>,
    /// Per service: every service it waits on, directly or through others.
    depends_on: Vec<Vec<u32>>,
    /// Per service: detected in trouble (pool saturated, queuing or out of memory).
    troubled: Vec<bool>,
    /// Services found queuing at this tick (kept to reuse its allocation).
    queuing: Vec<u32>,
    /// Entry answers since the last tick.
    ok_now: u64,
    failed_now: u64,
    /// `(ok, failed)` per tick over the outage window.
    ring: VecDeque<(u64, u64)>,
    ring_ok: u64,
    ring_failed: u64,
    /// Entry goodput [answers/s] before the first scripted step.
    pub baseline_goodput: Option<f64>,
    pub outage_at: Option<u64>,
    pub outage_end: Option<u64>,
    /// After the last trigger ended, when goodput was back.
    pub recovered_at: Option<u64>,
    /// Last OOM crash per service.
    last_crash: Vec<Option<u64>>,
    /// Largest number of services down with OOM within the memory window, and when.
    pub memory_peak: (u32, u64),
}

pub struct Verdicts {
    pub baseline_goodput: Option<f64>,
    pub outage_at: Option<u64>,
    pub outage_end: Option<u64>,
    pub recovered_at: Option<u64>,
    /// When the last scripted step ended (or took effect, if it does not end).
    pub last_trigger_end: Option<u64>,
}

impl Simulation<'_> {
    pub(crate) fn start_detectors(&mut self) {
        self.detect.saturated_since = vec![None; self.model.edges.len()];
        self.detect.last_crash = vec![None; self.model.services.len()];
        self.detect.troubled = vec![false; self.model.services.len()];
        self.detect.depends_on = self.transitive_callees();
        let interval = self.scenario.incident.detectors.interval;
        self.queue
            .schedule(interval.min(self.scenario.duration), Kind::Tick, 0, 0);
    }

    /// An external request got its answer at the entry service.
    pub(crate) fn entry_answered(&mut self, service: u32, outcome: Outcome) {
        if service == self.scenario.incident.detectors.entry {
            if outcome.is_success() {
                self.detect.ok_now += 1;
            } else {
                self.detect.failed_now += 1;
            }
        }
    }

    pub(crate) fn on_tick(&mut self) {
        let d = self.scenario.incident.detectors.clone();
        self.detect_pools(d.pool_sustain);
        self.detect_queues(d.queue_share, d.queue_wait, d.queuing_services);
        self.detect_outage(
            d.interval,
            d.outage_window,
            d.outage_success_rate,
            d.recovery_share,
        );
        let next = self.now + d.interval;
        if next <= self.scenario.duration {
            self.queue.schedule(next, Kind::Tick, 0, 0);
        }
    }

    fn detect_pools(&mut self, sustain: u64) {
        for (e, edge) in self.model.edges.iter().enumerate() {
            if edge.pool.is_none() && edge.class_pools.is_empty() {
                continue;
            }
            let saturated = self.gates.iter().enumerate().any(|(g, gate)| {
                self.layout.is_pool[g]
                    && self.layout.edge_of_gate[g] == e as u32
                    && gate.in_use >= gate.size
                    && gate.waiting > 0
            });
            if !saturated {
                self.detect.saturated_since[e] = None;
                continue;
            }
            let since = *self.detect.saturated_since[e].get_or_insert(self.now);
            if self.now - since >= sustain {
                self.detect.troubled[edge.caller as usize] = true;
                self.rec
                    .detected(since, DetectedKind::PoolSaturated, edge.caller, e as u32);
            }
        }
    }

    /// `<service> queuing requests` for each service whose queue is past the share or
    /// the wait, and `upstream services begin queuing requests (N)` once `across` of them
    /// are *upstream*: they wait, directly or through others, on a service already in
    /// trouble (its pool saturated, queuing or out of memory).
    ///
    /// Why not count every queuing service? The service where the trouble starts queues
    /// first, because of its own saturated pool or slow work; the write-up's line is about
    /// its callers backing up behind it. A queuing service with nothing in trouble below
    /// it is a source of the trouble, not upstream of it.
    fn detect_queues(&mut self, share: f64, max_wait: u64, across: u32) {
        let mut queuing = std::mem::take(&mut self.detect.queuing);
        queuing.clear();
        for (s, svc) in self.model.services.iter().enumerate() {
            let first = self.first_replica[s] as usize;
            let replicas = &self.replicas[first..first + svc.replicas as usize];
            let queued: u64 = replicas.iter().map(|r| r.queue.len() as u64).sum();
            if queued == 0 {
                continue;
            }
            let capacity = svc.queue_capacity.saturating_mul(u64::from(svc.replicas));
            let full = svc.queue_capacity != u64::MAX && queued as f64 >= share * capacity as f64;
            let oldest = replicas
                .iter()
                .filter_map(|r| r.queue.front())
                .map(|j| self.now - self.jobs[*j].arrived)
                .max()
                .unwrap_or(0);
            if full || oldest >= max_wait {
                queuing.push(s as u32);
                self.rec
                    .detected(self.now, DetectedKind::Queuing, s as u32, NONE);
            }
        }
        for &s in &queuing {
            self.detect.troubled[s as usize] = true;
        }
        let det = &self.detect;
        let upstream = queuing
            .iter()
            .filter(|&&s| {
                det.depends_on[s as usize]
                    .iter()
                    .any(|&c| det.troubled[c as usize])
            })
            .count() as u32;
        self.detect.queuing = queuing;
        if upstream >= across {
            self.rec
                .timeline
                .detected(self.now, DetectedKind::QueuingAcross, NONE, NONE, upstream);
        }
    }

    /// For each service, the services its calls reach, directly or transitively (the call
    /// graph is acyclic and small: a walk from each service is enough).
    fn transitive_callees(&self) -> Vec<Vec<u32>> {
        let n = self.model.services.len();
        let mut direct = vec![Vec::new(); n];
        for edge in &self.model.edges {
            direct[edge.caller as usize].push(edge.callee);
        }
        (0..n)
            .map(|s| {
                let mut seen = vec![false; n];
                let mut stack = direct[s].clone();
                while let Some(c) = stack.pop() {
                    if !std::mem::replace(&mut seen[c as usize], true) {
                        stack.extend(&direct[c as usize]);
                    }
                }
                (0..n as u32).filter(|&c| seen[c as usize]).collect()
            })
            .collect()
    }

    fn detect_outage(&mut self, interval: u64, window: u64, threshold: f64, recovery_share: f64) {
        let det = &mut self.detect;
        det.ring.push_back((det.ok_now, det.failed_now));
        det.ring_ok += det.ok_now;
        det.ring_failed += det.failed_now;
        det.ok_now = 0;
        det.failed_now = 0;
        let ticks = (window / interval).max(1) as usize;
        while det.ring.len() > ticks {
            let (ok, failed) = det
                .ring
                .pop_front()
                .expect("ring is longer than its window");
            det.ring_ok -= ok;
            det.ring_failed -= failed;
        }
        let full = det.ring.len() == ticks;
        let goodput = det.ring_ok as f64 / (det.ring.len() as f64 * interval as f64 / 1e9);
        let first_step = self.scenario.incident.steps.iter().map(|s| s.at).min();
        if det.baseline_goodput.is_none()
            && full
            && first_step.is_some_and(|t| self.now + interval > t)
        {
            det.baseline_goodput = Some(goodput);
        }
        let answers = det.ring_ok + det.ring_failed;
        let success = if answers > 0 {
            det.ring_ok as f64 / answers as f64
        } else {
            1.0
        };
        if det.outage_at.is_none() && full && answers > 0 && success < threshold {
            det.outage_at = Some(self.now);
            self.rec
                .detected(self.now, DetectedKind::OutageDeclared, NONE, NONE);
        }
        let det = &mut self.detect;
        let back = det
            .baseline_goodput
            .is_some_and(|b| full && goodput >= recovery_share * b);
        if det.outage_at.is_some() && det.outage_end.is_none() && back {
            det.outage_end = Some(self.now);
            self.rec
                .detected(self.now, DetectedKind::Recovered, NONE, NONE);
        }
        let last_end = self.last_trigger_end();
        let det = &mut self.detect;
        if det.recovered_at.is_none() && back && last_end.is_some_and(|t| self.now >= t + window) {
            det.recovered_at = Some(self.now);
        }
    }

    /// When the last scripted step ended (or took effect, if it stays).
    pub(crate) fn last_trigger_end(&self) -> Option<u64> {
        self.scenario
            .incident
            .steps
            .iter()
            .map(|s| s.until.unwrap_or(s.at))
            .max()
    }

    /// A replica of `service` ran out of memory.
    pub(crate) fn detect_oom(&mut self, service: u32) {
        let now = self.now;
        self.rec
            .detected(now, DetectedKind::MemoryExhaustion, service, NONE);
        self.detect.last_crash[service as usize] = Some(now);
        self.detect.troubled[service as usize] = true;
        let window = self.scenario.incident.detectors.memory_window;
        let count = self
            .detect
            .last_crash
            .iter()
            .filter(|t| t.is_some_and(|t| now - t <= window))
            .count() as u32;
        if count > self.detect.memory_peak.0 {
            self.detect.memory_peak = (count, now);
        }
    }

    pub(crate) fn verdicts(&mut self) -> Verdicts {
        let (count, at) = self.detect.memory_peak;
        if count >= 2 {
            self.rec
                .timeline
                .detected(at, DetectedKind::MemoryExhaustionAcross, NONE, NONE, count);
        }
        Verdicts {
            baseline_goodput: self.detect.baseline_goodput,
            outage_at: self.detect.outage_at,
            outage_end: self.detect.outage_end,
            recovered_at: self.detect.recovered_at,
            last_trigger_end: self.last_trigger_end(),
        }
    }
}
