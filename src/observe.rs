//! Statistics streamed into bounded structures: per-window counters that are folded into
//! run totals once the warm-up is over, and fixed-size latency histograms.

mod counters;
pub mod histogram;
mod recorder;
mod rows;
pub mod timeline;

pub use counters::{EdgeCounters, ServiceCounters};
pub use histogram::Histogram;
pub use recorder::Recorder;
pub use rows::{EdgeRow, ServiceRow};
pub use timeline::{DetectedKind, Timeline, TimelineEvent};
