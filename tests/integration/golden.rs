//! Golden seeds: every shipped scenario (`scenarios/*.ron`) is rerun with its own seed and
//! its `summary.json` compared byte for byte with `tests/golden/<name>.summary.json`.
//!
//! After an intended change of results, re-bless with `BLESS=1 cargo test golden` and
//! review the diff of `tests/golden/` before committing it.
//!
//! Scenarios too long for the test suite run with a shorter duration, listed in
//! [`SHORTENED`]; the golden file then records that run (see its `simulated_seconds`).

use crate::common::root;
use cascade_sim::report::summary_json;
use cascade_sim::run::run_quietly;
use cascade_sim::scenario::load_scenario;
use std::path::{Path, PathBuf};

/// `(scenario name prefix, simulated duration for the golden run)`, for scenarios whose
/// full length would slow the suite (a golden run should take a second or so).
const SHORTENED: &[(&str, &str)] = &[
    // cascade2021 and its counterfactual variants: 15 minutes take about 9 s each;
    // 5 minutes still cover the leak (2:30), the operators' timeout change (3:15) and two
    // minutes of the cascade that follows.
    ("cascade2021", "5m"),
];

/// Every `scenarios/*.ron` that is a scenario (sweep files, `Sweep(...)`, are not).
fn shipped_scenarios() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .filter(|p| !is_sweep(p))
        .collect();
    v.sort();
    v
}

fn is_sweep(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let code = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("//"));
    code.is_some_and(|l| l.starts_with("Sweep"))
}

fn golden_run(path: &Path) -> (String, String) {
    let mut scenario = load_scenario(path).unwrap_or_else(|d| panic!("{d}"));
    if let Some((_, d)) = SHORTENED
        .iter()
        .find(|(prefix, _)| scenario.name.starts_with(prefix))
    {
        scenario.duration = cascade_sim::spec::units::parse_duration(d).unwrap();
    }
    let result = run_quietly(&scenario);
    (scenario.name.clone(), summary_json(&scenario, &result))
}

#[test]
fn golden_summaries_match() {
    let bless = std::env::var_os("BLESS").is_some_and(|v| v == "1");
    let dir = root().join("tests/golden");
    let mut failures = Vec::new();
    let scenarios = shipped_scenarios();
    assert!(!scenarios.is_empty());
    for path in &scenarios {
        let (name, actual) = golden_run(path);
        let golden = dir.join(format!("{name}.summary.json"));
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&golden, &actual).unwrap();
            continue;
        }
        match std::fs::read_to_string(&golden) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!(
                "{name}: summary.json differs from {} (- golden, + now):\n{}",
                golden.display(),
                line_diff(&expected, &actual)
            )),
            Err(_) => failures.push(format!("{name}: no golden file {}", golden.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{}\nIf the change is intended: BLESS=1 cargo test golden, then review git diff tests/golden/",
        failures.join("\n\n")
    );
}

#[test]
fn golden_files_belong_to_shipped_scenarios() {
    let names: Vec<String> = shipped_scenarios()
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let Ok(entries) = std::fs::read_dir(root().join("tests/golden")) else {
        return;
    };
    for e in entries {
        let file = e.unwrap().file_name().to_string_lossy().into_owned();
        let name = file.trim_end_matches(".summary.json");
        assert!(
            names.iter().any(|n| n == name),
            "stale golden file {file}: no scenarios/{name}.ron"
        );
    }
}

/// Same scenario and seed on two threads at once: identical bytes (no shared state,
/// no dependence on which thread or in what order runs happen).
#[test]
fn runs_on_concurrent_threads_are_identical() {
    for path in shipped_scenarios() {
        let runs: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..2).map(|_| s.spawn(|| golden_run(&path).1)).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(
            runs.windows(2).all(|w| w[0] == w[1]),
            "{}: runs differ",
            path.display()
        );
    }
}

/// A line diff (longest common subsequence) showing changed lines with their numbers.
pub fn line_diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push_str(&format!("{:>5} - {}\n", i + 1, a[i]));
            i += 1;
        } else {
            out.push_str(&format!("{:>5} + {}\n", j + 1, b[j]));
            j += 1;
        }
    }
    out
}

#[test]
fn line_diff_shows_changed_lines() {
    let d = line_diff("a\nb\nc\n", "a\nB\nc\n");
    assert_eq!(d, "    2 - b\n    2 + B\n");
}
