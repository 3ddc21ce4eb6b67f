//! The parameters a sweep axis can set: one table entry per path, each with the type of
//! its values and the function that applies a value to a validated [`Scenario`].
//!
//! Why a table and not a match on strings? Adding a parameter is then one entry (about
//! five lines) next to its siblings, and the error messages, the did-you-mean hints and
//! `docs/sweeps.md` all list the same set.

use crate::model::validate::{MAX_POOL_SIZE, MAX_REPLICAS, MAX_WORKERS};
use crate::model::Pool;
use crate::policy::circuit_breaker::{BreakerKind, SlidingConfig};
use crate::policy::retry::RetryPolicy;
use crate::scenario::{Rate, Scenario, MAX_RATE, MAX_WINDOWS};

/// Where a path's `<placeholder>` points once resolved against the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Service(usize),
    Edge(usize),
    Source(usize),
    Scenario,
}

/// A typed axis value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Count(u64),
    /// [ns]
    Duration(u64),
    Real(f64),
}

/// What values a parameter takes.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Count { min: u64, max: u64 },
    Duration { min_ns: u64 },
    Real { min: f64, max: f64 },
}

/// Whether a parameter is a configuration the operator chooses (it has a cost: the
/// cheapest safe configuration is searched over these) or a condition the system must
/// withstand (load, length): the cheapest safe configuration is reported per condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Config,
    Condition,
}

pub struct Param {
    /// The path as written in a sweep file, with `<service>`, `<edge>` or `<source>`
    /// standing for a name of the scenario.
    pub pattern: &'static str,
    pub kind: Kind,
    pub role: Role,
    /// Unit shown on plot axes; empty when the value is a plain count.
    pub unit: &'static str,
    pub apply: fn(&mut Scenario, Target, Value) -> Result<(), String>,
}

const HIKARI_ACQUIRE_TIMEOUT_NS: u64 = 30_000_000_000;

