//! Parameter sweeps: many runs of one scenario with some parameters changed, in parallel,
//! deterministic, resumable and shardable across machines.
//!
//! # Lifecycle
//! 1. **load** ([`load_sweep`]): the sweep file (RON) → [`Sweep`]: the base scenario is
//!    loaded and validated, every axis path is resolved against the [parameter
//!    table](params::PARAMS) and every value applied to a copy of the scenario, so that a
//!    bad axis fails before any point runs;
//! 2. **design** ([`design`]): the points (combinations of axis values) and the seed of
//!    every (point, replication), from the master seed alone;
//! 3. **execute** ([`execute`]): points run on a rayon pool; each finished point is
//!    written at once to `points/NNNNNN.json` (atomically) and only its outcomes are
//!    kept, so an interrupted sweep resumes where it stopped;
//! 4. **outputs** ([`outputs`]): `sweep.csv`, `points.csv`, heatmaps, line plots and
//!    `summary.txt`, built from the `points/` files alone — which is why a sharded sweep
//!    merged with [`merge`] gives the same bytes as a single run.

pub mod design;
pub mod execute;
pub mod manifest;
pub mod merge;
pub mod outcomes;
pub mod outputs;
pub mod params;
mod plots;
pub mod resolve;
pub mod spec;
mod stats;
mod tables;
mod validate;
pub mod values;
mod verdict;

pub use design::Design;
pub use execute::{run_points, Progress, Shard};
pub use manifest::{Manifest, PointRecord};
pub use validate::load_sweep;

use crate::scenario::Scenario;
use outcomes::OutcomeDef;
use params::Value;
use resolve::Resolved;
use std::path::PathBuf;
use values::Span;

/// A validated sweep: ready to run.
pub struct Sweep {
    /// Names `reports/<name>/`; never contains a path separator or `..`.
    pub name: String,
    pub file: PathBuf,
    pub base: Scenario,
    pub axes: Vec<Axis>,
    pub design: Design,
    pub replications: u32,
    pub seed: u64,
    pub outcomes: Vec<&'static OutcomeDef>,
    pub safe: Option<SafeRule>,
    /// Indices into `outcomes` of the outcomes to plot.
    pub plots: Vec<usize>,
    /// Axis values of every point, in point order.
    pub points: Vec<Vec<Value>>,
    /// Entry services (targets of the scenario's sources), for entry outcomes.
    pub entry: Vec<String>,
    /// FNV-1a of the sweep file, the scenario file, the validated model and the version:
    /// points computed under another hash are never reused.
    pub hash: u64,
}

pub struct Axis {
    /// As written in the sweep file.
    pub path: String,
    pub resolved: Resolved,
    pub values: Vec<Value>,
    pub span: Option<Span>,
}

/// A point is safe when the mean of one outcome over its replications is on the right
/// side of a threshold.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum SafeRule {
    AtLeast { outcome: usize, threshold: f64 },
    AtMost { outcome: usize, threshold: f64 },
}

impl SafeRule {
    pub fn outcome(self) -> usize {
        match self {
            SafeRule::AtLeast { outcome, .. } | SafeRule::AtMost { outcome, .. } => outcome,
        }
    }

    /// Missing values (no requests at all) are never safe.
    pub fn is_safe(self, value: Option<f64>) -> bool {
        match (self, value) {
            (SafeRule::AtLeast { threshold, .. }, Some(v)) => v >= threshold,
            (SafeRule::AtMost { threshold, .. }, Some(v)) => v <= threshold,
            (_, None) => false,
        }
    }

    /// Orders values from safest to least safe.
    pub fn safer(self, a: f64, b: f64) -> std::cmp::Ordering {
        match self {
            SafeRule::AtLeast { .. } => b.total_cmp(&a),
            SafeRule::AtMost { .. } => a.total_cmp(&b),
        }
    }
}

impl Sweep {
    /// The scenario of one run: the base with the point's values applied, in axis order.
    pub fn scenario_for(&self, point: usize, rep: u32) -> Result<Scenario, String> {
        let mut s = self.base.clone();
        for (axis, value) in self.axes.iter().zip(&self.points[point]) {
            (axis.resolved.param.apply)(&mut s, axis.resolved.target, *value)
                .map_err(|e| format!("{}: {e}", axis.path))?;
        }
        s.seed = design::run_seed(self.seed, point as u64, rep);
        Ok(s)
    }
}
