//! One integration-test binary; files are named by area.

mod common;
mod determinism;
mod stats;
mod theory;
