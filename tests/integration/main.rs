//! One integration-test binary; files are named by area.

mod check;
mod common;
mod determinism;
mod incident;
mod reports;
mod resilience;
mod stats;
mod sweep;
mod theory;
