//! Statistics streamed into bounded structures: per-window counters that are folded into
//! run totals once the warm-up is over, and fixed-size latency histograms.

pub mod histogram;
mod recorder;

pub use histogram::Histogram;
pub use recorder::{EdgeCounters, Recorder, ServiceCounters, ServiceRow};
