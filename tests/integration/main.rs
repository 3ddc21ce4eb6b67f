//! One integration-test binary; files are named by area.

mod bad_input;
mod check;
mod common;
mod determinism;
mod erlang;
mod fuzz_corpus;
mod golden;
mod guards;
mod incident;
mod incident_overlap;
mod outputs;
mod properties;
mod reports;
mod resilience;
mod stats;
mod sweep;
mod theory;
mod traces;
