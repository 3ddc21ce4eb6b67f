//! `sim test [path...]`: run every scenario found and check its `expect` list.

use cascade_sim::expect::check;
use cascade_sim::load::{file_kind_of, FileKind};
use cascade_sim::run::run_quietly;
use cascade_sim::scenario::load_scenario;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct TestArgs {
    /// Scenario files or directories of them (default: scenarios/).
    paths: Vec<PathBuf>,
}

/// Scenario files under the given paths, sorted, skipping sweep files.
fn scenario_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .collect();
            entries.sort();
            out.extend(
                entries
                    .into_iter()
                    .filter(|e| e.extension().is_some_and(|x| x == "ron") && is_scenario(e)),
            );
        } else {
            out.push(p.clone());
        }
    }
    out
}

/// Directories hold models and sweeps too: only scenario files are run.
fn is_scenario(path: &Path) -> bool {
    file_kind_of(path) == Some(FileKind::Scenario)
}

pub fn test(args: TestArgs) -> i32 {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("scenarios")]
    } else {
        args.paths
    };
    let (mut passed, mut failed) = (0, 0);
    for file in scenario_files(&paths) {
        let scenario = match load_scenario(&file) {
            Ok(s) => s,
            Err(d) => {
                eprintln!("{d}");
                return super::INVALID_INPUT;
            }
        };
        if scenario.incident.expect.is_empty() {
            continue;
        }
        let result = run_quietly(&scenario);
        for c in check(&scenario, &result) {
            let mark = if c.passed { "PASS" } else { "FAIL" };
            super::say(&format!(
                "{mark} {}: {} (got: {})\n",
                scenario.name, c.expectation, c.actual
            ));
            if c.passed {
                passed += 1;
            } else {
                failed += 1;
            }
        }
    }
    super::say(&format!("{passed} passed, {failed} failed\n"));
    i32::from(failed > 0)
}
