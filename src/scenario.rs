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

/// `HH:MM:SS` of a simulated instant, given the scenario's clock start.
pub fn clock_label(start_clock_s: u64, t_ns: u64) -> String {
    let s = (start_clock_s + t_ns / 1_000_000_000) % 86_400;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}
