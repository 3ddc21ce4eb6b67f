//! A run directory read back from its files: the single source of every picture.
//!
//! `sim run` writes `summary.json` and `metrics.csv` (and, as the engine grows,
//! `edges.csv` and `timeline.csv`), then draws the report from those files exactly as
//! `sim report <dir>` does later: the picture can never show something the saved data
//! does not hold. Columns and fields are looked up by name; optional files and columns
//! may be missing and the panels that need them say so.

mod csv_table;
mod metrics;
mod timeline;

pub use csv_table::CsvTable;
pub use metrics::{BreakerState, EdgeSeries, EdgeWindow, Metrics, ServiceSeries, ServiceWindow};
pub use timeline::{EventKind, TimelineEvent};

use super::run_inputs::RunInputs;
use std::path::{Path, PathBuf};

/// Why a run directory could not be read: the file, the line when there is one, and what
/// was wrong.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {message}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ReportError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl ReportError {
    pub fn at(file: &Path, line: usize, message: impl Into<String>) -> ReportError {
        ReportError {
            file: file.to_path_buf(),
            line: Some(line),
            message: message.into(),
        }
    }

    pub fn file(file: &Path, message: impl Into<String>) -> ReportError {
        ReportError {
            file: file.to_path_buf(),
            line: None,
            message: message.into(),
        }
    }
}

pub struct RunDir {
    pub dir: PathBuf,
    /// `summary.json` as written; read by field name so new fields never break it.
    pub summary: serde_json::Value,
    pub metrics: Metrics,
    /// Names of the files present except `index.html`, for the page's links (sorted).
    pub files: Vec<String>,
    pub events: Vec<TimelineEvent>,
    pub inputs: Option<RunInputs>,
}

impl RunDir {
    pub fn load(dir: &Path) -> Result<RunDir, ReportError> {
        let summary_path = dir.join("summary.json");
        let summary_text = read(&summary_path)?;
        let summary: serde_json::Value = serde_json::from_str(&summary_text).map_err(|e| {
            ReportError::at(&summary_path, e.line(), format!("not valid JSON: {e}"))
        })?;
        let metrics_path = dir.join("metrics.csv");
        let table = CsvTable::parse(&metrics_path, &read(&metrics_path)?)?;
        let edges_path = dir.join("edges.csv");
        let edges = match read_optional(&edges_path)? {
            Some(text) => Some((edges_path.clone(), CsvTable::parse(&edges_path, &text)?)),
            None => None,
        };
        let metrics = Metrics::from_tables(&metrics_path, &table, edges.as_ref())?;
        let events = timeline::load(dir, &metrics)?;
        let inputs = RunInputs::read(dir)?;
        Ok(RunDir {
            dir: dir.to_path_buf(),
            summary,
            metrics,
            files: list_files(dir),
            events,
            inputs,
        })
    }

    /// A string field of `summary.json`, or `""`.
    pub fn summary_str(&self, field: &str) -> &str {
        self.summary[field].as_str().unwrap_or("")
    }

    /// Services fed by the workload: from `run-inputs.json` when present, else the
    /// `entry.service` of `summary.json`, else the services no edge of `summary.json` calls.
    pub fn entry_services(&self) -> Vec<String> {
        if let Some(inputs) = &self.inputs {
            if !inputs.entry_services.is_empty() {
                return inputs.entry_services.clone();
            }
        }
        if let Some(entry) = self.summary["entry"]["service"].as_str() {
            return vec![entry.to_string()];
        }
        let callees: Vec<&str> = self.summary["edges"]
            .as_object()
            .map(|edges| {
                edges
                    .keys()
                    .filter_map(|k| k.split(" -> ").nth(1))
                    .collect()
            })
            .unwrap_or_default();
        let entries: Vec<String> = self
            .metrics
            .services
            .iter()
            .map(|s| s.name.clone())
            .filter(|n| !callees.contains(&n.as_str()))
            .collect();
        if entries.is_empty() {
            self.metrics
                .services
                .iter()
                .map(|s| s.name.clone())
                .take(1)
                .collect()
        } else {
            entries
        }
    }
}

pub(crate) fn read(path: &Path) -> Result<String, ReportError> {
    std::fs::read_to_string(path)
        .map_err(|e| ReportError::file(path, format!("cannot read: {e}; is this a run directory?")))
}

pub(crate) fn read_optional(path: &Path) -> Result<Option<String>, ReportError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ReportError::file(path, format!("cannot read: {e}"))),
    }
}

fn list_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .filter_map(|e| e.file_name().into_string().ok())
                // The page does not link itself, so its links do not depend on whether
                // it existed when the run was (re)drawn.
                .filter(|n| !n.starts_with('.') && !n.ends_with(".tmp") && n != "index.html")
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}
