//! Drawing a run directory's pictures from its saved files: `report.svg`, `graph.svg`,
//! `graph.dot` and `index.html`. `sim run` calls this right after writing the data files,
//! `sim report` calls it on an old directory; both draw the same bytes.

use super::graph::{graph_dot, graph_svg, DepGraph};
use super::html::index_html;
use super::run_dir::{ReportError, RunDir};
use super::svg_report::report_svg;
use super::write_atomically;
use crate::model::Model;
use std::path::{Path, PathBuf};

/// Draw everything for the run in `dir`. With no `model`, the graph is drawn from the
/// edge names in `summary.json` (without timeouts and pool sizes).
pub fn write_reports(dir: &Path, model: Option<&Model>) -> Result<Vec<PathBuf>, ReportError> {
    let run = RunDir::load(dir)?;
    let report = report_svg(&run).map_err(|e| ReportError::file(&dir.join("report.svg"), e))?;
    let graph = match model {
        Some(m) => DepGraph::from_model(run.summary_str("scenario"), m),
        None => DepGraph::from_summary(&run),
    }
    .with_run_state(&run);
    let graph_svg = graph_svg(&graph);
    let files = [
        ("report.svg", report.clone()),
        ("graph.svg", graph_svg.clone()),
        ("graph.dot", graph_dot(&graph)),
    ];
    let mut written = Vec::new();
    for (name, text) in files {
        written.push(write(dir, name, &text)?);
    }
    // Reload so the page links the files just written as well.
    let run = RunDir::load(dir)?;
    written.push(write(
        dir,
        "index.html",
        &index_html(&run, &report, &graph_svg),
    )?);
    Ok(written)
}

fn write(dir: &Path, name: &str, text: &str) -> Result<PathBuf, ReportError> {
    let path = dir.join(name);
    write_atomically(&path, text.as_bytes())
        .map_err(|e| ReportError::file(&path, format!("cannot write: {e}")))?;
    Ok(path)
}
