//! Turning a run into files and text: `summary.json`, `metrics.csv`, `run.json` and the
//! per-service table printed by `sim run`.

mod files;
mod metrics_csv;
pub mod summary;
mod table;
pub mod timeline;
pub mod verdict;

pub use files::{write_atomically, write_run_outputs};
pub use metrics_csv::{edges_csv, metrics_csv};
pub use summary::{summary_json, Summary};
pub use table::service_table;
pub use timeline::{timeline_csv, timeline_txt};