pub static PARAMS: &[Param] = &[
    Param {
        pattern: "services.<service>.workers",
        kind: Kind::Count {
            min: 1,
            max: MAX_WORKERS as u64,
        },
        role: Role::Config,
        unit: "",
        apply: |s, t, v| {
            s.model.services[t.index()].workers = v.count() as u32;
            Ok(())
        },
    },
    Param {
        pattern: "services.<service>.replicas",
        kind: Kind::Count {
            min: 1,
            max: MAX_REPLICAS as u64,
        },
        role: Role::Config,
        unit: "",
        apply: |s, t, v| {
            s.model.services[t.index()].replicas = v.count() as u32;
            Ok(())
        },
    },
    Param {
        pattern: "services.<service>.queue.capacity",
        kind: Kind::Count {
            min: 0,
            max: 1 << 40,
        },
        role: Role::Config,
        unit: "",
        apply: |s, t, v| {
            s.model.services[t.index()].queue_capacity = v.count();
            Ok(())
        },
    },
    Param {
        pattern: "calls.<edge>.timeout",
        kind: Kind::Duration { min_ns: 1 },
        role: Role::Config,
        unit: "s",
        apply: |s, t, v| {
            s.model.edges[t.index()].timeout = Some(v.nanos());
            Ok(())
        },
    },
    Param {
        pattern: "calls.<edge>.pool.size",
        kind: Kind::Count {
            min: 1,
            max: MAX_POOL_SIZE as u64,
        },
        role: Role::Config,
        unit: "",
        apply: set_pool_size,
    },
    Param {
        pattern: "calls.<edge>.pool.acquire_timeout",
        kind: Kind::Duration { min_ns: 0 },
        role: Role::Config,
        unit: "s",
        apply: set_acquire_timeout,
    },
    Param {
        pattern: "calls.<edge>.retry.max_attempts",
        kind: Kind::Count { min: 1, max: 100 },
        role: Role::Config,
        unit: "",
        apply: |s, t, v| {
            let edge = &mut s.model.edges[t.index()];
            let retry = edge.retry.get_or_insert_with(RetryPolicy::default);
            retry.max_attempts = v.count() as u32;
            Ok(())
        },
    },
    Param {
        pattern: "calls.<edge>.deadline",
        kind: Kind::Duration { min_ns: 1 },
        role: Role::Config,
        unit: "s",
        apply: |s, t, v| {
            s.model.edges[t.index()].deadline = Some(v.nanos());
            Ok(())
        },
    },
    Param {
        pattern: "calls.<edge>.breaker.failure_rate_threshold",
        kind: Kind::Real {
            min: 0.0,
            max: 100.0,
        },
        role: Role::Config,
        unit: "%",
        apply: |s, t, v| match breaker_window(s, t)? {
            Some(w) => {
                w.failure_rate_threshold = v.real().max(f64::MIN_POSITIVE);
                Ok(())
            }
            None => Err(
                "this edge's breaker counts consecutive failures; it has no failure rate threshold"
                    .into(),
            ),
        },
    },
    Param {
        pattern: "calls.<edge>.breaker.wait",
        kind: Kind::Duration { min_ns: 1 },
        role: Role::Config,
        unit: "s",
        apply: |s, t, v| {
            let edge = &mut s.model.edges[t.index()];
            let breaker = edge
                .breaker
                .as_mut()
                .ok_or("this edge has no breaker; give it `breaker: Breaker(...)` in the model")?;
            match &mut breaker.kind {
                BreakerKind::SlidingWindow(w) => {
                    w.open_wait.initial = v.nanos();
                    w.open_wait.max = w.open_wait.max.max(v.nanos());
                }
                BreakerKind::ConsecutiveFailures(c) => c.open_duration = v.nanos(),
            }
            Ok(())
        },
    },
    Param {
        pattern: "triggers.scale",
        kind: Kind::Real { min: 0.0, max: 1e4 },
        role: Role::Condition,
        unit: "×",
        apply: scale_triggers,
    },
    Param {
        pattern: "triggers.lasting",
        kind: Kind::Duration { min_ns: 1 },
        role: Role::Condition,
        unit: "s",
        apply: |s, _, v| {
            for step in &mut s.incident.steps {
                if step.until.is_some() {
                    step.until = Some(step.at.saturating_add(v.nanos()));
                }
            }
            Ok(())
        },
    },
    Param {
        pattern: "sources.<source>.rate",
        kind: Kind::Real {
            min: 0.0,
            max: MAX_RATE,
        },
        role: Role::Condition,
        unit: "req/s",
        apply: set_constant_rate,
    },
    Param {
        pattern: "sources.<source>.rate_factor",
        kind: Kind::Real {
            min: 0.0,
            max: MAX_RATE,
        },
        role: Role::Condition,
        unit: "×",
        apply: scale_rate,
    },
    Param {
        pattern: "duration",
        kind: Kind::Duration { min_ns: 1 },
        role: Role::Condition,
        unit: "s",
        apply: set_duration,
    },
];

/// The sliding-window settings of an edge's breaker (`None` for a consecutive-failures one).
fn breaker_window(s: &mut Scenario, t: Target) -> Result<Option<&mut SlidingConfig>, String> {
    let breaker = s.model.edges[t.index()]
        .breaker
        .as_mut()
        .ok_or("this edge has no breaker; give it `breaker: Breaker(...)` in the model")?;
    Ok(match &mut breaker.kind {
        BreakerKind::SlidingWindow(w) => Some(w),
        BreakerKind::ConsecutiveFailures(_) => None,
    })
}

/// Scale the size of every scripted trigger: slowdown factors, leaked connections,
/// traffic multipliers and injected error rates.
fn scale_triggers(s: &mut Scenario, _: Target, v: Value) -> Result<(), String> {
    use crate::scenario::incident::Action;
    let k = v.real();
    for step in &mut s.incident.steps {
        match &mut step.action {
            Action::SlowDown { factor, .. } => *factor = 1.0 + (*factor - 1.0) * k,
            Action::LeakConnections { count, .. } => {
                *count = (f64::from(*count) * k).round() as u32
            }
            Action::Traffic { multiplier, .. } => *multiplier = 1.0 + (*multiplier - 1.0) * k,
            Action::SetErrorRate { rate, .. } => *rate = (*rate * k).clamp(0.0, 1.0),
            _ => {}
        }
    }
    Ok(())
}

impl Target {
    pub fn index(self) -> usize {
        match self {
            Target::Service(i) | Target::Edge(i) | Target::Source(i) => i,
            Target::Scenario => 0,
        }
    }
}

impl Value {
    pub fn count(self) -> u64 {
        match self {
            Value::Count(n) | Value::Duration(n) => n,
            Value::Real(r) => r as u64,
        }
    }

