//! Scripted incident actions: each takes effect at its time (an `Action` event with
//! generation 0) and, if it lasts, is undone later (generation 1). The engine's copy of
//! the model is changed in place; nothing else is scripted — the cascade that follows
//! comes from the mechanics.

use super::events::Kind;
use super::Simulation;
use crate::scenario::incident::Action;
use crate::spec::units::format_duration;

/// What an action changed, to put it back.
#[derive(Clone, Copy)]
pub enum Undo {
    Factor(f64),
    Latency(Option<u32>),
    Rate(f64),
    Count(u32),
    Timeout(Option<u64>),
    Flag(bool),
    /// The traffic multiplier applied (see `scale_traffic`).
    Multiplier(f64),
    None,
}

impl Simulation<'_> {
    pub(crate) fn schedule_incident(&mut self) {
        for (i, step) in self.scenario.incident.steps.iter().enumerate() {
            self.queue.schedule(step.at, Kind::Action, i as u32, 0);
            if let Some(until) = step.until {
                self.queue.schedule(until, Kind::Action, i as u32, 1);
            }
        }
    }

    pub(crate) fn on_action(&mut self, step: u32, undo: bool) {
        let s = &self.scenario.incident.steps[step as usize];
        let text = if undo {
            let previous = self.undo[step as usize];
            self.revert(&s.action, previous);
            format!(
                "{} ended",
                s.note.clone().unwrap_or_else(|| self.describe(&s.action))
            )
        } else {
            let description = self.describe(&s.action);
            let previous = self.apply(&s.action);
            self.undo[step as usize] = previous;
            s.note.clone().unwrap_or(description)
        };
        self.rec.timeline.scripted(self.now, text);
    }

    /// Words for the timeline, read before the action changes anything.
    fn describe(&self, action: &Action) -> String {
        let svc = |s: &u32| self.model.services[*s as usize].name.clone();
        let edge = |e: &u32| self.model.edges[*e as usize].name.clone();
        match action {
            Action::SlowDown { service, factor } => {
                format!("{} slowed down (x{factor})", svc(service))
            }
            Action::SetLatency { service, .. } => format!("{} latency changed", svc(service)),
            Action::SetErrorRate { service, rate } => {
                format!("{} error rate set to {:.1}%", svc(service), rate * 100.0)
            }
            Action::Crash { service, replicas } => {
                format!("{} lost {replicas} replicas", svc(service))
            }
            Action::SetReplicas { service, replicas } => {
                format!("{} scaled to {replicas} replicas", svc(service))
            }
            Action::SetWorkers { service, workers } => {
                format!(
                    "{} workers changed ({} -> {workers})",
                    svc(service),
                    self.model.services[*service as usize].workers
                )
            }
            Action::SetPoolSize { edge: e, size } => {
                let old = self.model.edges[*e as usize].pool.map_or(0, |p| p.size);
                format!("{} connection pool resized ({old} -> {size})", edge(e))
            }
            Action::LeakConnections { edge: e, count } => {
                let caller =
                    &self.model.services[self.model.edges[*e as usize].caller as usize].name;
                format!(
                    "{caller} leaks {count} connections per replica ({})",
                    edge(e)
                )
            }
            Action::SetTimeout { edge: e, timeout } => {
                let old = self.model.edges[*e as usize]
                    .timeout
                    .map_or("none".into(), format_duration);
                format!(
                    "{} timeout changed ({old} -> {})",
                    edge(e),
                    format_duration(*timeout)
                )
            }
            Action::SetRetries {
                edge: e,
                max_attempts,
            } => {
                let old = self.model.edges[*e as usize]
                    .retry
                    .map_or(1, |r| r.max_attempts);
                format!(
                    "{} retries changed ({old} -> {max_attempts} attempts)",
                    edge(e)
                )
            }
            Action::SetFallback { edge: e, enabled } => format!(
                "{} fallback {}",
                edge(e),
                if *enabled { "enabled" } else { "disabled" }
            ),
            Action::Traffic { source, multiplier } => match source {
                Some(i) => format!(
                    "{} traffic x{multiplier}",
                    self.scenario.sources[*i as usize].name
                ),
                None => format!("traffic x{multiplier}"),
            },
            Action::BlackHole { service } => format!("{} black-holed", svc(service)),
            Action::Partition { a, b } => format!("{} and {} partitioned", svc(a), svc(b)),
        }
    }

    fn apply(&mut self, action: &Action) -> Undo {
        match action {
            Action::SlowDown { service, factor } => {
                let old = self.slowdown[*service as usize];
                self.slowdown[*service as usize] = old * factor;
                Undo::Factor(old)
            }
            Action::SetLatency { service, .. } => {
                let step = self
                    .scenario
                    .incident
                    .steps
                    .iter()
                    .position(|s| std::ptr::eq(&s.action, action))
                    .map(|i| i as u32);
                Undo::Latency(std::mem::replace(
                    &mut self.latency_override[*service as usize],
                    step,
                ))
            }
            Action::SetErrorRate { service, rate } => Undo::Rate(std::mem::replace(
                &mut self.model.services[*service as usize].error_rate,
                *rate,
            )),
            Action::Crash { service, replicas } => {
                let first = self.first_replica[*service as usize];
                let n = self.model.services[*service as usize].replicas;
                let up: Vec<u32> = (first..first + n)
                    .filter(|r| self.replicas[*r as usize].up)
                    .take(*replicas as usize)
                    .collect();
                for r in up {
                    let restart = self.model.services[*service as usize]
                        .memory
                        .map_or(30_000_000_000, |m| m.restart_after);
                    self.take_down(r, Some(restart), false);
                }
                Undo::None
            }
            Action::SetReplicas { service, replicas } => {
                let old = self.set_running_replicas(*service, *replicas);
                Undo::Count(old)
            }
            Action::SetWorkers { service, workers } => {
                let old = std::mem::replace(
                    &mut self.model.services[*service as usize].workers,
                    *workers,
                );
                self.capacity_changed(*service);
                self.fill_workers(*service);
                Undo::Count(old)
            }
            Action::SetPoolSize { edge, size } => {
                let old = self.model.edges[*edge as usize].pool.map_or(0, |p| p.size);
                self.resize_pool(*edge, old, *size);
                Undo::Count(old)
            }
            Action::LeakConnections { edge, count } => {
                let old = self.model.edges[*edge as usize].pool.map_or(0, |p| p.size);
                self.resize_pool(*edge, old, old.saturating_sub(*count));
                Undo::Count(old)
            }
            Action::SetTimeout { edge, timeout } => {
                Undo::Timeout(self.model.edges[*edge as usize].timeout.replace(*timeout))
            }
            Action::SetRetries { edge, max_attempts } => {
                let retry = &mut self.model.edges[*edge as usize].retry;
                let old = retry.map_or(1, |r| r.max_attempts);
                if let Some(r) = retry {
                    r.max_attempts = *max_attempts;
                }
                Undo::Count(old)
            }
            Action::SetFallback { edge, enabled } => {
                let f = self.model.edges[*edge as usize]
                    .fallback
                    .as_mut()
                    .expect("validated: the edge has a fallback");
                Undo::Flag(std::mem::replace(&mut f.enabled, *enabled))
            }
            Action::Traffic { source, multiplier } => {
                self.scale_traffic(*source, *multiplier, false);
                Undo::Multiplier(*multiplier)
            }
            Action::BlackHole { service } => Undo::Flag(std::mem::replace(
                &mut self.blackholed[*service as usize],
                true,
            )),
            Action::Partition { a, b } => {
                self.partitions.push((*a, *b));
                Undo::None
            }
        }
    }

    fn revert(&mut self, action: &Action, previous: Undo) {
        match (action, previous) {
            (Action::SlowDown { service, .. }, Undo::Factor(old)) => {
                self.slowdown[*service as usize] = old
            }
            (Action::SetLatency { service, .. }, Undo::Latency(old)) => {
                self.latency_override[*service as usize] = old
            }
            (Action::SetErrorRate { service, .. }, Undo::Rate(old)) => {
                self.model.services[*service as usize].error_rate = old
            }
            (Action::SetReplicas { service, .. }, Undo::Count(old)) => {
                self.set_running_replicas(*service, old);
            }
            (Action::SetWorkers { service, .. }, Undo::Count(old)) => {
                self.model.services[*service as usize].workers = old;
                self.capacity_changed(*service);
                self.fill_workers(*service);
            }
            (
                Action::SetPoolSize { edge, .. } | Action::LeakConnections { edge, .. },
                Undo::Count(old),
            ) => {
                let now_size = self.model.edges[*edge as usize].pool.map_or(0, |p| p.size);
                self.resize_pool(*edge, now_size, old);
            }
            (Action::SetTimeout { edge, .. }, Undo::Timeout(old)) => {
                self.model.edges[*edge as usize].timeout = old
            }
            (Action::SetRetries { edge, .. }, Undo::Count(old)) => {
                if let Some(r) = &mut self.model.edges[*edge as usize].retry {
                    r.max_attempts = old;
                }
            }
            (Action::SetFallback { edge, .. }, Undo::Flag(old)) => {
                if let Some(f) = &mut self.model.edges[*edge as usize].fallback {
                    f.enabled = old;
                }
            }
            (Action::Traffic { source, .. }, Undo::Multiplier(m)) => {
                self.scale_traffic(*source, m, true)
            }
            (Action::BlackHole { service }, Undo::Flag(old)) => {
                self.blackholed[*service as usize] = old
            }
            (Action::Partition { a, b }, _) => {
                if let Some(i) = self.partitions.iter().position(|p| *p == (*a, *b)) {
                    self.partitions.remove(i);
                }
            }
            _ => {}
        }
    }

    fn capacity_changed(&mut self, service: u32) {
        let svc = &self.model.services[service as usize];
        let peak = &mut self.peak_workers[service as usize];
        *peak = (*peak).max(svc.workers);
        self.rec.set_capacity(
            service,
            self.now,
            u64::from(svc.workers) * u64::from(svc.replicas),
        );
    }

    /// Start queued requests on workers that a larger pool size made free.
    fn fill_workers(&mut self, service: u32) {
        let first = self.first_replica[service as usize];
        for r in first..first + self.model.services[service as usize].replicas {
            while self.replicas[r as usize].up
                && self.replicas[r as usize].busy < self.model.services[service as usize].workers
                && !self.replicas[r as usize].queue.is_empty()
            {
                self.start_next(r);
            }
        }
    }

    /// Keep the first `n` replicas running; returns how many were running.
    fn set_running_replicas(&mut self, service: u32, n: u32) -> u32 {
        let first = self.first_replica[service as usize];
        let total = self.model.services[service as usize].replicas;
        let running = (first..first + total)
            .filter(|r| !self.replicas[*r as usize].stopped)
            .count() as u32;
        for local in 0..total {
            let r = first + local;
            let stopped = self.replicas[r as usize].stopped;
            if local >= n && !stopped {
                self.replicas[r as usize].stopped = true;
                if self.replicas[r as usize].up {
                    self.take_down(r, None, false);
                }
            } else if local < n && stopped {
                self.replicas[r as usize].stopped = false;
                self.restart(r);
            }
        }
        running
    }

    /// Change the size of every caller replica's shared pool on an edge.
    fn resize_pool(&mut self, edge: u32, old: u32, new: u32) {
        if let Some(p) = &mut self.model.edges[edge as usize].pool {
            p.size = new;
        }
        let caller = self.model.edges[edge as usize].caller;
        for local in 0..self.model.services[caller as usize].replicas {
            let gate = self.layout.pool(edge, crate::model::DEFAULT_CLASS, local);
            if gate == super::arena::NONE {
                continue;
            }
            let g = &mut self.gates[gate as usize];
            g.size = new;
            if g.in_use > new {
                g.held_when_shrunk = g.in_use;
            }
            for _ in old..new {
                // A new connection: hand it to a waiter, or leave it free.
                self.gates[gate as usize].in_use += 1;
                self.release_gate(gate);
            }
        }
    }

    /// Multiply the rate of one source (or all) by a step's multiplier, or take the
    /// step's multiplier out again (`undo`); pending arrivals are redrawn.
    fn scale_traffic(&mut self, source: Option<u32>, multiplier: f64, undo: bool) {
        for i in 0..self.scenario.sources.len() as u32 {
            if source.is_some_and(|s| s != i) {
                continue;
            }
            let (product, stops) = &mut self.traffic_steps[i as usize];
            match (multiplier > 0.0, undo) {
                (true, false) => *product *= multiplier,
                (true, true) => *product /= multiplier,
                (false, false) => *stops += 1,
                (false, true) => *stops -= 1,
            }
            self.source_multiplier[i as usize] = if *stops > 0 { 0.0 } else { *product };
            let peak =
                self.scenario.sources[i as usize].rate.max() * self.source_multiplier[i as usize];
            self.mean_gap_ns[i as usize] = 1e9 / peak;
            self.source_gen[i as usize] = self.source_gen[i as usize].wrapping_add(1);
            self.schedule_arrival(i);
        }
    }
}
