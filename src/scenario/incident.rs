//! The validated incident of a scenario: scripted actions with resolved ids and times,
//! chaos injectors, detector thresholds and expectations.

use super::parse_clock;
use crate::diag::{did_you_mean, Diagnostic, Source as Text};
use crate::model::{build_dist, Dist, EdgeId, Model, ServiceId};
use crate::policy::retry::MAX_ATTEMPTS;
use crate::spec::incident::{ActionSpec, ChaosSpec, DetectorsSpec, ExpectSpec, StepSpec, WhenSpec};
use crate::spec::units::format_duration;

#[derive(Debug, Clone)]
pub struct Incident {
    pub steps: Vec<Step>,
    pub chaos: Vec<Chaos>,
    pub detectors: Detectors,
    pub expect: Vec<Expect>,
}

#[derive(Debug, Clone)]
pub struct Step {
    /// When it takes effect [ns after the start].
    pub at: u64,
    pub action: Action,
    /// When it is undone, if it is.
    pub until: Option<u64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Action {
    SlowDown {
        service: ServiceId,
        factor: f64,
    },
    SetLatency {
        service: ServiceId,
        latency: Dist,
    },
    SetErrorRate {
        service: ServiceId,
        rate: f64,
    },
    Crash {
        service: ServiceId,
        replicas: u32,
    },
    SetReplicas {
        service: ServiceId,
        replicas: u32,
    },
    SetWorkers {
        service: ServiceId,
        workers: u32,
    },
    SetPoolSize {
        edge: EdgeId,
        size: u32,
    },
    LeakConnections {
        edge: EdgeId,
        count: u32,
    },
    SetTimeout {
        edge: EdgeId,
        timeout: u64,
    },
    SetRetries {
        edge: EdgeId,
        max_attempts: u32,
    },
    SetFallback {
        edge: EdgeId,
        enabled: bool,
    },
    Traffic {
        source: Option<u32>,
        multiplier: f64,
    },
    BlackHole {
        service: ServiceId,
    },
    Partition {
        a: ServiceId,
        b: ServiceId,
    },
}

#[derive(Debug, Clone)]
pub struct Chaos {
    pub name: String,
    pub edge: EdgeId,
    /// Probability per call.
    pub probability: f64,
    /// Added delay range [ns]; `None` drops the connection instead.
    pub delay: Option<(u64, u64)>,
    pub from: u64,
    pub to: u64,
}

#[derive(Debug, Clone)]
pub struct Detectors {
    pub interval: u64,
    pub pool_sustain: u64,
    pub queue_share: f64,
    pub queue_wait: u64,
    pub queuing_services: u32,
    pub memory_window: u64,
    pub entry: ServiceId,
    pub outage_success_rate: f64,
    pub outage_window: u64,
    pub recovery_share: f64,
}

#[derive(Debug, Clone)]
pub enum Expect {
    Outage {
        declared: bool,
        between: Option<(u64, u64)>,
    },
    Timeline {
        phrase: String,
        between: Option<(u64, u64)>,
        present: bool,
    },
    SuccessRate {
        at_least: f64,
    },
    P99 {
        at_most: u64,
    },
    Recovered {
        within: u64,
    },
}

/// Resolves names and times, collecting every problem.
pub struct IncidentChecker<'a> {
    pub src: &'a Text,
    pub model: &'a Model,
    pub start_clock_s: u64,
    pub source_names: Vec<String>,
    pub errors: Vec<Diagnostic>,
}

