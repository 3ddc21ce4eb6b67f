//! Serde types for a scenario's incident: scripted actions, chaos injectors, detector
//! thresholds and the expectations `sim test` checks.

use super::model::DistSpec;
use super::units::Dur;
use serde::Deserialize;

/// When an action takes effect: a clock time (`"14:23:15"`) or an offset from the
/// scenario start (`"+3m15s"` is not needed: write `After("195s")`).
#[derive(Debug, Clone, Deserialize)]
pub enum WhenSpec {
    At(String),
    After(Dur),
}

/// One scripted action, optionally undone after `lasting`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Step", deny_unknown_fields)]
pub struct StepSpec {
    pub when: WhenSpec,
    pub action: ActionSpec,
    /// End the step after this long; absent means it stays. Steps on the same setting
    /// compose (docs/incidents.md).
    #[serde(default)]
    pub lasting: Option<Dur>,
    /// Text for the timeline; a description is generated when absent.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub enum ActionSpec {
    /// Multiply the service's work times by `factor`.
    SlowDown {
        service: String,
        factor: f64,
    },
    /// Replace the service's work times by samples of this distribution.
    SetLatency {
        service: String,
        latency: DistSpec,
    },
    SetErrorRate {
        service: String,
        rate: f64,
    },
    /// Crash `replicas` replicas (they restart after the service's `restart_after`,
    /// or 30 s without a memory model).
    Crash {
        service: String,
        replicas: u32,
    },
    /// Keep only `replicas` replicas running (at most the model's count).
    SetReplicas {
        service: String,
        replicas: u32,
    },
    SetWorkers {
        service: String,
        workers: u32,
    },
    SetPoolSize {
        edge: String,
        size: u32,
    },
    /// Connections taken from each caller replica's pool and never given back.
    LeakConnections {
        edge: String,
        count: u32,
    },
    SetTimeout {
        edge: String,
        timeout: Dur,
    },
    SetRetries {
        edge: String,
        max_attempts: u32,
    },
    /// Switch an edge's fallback on or off (a feature flag).
    SetFallback {
        edge: String,
        enabled: bool,
    },
    /// Multiply the rate of every source (or the named one).
    Traffic {
        #[serde(default)]
        source: Option<String>,
        multiplier: f64,
    },
    /// Requests to the service vanish: callers wait until their timeout.
    BlackHole {
        service: String,
    },
    /// Calls between the two services (both directions) hang until their timeout.
    Partition {
        a: String,
        b: String,
    },
}

/// Fault injection with its own seeded stream, active between `from` and `to`.
#[derive(Debug, Clone, Deserialize)]
pub enum ChaosSpec {
    /// Delay `percent` % of the calls on an edge by `U(min, max)` before they reach the
    /// callee.
    Latency {
        edge: String,
        percent: f64,
        min: Dur,
        max: Dur,
        from: WhenSpec,
        to: WhenSpec,
    },
    /// Fail `percent` % of the calls on an edge at once, as a dropped connection.
    DropConnections {
        edge: String,
        percent: f64,
        from: WhenSpec,
        to: WhenSpec,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Detectors", deny_unknown_fields)]
pub struct DetectorsSpec {
    /// How often the detectors look [default 1s].
    #[serde(default = "one_second")]
    pub interval: Dur,
    /// A pool counts as saturated once it has been full with callers waiting this long.
    #[serde(default = "five_seconds")]
    pub pool_sustain: Dur,
    /// A service is queuing when its queue is fuller than this share of its capacity…
    #[serde(default = "half")]
    pub queue_share: f64,
    /// …or when its oldest queued request has waited longer than this.
    #[serde(default = "one_second")]
    pub queue_wait: Dur,
    /// "Upstream services begin queuing" once this many services queue at once that wait,
    /// directly or through others, on a service already in trouble.
    #[serde(default = "three")]
    pub queuing_services: u32,
    /// Crashes of different services within this window are counted together.
    #[serde(default = "five_minutes")]
    pub memory_window: Dur,
    /// The service whose success rate decides the outage; default: the first source's.
    #[serde(default)]
    pub entry: Option<String>,
    /// Outage: the entry's success rate (ok + degraded over all answers) below this…
    #[serde(default = "half")]
    pub outage_success_rate: f64,
    /// …over a sliding window this long.
    #[serde(default = "one_minute")]
    pub outage_window: Dur,
    /// Recovered: the entry's goodput back to this share of its pre-incident level.
    #[serde(default = "recovery_share")]
    pub recovery_share: f64,
}

impl Default for DetectorsSpec {
    fn default() -> Self {
        DetectorsSpec {
            interval: one_second(),
            pool_sustain: five_seconds(),
            queue_share: 0.5,
            queue_wait: one_second(),
            queuing_services: 3,
            memory_window: five_minutes(),
            entry: None,
            outage_success_rate: 0.5,
            outage_window: one_minute(),
            recovery_share: 0.95,
        }
    }
}

fn one_second() -> Dur {
    Dur(1_000_000_000)
}

fn five_seconds() -> Dur {
    Dur(5_000_000_000)
}

fn one_minute() -> Dur {
    Dur(60_000_000_000)
}

fn five_minutes() -> Dur {
    Dur(300_000_000_000)
}

fn three() -> u32 {
    3
}

fn half() -> f64 {
    0.5
}

fn recovery_share() -> f64 {
    0.95
}

/// A check `sim test` makes on the run.
#[derive(Debug, Clone, Deserialize)]
pub enum ExpectSpec {
    /// An outage is (or is not) declared, optionally between two clock times.
    Outage {
        declared: bool,
        #[serde(default)]
        between: Option<(String, String)>,
    },
    /// A timeline line containing `phrase` appears, optionally between two clock times.
    Timeline {
        phrase: String,
        #[serde(default)]
        between: Option<(String, String)>,
    },
    /// A timeline line containing `phrase` never appears.
    NoTimeline { phrase: String },
    /// The entry's success rate over the measured period is at least this.
    SuccessRate { at_least: f64 },
    /// The entry's p99 latency over the measured period is at most this.
    P99 { at_most: Dur },
    /// After the last trigger ends, goodput recovers within this long.
    Recovered { within: Dur },
}
