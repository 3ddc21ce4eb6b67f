//! The settings scripted steps change, against a model of what they should be at each
//! moment: the steps in effect (started before now, not yet ended), in their start order
//! (time, then position in the list), applied to the model's value — absolute steps
//! override, relative ones apply on top — so that once every step on a setting has
//! ended it is the model's again.

use cascade_sim::engine::{Setting, Simulation, Value};
use cascade_sim::scenario::incident::{Action, Step};
use cascade_sim::scenario::Scenario;
use proptest::prelude::*;

/// The settings an action changes (a `Traffic` step without a source changes them all).
fn touched(action: &Action, sources: u32) -> Vec<Setting> {
    use Setting::*;
    match *action {
        Action::SlowDown { service, .. } => vec![Slowdown(service)],
        Action::SetLatency { service, .. } => vec![Latency(service)],
        Action::SetErrorRate { service, .. } => vec![ErrorRate(service)],
        Action::SetReplicas { service, .. } => vec![Replicas(service)],
        Action::SetWorkers { service, .. } => vec![Workers(service)],
        Action::SetPoolSize { edge, .. } | Action::LeakConnections { edge, .. } => {
            vec![Pool(edge)]
        }
        Action::SetTimeout { edge, .. } => vec![Timeout(edge)],
        Action::SetRetries { edge, .. } => vec![Retries(edge)],
        Action::SetFallback { edge, .. } => vec![Fallback(edge)],
        Action::BlackHole { service } => vec![BlackHole(service)],
        Action::Traffic {
            source: Some(s), ..
        } => vec![Traffic(s)],
        Action::Traffic { source: None, .. } => (0..sources).map(Traffic).collect(),
        Action::Crash { .. } | Action::Partition { .. } => vec![],
    }
}

/// What the setting should be with these steps in effect, in start order.
fn expected(scenario: &Scenario, setting: Setting, active: &[(usize, &Step)]) -> Value {
    let model = &scenario.model;
    let mut value = match setting {
        Setting::Slowdown(_) | Setting::Traffic(_) => Value::Factor(1.0),
        Setting::Latency(_) => Value::Step(None),
        Setting::ErrorRate(s) => Value::Rate(model.services[s as usize].error_rate),
        Setting::Replicas(s) => Value::Count(model.services[s as usize].replicas),
        Setting::Workers(s) => Value::Count(model.services[s as usize].workers),
        Setting::Pool(e) => Value::Count(model.edges[e as usize].pool.map_or(0, |p| p.size)),
        Setting::Timeout(e) => Value::Timeout(model.edges[e as usize].timeout),
        Setting::Retries(e) => {
            Value::Count(model.edges[e as usize].retry.map_or(1, |r| r.max_attempts))
        }
        Setting::Fallback(e) => Value::Flag(
            model.edges[e as usize]
                .fallback
                .as_ref()
                .is_some_and(|f| f.enabled),
        ),
        Setting::BlackHole(_) => Value::Flag(false),
    };
    let mut stopped = false;
    for (i, step) in active {
        value = match (&step.action, value) {
            (Action::SlowDown { factor, .. }, Value::Factor(f)) => Value::Factor(f * factor),
            (Action::Traffic { multiplier, .. }, Value::Factor(f)) => {
                stopped |= *multiplier == 0.0;
                Value::Factor(if *multiplier == 0.0 {
                    f
                } else {
                    f * multiplier
                })
            }
            (Action::SetLatency { .. }, _) => Value::Step(Some(*i as u32)),
            (Action::SetErrorRate { rate, .. }, _) => Value::Rate(*rate),
            (Action::SetReplicas { replicas, .. }, _) => Value::Count(*replicas),
            (Action::SetWorkers { workers, .. }, _) => Value::Count(*workers),
            (Action::SetPoolSize { size, .. }, _) => Value::Count(*size),
            (Action::LeakConnections { count, .. }, Value::Count(c)) => {
                Value::Count(c.saturating_sub(*count))
            }
            (Action::SetTimeout { timeout, .. }, _) => Value::Timeout(Some(*timeout)),
            // Without a retry policy an edge makes one attempt, whatever the step says.
            (Action::SetRetries { edge, max_attempts }, _) => Value::Count(
                model.edges[*edge as usize]
                    .retry
                    .map_or(1, |_| *max_attempts),
            ),
            (Action::SetFallback { enabled, .. }, _) => Value::Flag(*enabled),
            (Action::BlackHole { .. }, _) => Value::Flag(true),
            (action, v) => panic!("{action:?} does not act on {setting:?} ({v:?})"),
        };
    }
    if stopped {
        Value::Factor(0.0)
    } else {
        value
    }
}

/// Every setting a step touches has the value its steps in effect give. A setting with a
/// step starting or ending at this very moment is left out: that event may not have run.
pub fn check_settings(scenario: &Scenario, sim: &Simulation) -> Result<(), TestCaseError> {
    let now = sim.now();
    let steps = &scenario.incident.steps;
    let sources = scenario.sources.len() as u32;
    let mut settings: Vec<Setting> = steps
        .iter()
        .flat_map(|s| touched(&s.action, sources))
        .collect();
    settings.sort();
    settings.dedup();
    for setting in settings {
        let on: Vec<(usize, &Step)> = steps
            .iter()
            .enumerate()
            .filter(|(_, s)| touched(&s.action, sources).contains(&setting))
            .collect();
        if on.iter().any(|(_, s)| s.at == now || s.until == Some(now)) {
            continue;
        }
        let mut active: Vec<(usize, &Step)> = on
            .into_iter()
            .filter(|(_, s)| s.at < now && s.until.is_none_or(|u| u > now))
            .collect();
        active.sort_by_key(|(i, s)| (s.at, *i));
        let want = expected(scenario, setting, &active);
        let got = sim.setting(setting);
        prop_assert_eq!(
            got,
            want,
            "at t={}ns, {:?} with steps {:?} in effect",
            now,
            setting,
            active.iter().map(|(i, _)| i).collect::<Vec<_>>()
        );
    }
    Ok(())
}

/// Whether two steps on one setting overlap and the first to start ends first while the
/// other is still in effect — the order that restoring what each found gets wrong.
pub fn ends_out_of_order(scenario: &Scenario) -> bool {
    let steps = &scenario.incident.steps;
    let sources = scenario.sources.len() as u32;
    let end = scenario.duration;
    steps.iter().enumerate().any(|(i, a)| {
        steps.iter().enumerate().any(|(j, b)| {
            let first = (a.at, i) < (b.at, j);
            let shared = touched(&a.action, sources)
                .iter()
                .any(|s| touched(&b.action, sources).contains(s));
            first
                && shared
                && b.at < a.until.unwrap_or(u64::MAX)
                && a.until
                    .is_some_and(|u| u < b.until.unwrap_or(u64::MAX) && u < end)
        })
    })
}
