//! Writing a run's files: each to a temporary name first, then renamed, so an interrupted
//! run never leaves a half-written file behind.

use crate::engine::RunResult;
use crate::scenario::Scenario;
use std::io;
use std::path::{Path, PathBuf};

pub fn write_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, path)
}

/// Write `summary.json` and `metrics.csv` into `dir`; returns the paths written.
pub fn write_run_outputs(
    dir: &Path,
    scenario: &Scenario,
    result: &RunResult,
) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let files = [
        ("summary.json", super::summary_json(scenario, result)),
        ("metrics.csv", super::metrics_csv(scenario, result)),
        ("edges.csv", super::edges_csv(scenario, result)),
        ("timeline.txt", super::timeline_txt(scenario, result)),
        ("timeline.csv", super::timeline_csv(scenario, result)),
    ];
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        write_atomically(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}
