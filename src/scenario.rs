//! The validated scenario: a model, a clock, a seed and the workload that drives it.

pub mod incident;
mod rate;
mod validate;

pub use rate::Rate;
pub use validate::{
    check_run_length, load_model_file, load_scenario, resolve_scenario_path, scenario_name,
    validate_scenario,
};
pub use validate::{MAX_RATE, MAX_WINDOWS};

use crate::model::{ClassId, Model, OpId, ServiceId};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Scenario {
    /// File stem of the scenario; names the default output directory.
    pub name: String,
    pub file: PathBuf,
    pub model_file: PathBuf,
    pub model: Model,
    /// Seconds after midnight at simulated time zero (for `HH:MM:SS` labels).
    pub start_clock_s: u64,
    /// Simulated length [ns].
    pub duration: u64,
    /// Statistics before this time [ns] are discarded.
    pub warmup: u64,
    pub seed: u64,
    /// Length of one `metrics.csv` row [ns].
    pub window: u64,
    pub sources: Vec<Source>,
    pub incident: incident::Incident,
}

#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub service: ServiceId,
    pub op: OpId,
    pub rate: Rate,
    pub class: ClassId,
}

/// Seconds after midnight of a `"HH:MM:SS"` clock time; the inverse of [`clock_label`].
pub fn parse_clock(text: &str) -> Option<u64> {
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() != 3 {
        return None;
    }
    let nums: Vec<u64> = parts
        .iter()
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    (nums[0] < 24 && nums[1] < 60 && nums[2] < 60).then(|| nums[0] * 3600 + nums[1] * 60 + nums[2])
}

/// `HH:MM:SS` of a simulated instant, given the scenario's clock start.
pub fn clock_label(start_clock_s: u64, t_ns: u64) -> String {
    let s = (start_clock_s + t_ns / 1_000_000_000) % 86_400;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}
