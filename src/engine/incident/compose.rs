//! Steps that change the same setting compose. Whenever a step starts or ends, each
//! setting it touches is recomputed from the model's value and the steps still in
//! effect, in their start order: an absolute step (`SetPoolSize`, `SetWorkers`,
//! `SetTimeout`...) overrides what came before it, a relative one (`LeakConnections`,
//! `SlowDown`, `Traffic`) applies on top. So steps may end in any order, and once every
//! step on a setting has ended it is the model's again.
//!
//! Why recompute instead of each step restoring what it found: a step that ends while a
//! later one on the same setting is still in effect would restore a value from before
//! that later step (and the later step, ending, the first one's). Steps are few and
//! only start and end at scripted times, so this costs nothing per event.

use super::super::state::NEVER;
use super::super::Simulation;
use super::settings::{settings_of, Setting};
use crate::scenario::incident::Action;

impl<'s> Simulation<'s> {
    /// The actions of the steps in effect that touch `setting`, in their start order.
    fn in_effect(&self, setting: Setting) -> Vec<(u32, &'s Action)> {
        let scenario: &'s crate::scenario::Scenario = self.scenario;
        let sources = scenario.sources.len() as u32;
        self.active_steps
            .iter()
            .map(|(i, _)| (*i, &scenario.incident.steps[*i as usize].action))
            .filter(|(_, a)| settings_of(a, sources).contains(&setting))
            .collect()
    }

    /// Give `setting` the value of the steps in effect on the model's.
    pub(super) fn recompute(&mut self, setting: Setting) {
        let base = &self.scenario.model;
        let steps = self.in_effect(setting);
        match setting {
            Setting::Slowdown(s) => {
                self.slowdown[s as usize] = steps.iter().fold(1.0, |f, (_, a)| match a {
                    Action::SlowDown { factor, .. } => f * factor,
                    _ => f,
                })
            }
            Setting::Latency(s) => {
                self.latency_override[s as usize] = latest(&steps, None, |i, a| match a {
                    Action::SetLatency { .. } => Some(Some(i)),
                    _ => None,
                })
            }
            Setting::ErrorRate(s) => {
                let model = base.services[s as usize].error_rate;
                self.model.services[s as usize].error_rate = latest(&steps, model, |_, a| match a {
                    Action::SetErrorRate { rate, .. } => Some(*rate),
                    _ => None,
                })
            }
            Setting::Replicas(s) => {
                let model = base.services[s as usize].replicas;
                let n = latest(&steps, model, |_, a| match a {
                    Action::SetReplicas { replicas, .. } => Some(*replicas),
                    _ => None,
                });
                self.set_running_replicas(s, n);
            }
            Setting::Workers(s) => {
                let model = base.services[s as usize].workers;
                self.model.services[s as usize].workers = latest(&steps, model, |_, a| match a {
                    Action::SetWorkers { workers, .. } => Some(*workers),
                    _ => None,
                });
                self.capacity_changed(s);
                self.fill_workers(s);
            }
            Setting::Pool(e) => {
                let model = base.edges[e as usize].pool.map_or(0, |p| p.size);
                let size = steps.iter().fold(model, |size, (_, a)| match a {
                    Action::SetPoolSize { size, .. } => *size,
                    Action::LeakConnections { count, .. } => size.saturating_sub(*count),
                    _ => size,
                });
                let now_size = self.model.edges[e as usize].pool.map_or(0, |p| p.size);
                self.resize_pool(e, now_size, size);
            }
            Setting::Timeout(e) => {
                let model = base.edges[e as usize].timeout;
                let timeout = latest(&steps, model, |_, a| match a {
                    Action::SetTimeout { timeout, .. } => Some(Some(*timeout)),
                    _ => None,
                });
                self.model.edges[e as usize].timeout = timeout;
                self.edge_hot[e as usize].timeout = timeout.unwrap_or(NEVER);
            }
            Setting::Retries(e) => {
                let model = base.edges[e as usize].retry.map_or(1, |r| r.max_attempts);
                let attempts = latest(&steps, model, |_, a| match a {
                    Action::SetRetries { max_attempts, .. } => Some(*max_attempts),
                    _ => None,
                });
                if let Some(r) = &mut self.model.edges[e as usize].retry {
                    r.max_attempts = attempts;
                }
            }
            Setting::Fallback(e) => {
                let model = base.edges[e as usize].fallback.as_ref();
                let enabled = latest(&steps, model.is_some_and(|f| f.enabled), |_, a| match a {
                    Action::SetFallback { enabled, .. } => Some(*enabled),
                    _ => None,
                });
                if let Some(f) = &mut self.model.edges[e as usize].fallback {
                    f.enabled = enabled;
                }
            }
            Setting::BlackHole(s) => self.blackholed[s as usize] = !steps.is_empty(),
            Setting::Traffic(i) => {
                // A multiplier of 0 stops the source while it is in effect, whatever the
                // others; the rest multiply.
                let stopped = steps.iter().any(
                    |(_, a)| matches!(a, Action::Traffic { multiplier, .. } if *multiplier <= 0.0),
                );
                let product = steps.iter().fold(1.0, |p, (_, a)| match a {
                    Action::Traffic { multiplier, .. } if *multiplier > 0.0 => p * multiplier,
                    _ => p,
                });
                self.set_traffic(i, if stopped { 0.0 } else { product });
            }
        }
    }
}

/// The value the last step in effect gives (absolute steps override what came before
/// them), or the model's when none does.
fn latest<T>(steps: &[(u32, &Action)], model: T, value: impl Fn(u32, &Action) -> Option<T>) -> T {
    steps
        .iter()
        .rev()
        .find_map(|(i, a)| value(*i, a))
        .unwrap_or(model)
}
