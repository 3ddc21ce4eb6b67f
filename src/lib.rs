//! cascade-sim: a deterministic discrete-event simulator of cascading failures in
//! service systems.
//!
//! # Lifecycle
//! 1. **load**: RON text → `spec` types ([`load`], [`spec`]);
//! 2. **validate**: spec → [`model::Model`] and [`scenario::Scenario`], with every problem
//!    reported as a [`diag::Diagnostic`] (file, line:column, field path, hint);
//! 3. **build and run**: [`engine::Simulation`] advances simulated time in integer
//!    nanoseconds, event by event;
//! 4. **report**: [`report`] turns the [`engine::RunResult`] into `summary.json`,
//!    `metrics.csv` and a readable table.
//!
//! Same scenario and seed ⇒ byte-identical deterministic outputs.

pub mod diag;
pub mod engine;
pub mod expect;
pub mod fuzz;
pub mod load;
pub mod model;
pub mod observe;
pub mod outcome;
pub mod policy;
pub mod report;
pub mod run;
pub mod scenario;
pub mod spec;
pub mod sweep;
