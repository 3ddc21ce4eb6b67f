//! The on-disk state of a sweep directory: `sweep.json` (what the sweep is) and one
//! `points/NNNNNN.json` per finished point (what it gave).
//!
//! Why one file per point? A point is persisted the moment it finishes, atomically, so an
//! interrupt loses at most the points still running, a rerun skips what is done, and
//! shards on different machines write disjoint files that merge by copying.
//! Floats are written in shortest round-trip form and read back exactly (serde_json's
//! `float_roundtrip`), so outputs built from these files never depend on who wrote them.

use super::params::Role;
use super::{SafeRule, Sweep};
use crate::report::write_atomically;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub const MANIFEST: &str = "sweep.json";
pub const POINTS_DIR: &str = "points";
const FORMAT: &str = "cascade-sim sweep v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub name: String,
    /// Hex FNV-1a of the sweep file, scenario file, model and version.
    pub hash: String,
    pub scenario: String,
    pub seed: u64,
    pub replications: u32,
    pub design: String,
    pub grid: bool,
    pub point_count: usize,
    pub axes: Vec<AxisInfo>,
    pub outcomes: Vec<String>,
    pub safe: Option<SafeRule>,
    pub plots: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AxisInfo {
    pub path: String,
    pub unit: String,
    /// A configuration choice (counts towards cost) rather than a condition (load).
    pub config: bool,
    /// The axis's listed or stepped values: `(label, number)`.
    pub values: Vec<(String, f64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointRecord {
    pub hash: String,
    pub point: usize,
    /// Labels of the point's axis values, in axis order.
    pub labels: Vec<String>,
    /// Numbers of the point's axis values (durations in seconds), for plots.
    pub numbers: Vec<f64>,
    /// Worker threads plus pool connections provisioned (see `params::provisioned_capacity`).
    pub capacity: u64,
    pub runs: Vec<RunRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub seed: u64,
    /// One value per manifest outcome; `None` where undefined.
    pub outcomes: Vec<Option<f64>>,
}

impl Manifest {
    pub fn of(sweep: &Sweep) -> Manifest {
        Manifest {
            format: FORMAT.into(),
            name: sweep.name.clone(),
            hash: format!("{:016x}", sweep.hash),
            scenario: sweep.base.name.clone(),
            seed: sweep.seed,
            replications: sweep.replications,
            design: sweep.design.label(),
            grid: sweep.design == super::Design::Grid,
            point_count: sweep.points.len(),
            axes: sweep
                .axes
                .iter()
                .map(|a| AxisInfo {
                    path: a.path.clone(),
                    unit: a.resolved.param.unit.into(),
                    config: a.resolved.param.role == Role::Config,
                    values: a.values.iter().map(|v| (v.label(), v.number())).collect(),
                })
                .collect(),
            outcomes: sweep.outcomes.iter().map(|o| o.name.to_string()).collect(),
            safe: sweep.safe,
            plots: sweep.plots.clone(),
        }
    }

    pub fn to_text(&self) -> String {
        let mut t = serde_json::to_string_pretty(self).expect("manifest serializes");
        t.push('\n');
        t
    }
}

pub fn read_manifest(dir: &Path) -> Result<Manifest, String> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let m: Manifest = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a sweep manifest: {e}", path.display()))?;
    if m.format != FORMAT {
        return Err(format!(
            "{} has format `{}`, expected `{FORMAT}`",
            path.display(),
            m.format
        ));
    }
    Ok(m)
}

/// Make `dir` the directory of this sweep, or check that it already is. A directory of
/// another sweep, or of the same sweep file after an edit, is refused rather than mixed.
pub fn claim_dir(dir: &Path, manifest: &Manifest) -> Result<(), RunError> {
    if dir.join(MANIFEST).is_file() {
        let existing = read_manifest(dir).map_err(RunError::Refused)?;
        if existing.hash != manifest.hash {
            return Err(RunError::Refused(format!(
                "{} holds points of a different sweep (hash {}, now {}): the sweep file, its \
                 scenario, its model or the simulator changed; delete the directory or choose \
                 another --out",
                dir.display(),
                existing.hash,
                manifest.hash
            )));
        }
    } else if dir.read_dir().is_ok_and(|mut d| d.next().is_some()) {
        return Err(RunError::Refused(format!(
            "{} is not empty and is not a sweep directory; choose another --out",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir.join(POINTS_DIR))
        .map_err(|e| RunError::Failed(format!("cannot create {}: {e}", dir.display())))?;
    if dir.join(MANIFEST).is_file() {
        return Ok(());
    }
    write_atomically(&dir.join(MANIFEST), manifest.to_text().as_bytes()).map_err(|e| {
        RunError::Failed(format!(
            "cannot write {}: {e}",
            dir.join(MANIFEST).display()
        ))
    })
}

/// Why a sweep could not run: a directory it may not use, or a failure while running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// It belongs to another sweep, or to something else (invalid input: exit code 2).
    Refused(String),
    /// The file system (or the thread pool) failed (exit code 1).
    Failed(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            RunError::Refused(m) | RunError::Failed(m) => f.write_str(m),
        }
    }
}

pub fn point_file(dir: &Path, point: usize) -> std::path::PathBuf {
    dir.join(POINTS_DIR).join(format!("{point:06}.json"))
}

pub fn write_point(dir: &Path, record: &PointRecord) -> std::io::Result<()> {
    let mut text = serde_json::to_string(record).expect("point serializes");
    text.push('\n');
    write_atomically(&point_file(dir, record.point), text.as_bytes())
}

/// The finished points in `dir` for sweep `hash`. Files of another hash, unreadable files
/// and leftover temporary files are ignored: those points simply run again.
pub fn read_points(dir: &Path, hash: &str, point_count: usize) -> BTreeMap<usize, PointRecord> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir.join(POINTS_DIR)) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(record) = serde_json::from_str::<PointRecord>(&text) else {
            continue;
        };
        let named =
            path.file_stem().and_then(|s| s.to_str()) == Some(&format!("{:06}", record.point));
        if record.hash == hash && record.point < point_count && named {
            out.insert(record.point, record);
        }
    }
    out
}
