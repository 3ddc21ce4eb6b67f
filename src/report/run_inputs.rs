//! `run-inputs.json`: which scenario and model files a run came from, and which services
//! the workload feeds, so that `sim report <dir>` can draw the dependency graph without
//! being told the model again.
//!
//! Paths are stored absolute (canonicalised when `sim run` writes them) so the file keeps
//! working from any working directory; `sim report --model` overrides a moved model.

use super::run_dir::{read_optional, ReportError};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "run-inputs.json";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunInputs {
    pub scenario: PathBuf,
    pub model: PathBuf,
    /// Services that sources send requests to, in the scenario's order.
    #[serde(default)]
    pub entry_services: Vec<String>,
}

impl RunInputs {
    pub fn new(scenario: &Path, model: &Path, entry_services: Vec<String>) -> RunInputs {
        let absolute = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        RunInputs {
            scenario: absolute(scenario),
            model: absolute(model),
            entry_services,
        }
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("run inputs serialize");
        text.push('\n');
        text
    }

    /// `None` when the directory has no `run-inputs.json` (older runs).
    pub fn read(dir: &Path) -> Result<Option<RunInputs>, ReportError> {
        let path = dir.join(FILE_NAME);
        let Some(text) = read_optional(&path)? else {
            return Ok(None);
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| ReportError::at(&path, e.line(), format!("invalid run inputs: {e}")))
    }
}
