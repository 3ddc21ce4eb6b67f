//! Every output file of a finished sweep, built from `sweep.json` and `points/` alone.

use super::manifest::{read_manifest, read_points, Manifest, PointRecord};
use super::stats::PointStats;
use super::{plots, tables, verdict};
use crate::report::write_files;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What is missing before outputs can be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub done: usize,
    pub total: usize,
    /// The first few missing point indices.
    pub first: Vec<usize>,
}

/// Read a sweep directory; `Err(Ok(missing))` when some points have not run yet.
pub fn read_complete(dir: &Path) -> Result<(Manifest, Vec<PointRecord>), Result<Missing, String>> {
    let m = read_manifest(dir).map_err(Err)?;
    let found = read_points(dir, &m.hash, m.point_count);
    check_complete(m, found)
}

pub fn check_complete(
    m: Manifest,
    found: BTreeMap<usize, PointRecord>,
) -> Result<(Manifest, Vec<PointRecord>), Result<Missing, String>> {
    if found.len() < m.point_count {
        let first = (0..m.point_count)
            .filter(|p| !found.contains_key(p))
            .take(5)
            .collect();
        return Err(Ok(Missing {
            done: found.len(),
            total: m.point_count,
            first,
        }));
    }
    Ok((m, found.into_values().collect()))
}

/// Write `sweep.csv`, `points.csv`, `summary.txt`, heatmaps and line plots into `dir`.
pub fn write_outputs(
    dir: &Path,
    m: &Manifest,
    records: &[PointRecord],
) -> std::io::Result<Vec<PathBuf>> {
    let stats: Vec<PointStats> = records
        .iter()
        .map(|r| PointStats::of(r, m.outcomes.len()))
        .collect();
    let mut files: Vec<(String, String)> = vec![
        ("sweep.csv".into(), tables::sweep_csv(m, &stats)),
        ("points.csv".into(), tables::points_csv(m, &stats)),
        ("summary.txt".into(), verdict::summary_text(m, &stats)),
    ];
    files.extend(plots::all_plots(m, &stats));
    write_files(dir, files)
}
