//! Turning a run into files and pictures: `summary.json`, `metrics.csv`, `run.json`, the
//! per-service table printed by `sim run`, and the pictures drawn back from a run
//! directory's files (`report.svg`, `graph.svg`, `index.html`, `sim compare`).
//! See `docs/reports.md`.

mod affected;
pub mod compare;
mod files;
pub mod graph;
pub mod html;
mod metrics_csv;
pub mod run_dir;
pub mod run_inputs;
mod run_report;
pub mod summary;
mod svg_report;
mod table;
pub mod timeline;
pub mod traces;
pub mod verdict;

pub use files::{write_atomically, write_files, write_run_outputs};
pub use metrics_csv::{edges_csv, metrics_csv};
pub use run_report::write_reports;
pub use summary::{summary_json, Summary};
pub use svg_report::report_svg;
pub use table::service_table;
pub use timeline::{timeline_csv, timeline_txt};
