//! The scenario file: which model, how long, which seed, and the workload.

use super::units::Dur;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Scenario", deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Path of the model file, relative to the scenario file.
    pub model: String,
    /// Wall-clock time at simulated time zero, `"HH:MM:SS"`.
    #[serde(default = "midnight")]
    pub start: String,
    pub duration: Dur,
    #[serde(default)]
    pub warmup: Dur,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Length of one row of `metrics.csv`.
    #[serde(default = "ten_seconds")]
    pub window: Dur,
    pub sources: Vec<SourceSpec>,
    /// Scripted actions: the trigger and the operators' interventions.
    #[serde(default)]
    pub incident: Vec<super::incident::StepSpec>,
    /// Seeded fault injection over time windows.
    #[serde(default)]
    pub chaos: Vec<super::incident::ChaosSpec>,
    /// Thresholds of the incident detectors and the outage (SLO) rule.
    #[serde(default)]
    pub detectors: super::incident::DetectorsSpec,
    /// What `sim test` checks.
    #[serde(default)]
    pub expect: Vec<super::incident::ExpectSpec>,
}

fn midnight() -> String {
    "00:00:00".into()
}

fn default_seed() -> u64 {
    1
}

fn ten_seconds() -> Dur {
    Dur(10_000_000_000)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Source", deny_unknown_fields)]
pub struct SourceSpec {
    /// Defaults to the target; names the source's random stream.
    #[serde(default)]
    pub name: Option<String>,
    /// Entry operation, `"service/operation"`.
    pub target: String,
    pub rate: RateSpec,
    /// Request class (`"critical"`, `"bulk"` or any name), carried to every downstream call.
    #[serde(default)]
    pub class: Option<String>,
}

/// Requests per second over time (offsets from the scenario start).
#[derive(Debug, Clone, Deserialize)]
pub enum RateSpec {
    Constant(f64),
    /// `(from offset, rate)` pairs; the first must start at `"0s"`.
    Steps(Vec<(Dur, f64)>),
    /// Linear change from `from` to `to` between `start` and `end`, constant outside.
    Ramp {
        from: f64,
        to: f64,
        start: Dur,
        end: Dur,
    },
    /// `mean + amplitude · cos(2π (t − peak) / period)`.
    Diurnal {
        mean: f64,
        amplitude: f64,
        period: Dur,
        #[serde(default)]
        peak: Dur,
    },
}
