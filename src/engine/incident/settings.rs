//! The settings scripted steps change, one per service, edge or source, and what each
//! one is now. Steps that change the same setting compose (see `compose.rs`); tests read
//! the values back through `Simulation::setting`.

use super::super::Simulation;
use crate::scenario::incident::Action;

/// One setting a scripted step can change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Setting {
    /// A service's work-time factor (`SlowDown`).
    Slowdown(u32),
    /// The step whose latency replaces a service's work times (`SetLatency`).
    Latency(u32),
    ErrorRate(u32),
    /// How many of a service's replicas run (`SetReplicas`).
    Replicas(u32),
    Workers(u32),
    /// An edge's connection pool size (`SetPoolSize`, `LeakConnections`).
    Pool(u32),
    Timeout(u32),
    Retries(u32),
    Fallback(u32),
    BlackHole(u32),
    /// A source's rate multiplier (`Traffic`).
    Traffic(u32),
}

/// What a setting is now.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    Factor(f64),
    Step(Option<u32>),
    Rate(f64),
    Count(u32),
    Timeout(Option<u64>),
    Flag(bool),
}

/// The settings an action changes: none for `Crash` (replicas come back by themselves)
/// and `Partition` (a list, not a setting); every source for a `Traffic` step without one.
pub fn settings_of(action: &Action, sources: u32) -> Vec<Setting> {
    match *action {
        Action::SlowDown { service, .. } => vec![Setting::Slowdown(service)],
        Action::SetLatency { service, .. } => vec![Setting::Latency(service)],
        Action::SetErrorRate { service, .. } => vec![Setting::ErrorRate(service)],
        Action::SetReplicas { service, .. } => vec![Setting::Replicas(service)],
        Action::SetWorkers { service, .. } => vec![Setting::Workers(service)],
        Action::SetPoolSize { edge, .. } | Action::LeakConnections { edge, .. } => {
            vec![Setting::Pool(edge)]
        }
        Action::SetTimeout { edge, .. } => vec![Setting::Timeout(edge)],
        Action::SetRetries { edge, .. } => vec![Setting::Retries(edge)],
        Action::SetFallback { edge, .. } => vec![Setting::Fallback(edge)],
        Action::BlackHole { service } => vec![Setting::BlackHole(service)],
        Action::Traffic { source, .. } => match source {
            Some(s) => vec![Setting::Traffic(s)],
            None => (0..sources).map(Setting::Traffic).collect(),
        },
        Action::Crash { .. } | Action::Partition { .. } => Vec::new(),
    }
}

impl Simulation<'_> {
    /// What a setting is now (for tests: the engine reads the fields themselves).
    pub fn setting(&self, setting: Setting) -> Value {
        let edge = |e: u32| &self.model.edges[e as usize];
        match setting {
            Setting::Slowdown(s) => Value::Factor(self.slowdown[s as usize]),
            Setting::Latency(s) => Value::Step(self.latency_override[s as usize]),
            Setting::ErrorRate(s) => Value::Rate(self.model.services[s as usize].error_rate),
            Setting::Replicas(s) => {
                let first = self.first_replica[s as usize];
                let n = self.model.services[s as usize].replicas;
                let running = (first..first + n)
                    .filter(|r| !self.replicas[*r as usize].stopped)
                    .count();
                Value::Count(running as u32)
            }
            Setting::Workers(s) => Value::Count(self.model.services[s as usize].workers),
            Setting::Pool(e) => Value::Count(edge(e).pool.map_or(0, |p| p.size)),
            Setting::Timeout(e) => Value::Timeout(edge(e).timeout),
            Setting::Retries(e) => Value::Count(edge(e).retry.map_or(1, |r| r.max_attempts)),
            Setting::Fallback(e) => {
                Value::Flag(edge(e).fallback.as_ref().is_some_and(|f| f.enabled))
            }
            Setting::BlackHole(s) => Value::Flag(self.blackholed[s as usize]),
            Setting::Traffic(i) => Value::Factor(self.sources[i as usize].multiplier),
        }
    }
}