    pub fn nanos(self) -> u64 {
        self.count()
    }

    pub fn real(self) -> f64 {
        match self {
            Value::Count(n) | Value::Duration(n) => n as f64,
            Value::Real(r) => r,
        }
    }
}

fn set_pool_size(s: &mut Scenario, t: Target, v: Value) -> Result<(), String> {
    let edge = &mut s.model.edges[t.index()];
    let acquire_timeout = edge
        .pool
        .map_or(HIKARI_ACQUIRE_TIMEOUT_NS, |p| p.acquire_timeout);
    edge.pool = Some(Pool {
        size: v.count() as u32,
        acquire_timeout,
    });
    Ok(())
}

fn set_acquire_timeout(s: &mut Scenario, t: Target, v: Value) -> Result<(), String> {
    let edge = &mut s.model.edges[t.index()];
    match &mut edge.pool {
        Some(pool) => {
            pool.acquire_timeout = v.nanos();
            Ok(())
        }
        None => Err(format!(
            "the call `{}` has no connection pool; give it a `pool` in the model, or put a \
             `calls.\"{}\".pool.size` axis before this one",
            edge.name, edge.name
        )),
    }
}

fn set_constant_rate(s: &mut Scenario, t: Target, v: Value) -> Result<(), String> {
    let source = &mut s.sources[t.index()];
    match source.rate {
        Rate::Constant(_) => {
            source.rate = Rate::Constant(v.real());
            Ok(())
        }
        _ => Err(format!(
            "source `{}` has a time-varying rate; sweep `sources.\"{}\".rate_factor` to scale it",
            source.name, source.name
        )),
    }
}

fn scale_rate(s: &mut Scenario, t: Target, v: Value) -> Result<(), String> {
    let source = &mut s.sources[t.index()];
    let k = v.real();
    source.rate = match &source.rate {
        Rate::Constant(r) => Rate::Constant(r * k),
        Rate::Steps(steps) => Rate::Steps(steps.iter().map(|(at, r)| (*at, r * k)).collect()),
        Rate::Ramp {
            from,
            to,
            start,
            end,
        } => Rate::Ramp {
            from: from * k,
            to: to * k,
            start: *start,
            end: *end,
        },
        Rate::Diurnal {
            mean,
            amplitude,
            period,
            peak,
        } => Rate::Diurnal {
            mean: mean * k,
            amplitude: amplitude * k,
            period: *period,
            peak: *peak,
        },
    };
    if source.rate.max() > MAX_RATE {
        return Err(format!(
            "source `{}` would peak above the {MAX_RATE}/s limit",
            source.name
        ));
    }
    Ok(())
}

fn set_duration(s: &mut Scenario, _: Target, v: Value) -> Result<(), String> {
    let d = v.nanos();
    if d <= s.warmup {
        return Err("the duration must be longer than the scenario's warm-up".into());
    }
    if d / s.window > MAX_WINDOWS {
        return Err(format!("duration / window is more than {MAX_WINDOWS} rows"));
    }
    s.duration = d;
    Ok(())
}

/// Worker threads and pool connections the configuration provisions in total: `workers ×
/// replicas` over services plus `pool size × caller replicas` over call edges (shared and
/// per-class pools). The
/// "cheapest" safe configuration is the one with the fewest.
pub fn provisioned_capacity(s: &Scenario) -> u64 {
    let m = &s.model;
    let threads: u64 = m
        .services
        .iter()
        .map(|x| u64::from(x.workers) * u64::from(x.replicas))
        .sum();
    let connections: u64 = m
        .edges
        .iter()
        .map(|e| {
            let pools = e.pool.iter().chain(e.class_pools.iter().map(|(_, p)| p));
            let size: u64 = pools.map(|p| u64::from(p.size)).sum();
            size * u64::from(m.services[e.caller as usize].replicas)
        })
        .sum();
    threads + connections
}

#[cfg(test)]
mod tests {
    use super::PARAMS;

    /// docs/sweeps.md lists every parameter, written as users write it.
    #[test]
    fn every_parameter_is_documented() {
        let doc = include_str!("../../docs/sweeps.md");
        for p in PARAMS {
            let written = p.pattern.replace("<edge>", "\"<a> -> <b>\"");
            assert!(
                doc.contains(&format!("`{written}`")),
                "docs/sweeps.md lacks `{written}`"
            );
        }
    }
}
