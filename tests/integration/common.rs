//! Helpers shared by the integration tests.

#![allow(dead_code)]

use cascade_sim::diag::Source;
use cascade_sim::model::validate_model;
use cascade_sim::scenario::{validate_scenario, Scenario};
use cascade_sim::spec::{ModelSpec, ScenarioSpec};
use std::path::{Path, PathBuf};

/// The repository root (tests run with the crate root as working directory).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Build a scenario from RON text for a model and a scenario, without files.
pub fn scenario_from_text(model_ron: &str, scenario_ron: &str) -> Scenario {
    let model_src = Source::new("test-model.ron", model_ron);
    let model_spec: ModelSpec =
        cascade_sim::load::parse_ron(&model_src).unwrap_or_else(|e| panic!("{e}"));
    let model = validate_model(&model_spec, &model_src).unwrap_or_else(|e| panic!("{e}"));
    let scen_src = Source::new("test-scenario.ron", scenario_ron);
    let spec: ScenarioSpec =
        cascade_sim::load::parse_ron(&scen_src).unwrap_or_else(|e| panic!("{e}"));
    validate_scenario(
        &spec,
        &scen_src,
        model,
        Path::new("test-model.ron").to_path_buf(),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Path of the `sim` binary built for these tests.
pub fn sim_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_sim"))
}

/// An empty directory for one test's files, under Cargo's per-target temporary folder.
pub fn fresh_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a temporary directory");
    dir
}
