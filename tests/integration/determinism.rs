//! Same scenario and seed ⇒ byte-identical deterministic outputs; another seed ⇒ another run.

use crate::common::{fresh_dir, root, sim_bin};
use cascade_sim::report::{metrics_csv, summary_json};
use cascade_sim::run::run_quietly;
use cascade_sim::scenario::{load_scenario, Scenario};
use std::process::Command;

fn shop() -> Scenario {
    load_scenario(&root().join("scenarios/shop.ron")).unwrap_or_else(|e| panic!("{e}"))
}

/// `summary.json` and `metrics.csv` of one run, as the library writes them.
fn outputs(scenario: &Scenario) -> (String, String) {
    let result = run_quietly(scenario);
    (
        summary_json(scenario, &result),
        metrics_csv(scenario, &result),
    )
}

#[test]
fn same_seed_gives_identical_bytes() {
    let scenario = shop();
    let (summary_a, metrics_a) = outputs(&scenario);
    let (summary_b, metrics_b) = outputs(&shop());
    assert!(
        summary_a == summary_b,
        "summary.json differs between two runs of one seed"
    );
    assert!(
        metrics_a == metrics_b,
        "metrics.csv differs between two runs of one seed"
    );
    assert!(
        metrics_a.lines().count() > 100,
        "the run should produce many metric rows"
    );
}

#[test]
fn different_seeds_give_different_results() {
    let mut scenario = shop();
    let (summary_a, metrics_a) = outputs(&scenario);
    scenario.seed += 1;
    let (summary_b, metrics_b) = outputs(&scenario);
    assert_ne!(metrics_a, metrics_b);
    // Not just the seed field: the simulated figures themselves differ.
    let figures = |s: &str| -> serde_json::Value {
        let mut v: serde_json::Value = serde_json::from_str(s).unwrap();
        v.as_object_mut().unwrap().remove("seed");
        v
    };
    assert_ne!(figures(&summary_a), figures(&summary_b));
}

/// Run `sim run` on the shop scenario into `dir` and return its two deterministic files.
fn run_binary(dir: &std::path::Path) -> (Vec<u8>, Vec<u8>) {
    let out = Command::new(sim_bin())
        .args([
            "run",
            "scenarios/shop.ron",
            "--quiet",
            "--seed",
            "11",
            "--duration",
            "2m",
            "--out",
        ])
        .arg(dir)
        .current_dir(root())
        .output()
        .expect("sim runs");
    assert!(
        out.status.success(),
        "sim run failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |name: &str| std::fs::read(dir.join(name)).expect("output file written");
    (read("summary.json"), read("metrics.csv"))
}

#[test]
fn the_binary_writes_identical_files_for_one_seed() {
    let a = run_binary(&fresh_dir("determinism-a"));
    let b = run_binary(&fresh_dir("determinism-b"));
    assert!(a.0 == b.0, "summary.json differs between two `sim run`s");
    assert!(a.1 == b.1, "metrics.csv differs between two `sim run`s");
    let summary = String::from_utf8(a.0).unwrap();
    assert!(
        summary.contains("\"seed\": 11"),
        "the --seed override is recorded"
    );
}
