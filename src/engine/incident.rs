//! Scripted incident actions: each takes effect at its time (an `Action` event with
//! generation 0) and, if it lasts, ends later (generation 1). The engine's copy of the
//! model is changed in place; nothing else is scripted — the cascade that follows comes
//! from the mechanics. Steps on the same setting compose (`incident/compose.rs`).

mod compose;
mod effects;
mod settings;

use settings::settings_of;
pub use settings::{Setting, Value};

use super::events::Kind;
use super::Simulation;
use crate::scenario::incident::Action;
use crate::spec::units::format_duration;

impl Simulation<'_> {
    pub(crate) fn schedule_incident(&mut self) {
        for (i, step) in self.scenario.incident.steps.iter().enumerate() {
            self.queue.schedule(step.at, Kind::Action, i as u32, 0);
            if let Some(until) = step.until {
                self.queue.schedule(until, Kind::Action, i as u32, 1);
            }
        }
    }

    pub(crate) fn on_action(&mut self, step: u32, end: bool) {
        let scenario = self.scenario;
        let s = &scenario.incident.steps[step as usize];
        let text = if end {
            if let Action::Partition { a, b } = s.action {
                if let Some(i) = self.partitions.iter().position(|p| *p == (a, b)) {
                    self.partitions.remove(i);
                }
            }
            // The words it started with: described now, a resize would read the size
            // other steps left, not the one it found.
            let started = match self.active_steps.iter().position(|(i, _)| *i == step) {
                Some(k) => self.active_steps.remove(k).1,
                None => s.note.clone().unwrap_or_else(|| self.describe(&s.action)),
            };
            format!("{started} ended")
        } else {
            let text = s.note.clone().unwrap_or_else(|| self.describe(&s.action));
            self.active_steps.push((step, text.clone()));
            match s.action {
                Action::Crash { service, replicas } => self.crash_replicas(service, replicas),
                Action::Partition { a, b } => self.partitions.push((a, b)),
                _ => {}
            }
            text
        };
        for setting in settings_of(&s.action, scenario.sources.len() as u32) {
            self.recompute(setting);
        }
        self.rec.timeline.scripted(self.now, text);
    }

    /// Crash up to `n` of a service's replicas that are up; they restart by themselves.
    fn crash_replicas(&mut self, service: u32, n: u32) {
        let first = self.first_replica[service as usize];
        let total = self.model.services[service as usize].replicas;
        let up: Vec<u32> = (first..first + total)
            .filter(|r| self.replicas[*r as usize].up)
            .take(n as usize)
            .collect();
        for r in up {
            let restart = self.model.services[service as usize]
                .memory
                .map_or(30_000_000_000, |m| m.restart_after);
            self.take_down(r, Some(restart), false);
        }
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
}