impl IncidentChecker<'_> {
    fn fail(&mut self, path: String, needle: &str, message: String, hint: String) {
        let loc = self.src.find_quoted(&[], needle).or_else(|| {
            self.src
                .find_field(&[], path.split('.').next().unwrap_or(""))
        });
        self.errors
            .push(self.src.error(loc, path, message).with_hint(hint));
    }

    fn service(&mut self, path: &str, name: &str) -> ServiceId {
        if let Some(id) = self.model.service_id(name) {
            return id;
        }
        let names: Vec<&str> = self
            .model
            .services
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        let hint = did_you_mean(name, names.iter().copied()).map_or_else(
            || format!("services are: {}", names.join(", ")),
            |n| format!("did you mean `{n}`?"),
        );
        self.fail(
            path.to_string(),
            name,
            format!("unknown service `{name}`"),
            hint,
        );
        0
    }

    fn edge(&mut self, path: &str, name: &str) -> EdgeId {
        let normal = name
            .split("->")
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" -> ");
        if let Some(i) = self.model.edges.iter().position(|e| e.name == normal) {
            return i as EdgeId;
        }
        let names: Vec<&str> = self.model.edges.iter().map(|e| e.name.as_str()).collect();
        let hint = did_you_mean(&normal, names.iter().copied()).map_or_else(
            || format!("edges are: {}", names.join(", ")),
            |n| format!("did you mean `{n}`?"),
        );
        self.fail(
            path.to_string(),
            name,
            format!("unknown edge `{name}` (no operation makes this call)"),
            hint,
        );
        0
    }

    /// A clock time or an offset, as ns after the start.
    fn when(&mut self, path: &str, when: &WhenSpec, duration: u64) -> u64 {
        let t = match when {
            WhenSpec::After(d) => d.0,
            WhenSpec::At(clock) => match parse_clock(clock) {
                Some(s) => {
                    // A clock time earlier than the start is taken to be on the next day.
                    let offset = (s + 86_400 - self.start_clock_s % 86_400) % 86_400;
                    offset * 1_000_000_000
                }
                None => {
                    self.fail(
                        path.to_string(),
                        clock,
                        format!("`{clock}` is not a clock time"),
                        "write \"HH:MM:SS\", or After(\"3m\") for an offset".into(),
                    );
                    0
                }
            },
        };
        if t > duration {
            self.fail(
                path.to_string(),
                "",
                format!(
                    "this happens {} after the start, after the scenario ends ({})",
                    format_duration(t),
                    format_duration(duration)
                ),
                "move it inside the run or lengthen `duration`".into(),
            );
        }
        t
    }

    fn positive(&mut self, path: &str, value: f64, what: &str) -> f64 {
        if !value.is_finite() || value <= 0.0 || value > 1e6 {
            self.fail(
                path.to_string(),
                "",
                format!("{what} = {value} must be a positive, finite number (at most 1e6)"),
                "e.g. 2.0".into(),
            );
            return 1.0;
        }
        value
    }

    fn fraction(&mut self, path: &str, value: f64, what: &str) -> f64 {
        if !value.is_finite() || !(0.0..=1.0).contains(&value) {
            self.fail(
                path.to_string(),
                "",
                format!("{what} = {value} is outside 0..=1"),
                "write a fraction, e.g. 0.05".into(),
            );
            return 0.0;
        }
        value
    }

    pub fn steps(&mut self, specs: &[StepSpec], duration: u64) -> Vec<Step> {
        let mut out = Vec::new();
        for (i, s) in specs.iter().enumerate() {
            let path = format!("incident[{i}]");
            let at = self.when(&format!("{path}.when"), &s.when, duration);
            let action = self.action(&format!("{path}.action"), &s.action);
            let until = s.lasting.map(|d| at.saturating_add(d.0));
            out.push(Step {
                at,
                action,
                until,
                note: s.note.clone(),
            });
        }
        out
    }

    fn action(&mut self, path: &str, a: &ActionSpec) -> Action {
        match a {
            ActionSpec::SlowDown { service, factor } => Action::SlowDown {
                service: self.service(path, service),
                factor: self.positive(path, *factor, "factor"),
            },
            ActionSpec::SetLatency { service, latency } => {
                let service = self.service(path, service);
                let latency = build_dist(latency).unwrap_or_else(|m| {
                    self.fail(
                        path.into(),
                        "",
                        m,
                        "see docs/model-format.md, Distributions".into(),
                    );
                    Dist::Constant(0)
                });
                Action::SetLatency { service, latency }
            }
            ActionSpec::SetErrorRate { service, rate } => Action::SetErrorRate {
                service: self.service(path, service),
                rate: self.fraction(path, *rate, "rate"),
            },
            ActionSpec::Crash { service, replicas } => Action::Crash {
                service: self.service(path, service),
                replicas: *replicas,
            },
            ActionSpec::SetReplicas { service, replicas } => {
                let id = self.service(path, service);
                let max = self.model.services[id as usize].replicas;
                if *replicas > max {
                    self.fail(path.into(), service, format!("`{service}` has {max} replicas in the model; SetReplicas can only take some down and bring them back"), format!("use at most {max}").clone());
                }
                Action::SetReplicas {
                    service: id,
                    replicas: (*replicas).min(max),
                }
            }
            ActionSpec::SetWorkers { service, workers } => {
                if *workers == 0 {
                    self.fail(
                        path.into(),
                        service,
                        "workers must be at least 1".into(),
                        "use SetReplicas or Crash to take a service down".into(),
                    );
                }
                Action::SetWorkers {
                    service: self.service(path, service),
                    workers: (*workers).max(1),
                }
            }
            ActionSpec::SetPoolSize { edge, size } => {
                let id = self.edge(path, edge);
                if self.model.edges[id as usize].pool.is_none() {
                    self.fail(
                        path.into(),
                        edge,
                        format!("edge `{edge}` has no connection pool"),
                        "give the edge a `pool` in the model".into(),
                    );
                }
                Action::SetPoolSize {
                    edge: id,
                    size: *size,
                }
            }
            ActionSpec::LeakConnections { edge, count } => {
                let id = self.edge(path, edge);
                if self.model.edges[id as usize].pool.is_none() {
                    self.fail(
                        path.into(),
                        edge,
                        format!("edge `{edge}` has no connection pool to leak from"),
                        "give the edge a `pool` in the model".into(),
                    );
                }
                Action::LeakConnections {
                    edge: id,
                    count: *count,
                }
            }
            ActionSpec::SetTimeout { edge, timeout } => {
                if timeout.0 == 0 {
                    self.fail(
                        path.into(),
                        edge,
                        "a timeout of 0 fails every call".into(),
                        "give a positive duration".into(),
                    );
                }
                Action::SetTimeout {
                    edge: self.edge(path, edge),
                    timeout: timeout.0.max(1),
                }
            }
            ActionSpec::SetRetries { edge, max_attempts } => {
                let id = self.edge(path, edge);
                if *max_attempts == 0 || *max_attempts > MAX_ATTEMPTS {
                    self.fail(
                        path.into(),
                        edge,
                        format!("max_attempts = {max_attempts} is outside 1..={MAX_ATTEMPTS}"),
                        "it counts the first try: 1 means no retries, 3 two retries".into(),
                    );
                }
                if self.model.edges[id as usize].retry.is_none() && *max_attempts > 1 {
                    self.fail(
                        path.into(),
                        edge,
                        format!("edge `{edge}` has no retry policy to change"),
                        "give the edge `retry: Retry(...)` in the model".into(),
                    );
                }
                Action::SetRetries {
                    edge: id,
                    max_attempts: (*max_attempts).clamp(1, MAX_ATTEMPTS),
                }
            }
            ActionSpec::SetFallback { edge, enabled } => {
                let id = self.edge(path, edge);
                if self.model.edges[id as usize].fallback.is_none() {
                    self.fail(
                        path.into(),
                        edge,
                        format!("edge `{edge}` has no fallback to switch"),
                        "give the edge `fallback: Fallback(...)` in the model".into(),
                    );
                }
                Action::SetFallback {
                    edge: id,
                    enabled: *enabled,
                }
            }
            ActionSpec::Traffic { source, multiplier } => {
                let source = source.as_ref().map(|name| {
                    match self.source_names.iter().position(|s| s == name) {
                        Some(i) => i as u32,
                        None => {
                            let hint = format!("sources are: {}", self.source_names.join(", "));
                            self.fail(path.into(), name, format!("unknown source `{name}`"), hint);
                            0
                        }
                    }
                });
                if !multiplier.is_finite() || *multiplier < 0.0 || *multiplier > 1e4 {
                    self.fail(
                        path.into(),
                        "",
                        format!("multiplier = {multiplier} must be within 0..=10000"),
                        "1 is the normal rate".into(),
                    );
                }
                Action::Traffic {
                    source,
                    multiplier: multiplier.clamp(0.0, 1e4),
                }
            }
            ActionSpec::BlackHole { service } => Action::BlackHole {
                service: self.service(path, service),
            },
            ActionSpec::Partition { a, b } => Action::Partition {
                a: self.service(path, a),
                b: self.service(path, b),
            },
        }
    }

    pub fn chaos(&mut self, specs: &[ChaosSpec], duration: u64) -> Vec<Chaos> {
        let mut out = Vec::new();
        for (i, c) in specs.iter().enumerate() {
            let path = format!("chaos[{i}]");
            let (edge, percent, delay, from, to) = match c {
                ChaosSpec::Latency {
                    edge,
                    percent,
                    min,
                    max,
                    from,
                    to,
                } => {
                    if min.0 > max.0 {
                        self.fail(
                            path.clone(),
                            edge,
                            "min delay is greater than max".into(),
                            "write min ≤ max".into(),
                        );
                    }
                    (edge, *percent, Some((min.0, max.0.max(min.0))), from, to)
                }
                ChaosSpec::DropConnections {
                    edge,
                    percent,
                    from,
                    to,
                } => (edge, *percent, None, from, to),
            };
            let edge_id = self.edge(&path, edge);
            let probability =
                self.fraction(&format!("{path}.percent"), percent / 100.0, "percent / 100");
            let from = self.when(&format!("{path}.from"), from, duration);
            let to = self.when(&format!("{path}.to"), to, duration);
            if to <= from {
                self.fail(
                    path.clone(),
                    edge,
                    "the chaos window ends before it starts".into(),
                    "`to` must come after `from`".into(),
                );
            }
            out.push(Chaos {
                name: format!("chaos[{i}]:{edge}"),
                edge: edge_id,
                probability,
                delay,
                from,
                to,
            });
        }
        out
    }

    pub fn detectors(&mut self, d: &DetectorsSpec, default_entry: ServiceId) -> Detectors {
        let entry = d
            .entry
            .as_ref()
            .map_or(default_entry, |e| self.service("detectors.entry", e));
        for (name, value) in [
            ("interval", d.interval.0),
            ("outage_window", d.outage_window.0),
            ("memory_window", d.memory_window.0),
        ] {
            if value == 0 {
                self.fail(
                    format!("detectors.{name}"),
                    name,
                    format!("{name} must be greater than 0"),
                    "give a positive duration".into(),
                );
            }
        }
        Detectors {
            interval: d.interval.0.max(1_000_000),
            pool_sustain: d.pool_sustain.0,
            queue_share: self.fraction("detectors.queue_share", d.queue_share, "queue_share"),
            queue_wait: d.queue_wait.0,
            queuing_services: d.queuing_services.max(1),
            memory_window: d.memory_window.0.max(1),
            entry,
            outage_success_rate: self.fraction(
                "detectors.outage_success_rate",
                d.outage_success_rate,
                "outage_success_rate",
            ),
            outage_window: d.outage_window.0.max(1),
            recovery_share: self.fraction(
                "detectors.recovery_share",
                d.recovery_share,
                "recovery_share",
            ),
        }
    }

    pub fn expect(&mut self, specs: &[ExpectSpec], duration: u64) -> Vec<Expect> {
        let mut out = Vec::new();
        for (i, e) in specs.iter().enumerate() {
            let path = format!("expect[{i}]");
            let between = |this: &mut Self, b: &Option<(String, String)>| {
                b.as_ref().map(|(from, to)| {
                    let from = this.when(&path, &WhenSpec::At(from.clone()), u64::MAX);
                    let to = this.when(&path, &WhenSpec::At(to.clone()), u64::MAX);
                    (from, to)
                })
            };
            out.push(match e {
                ExpectSpec::Outage {
                    declared,
                    between: b,
                } => Expect::Outage {
                    declared: *declared,
                    between: between(self, b),
                },
                ExpectSpec::Timeline { phrase, between: b } => Expect::Timeline {
                    phrase: phrase.clone(),
                    between: between(self, b),
                    present: true,
                },
                ExpectSpec::NoTimeline { phrase } => Expect::Timeline {
                    phrase: phrase.clone(),
                    between: None,
                    present: false,
                },
                ExpectSpec::SuccessRate { at_least } => Expect::SuccessRate {
                    at_least: self.fraction(&path, *at_least, "at_least"),
                },
                ExpectSpec::P99 { at_most } => Expect::P99 { at_most: at_most.0 },
                ExpectSpec::Recovered { within } => Expect::Recovered {
                    within: within.0.min(duration),
                },
            });
        }
        out
    }
}
