//! Safe outputs: files appear whole or not at all, a run writes only inside its output
//! directory, and one scenario's directory is never mixed with another's.

use crate::common::{root, sim_bin};
use cascade_sim::scenario::scenario_name;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cascade-out-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A one-minute M/M/10 scenario named `name` in `dir`.
fn write_scenario(dir: &Path, name: &str) -> PathBuf {
    let model = root().join("models/mm10.ron");
    let path = dir.join(format!("{name}.ron"));
    std::fs::write(
        &path,
        format!(
            "Scenario(model: {:?}, duration: \"1m\", sources: [Source(target: \"server/serve\", rate: Constant(9.0))])",
            model.to_str().unwrap()
        ),
    )
    .unwrap();
    path
}

fn sim(cwd: &Path, args: &[&str]) -> Output {
    Command::new(sim_bin())
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walk(dir)
        .iter()
        .map(|p| p.strip_prefix(dir).unwrap().display().to_string())
        .collect();
    v.sort();
    v
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn a_directory_of_another_scenario_is_refused() {
    let dir = scratch("owner");
    let a = write_scenario(&dir, "alpha");
    let b = write_scenario(&dir, "beta");
    let out = dir.join("out");
    let (a, b, o) = (
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        out.to_str().unwrap(),
    );
    assert_eq!(
        sim(&dir, &["run", a, "--out", o, "-q"]).status.code(),
        Some(0)
    );
    let before = std::fs::read(out.join("summary.json")).unwrap();
    let refused = sim(&dir, &["run", b, "--out", o, "-q"]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("holds the results of scenario `alpha`, not `beta`"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(out.join("summary.json")).unwrap(),
        before,
        "alpha's summary was touched"
    );
    // The same scenario may write over its own results.
    assert_eq!(
        sim(&dir, &["run", a, "--out", o, "-q"]).status.code(),
        Some(0)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_non_empty_directory_that_is_no_run_directory_is_refused() {
    let dir = scratch("foreign");
    let a = write_scenario(&dir, "alpha");
    // The scenario's own folder: not empty, not a run directory.
    let refused = sim(
        &dir,
        &[
            "run",
            a.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
            "-q",
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr)
        .contains("is not empty and is not a run directory"));
    assert_eq!(files_in(&dir), vec!["alpha.ron"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_default_output_directory_is_reports_slash_name_and_nothing_else_is_written() {
    let dir = scratch("default");
    let a = write_scenario(&dir, "alpha");
    assert_eq!(
        sim(&dir, &["run", a.to_str().unwrap(), "-q"]).status.code(),
        Some(0)
    );
    let files = files_in(&dir);
    for f in &files {
        assert!(
            f == "alpha.ron" || f.starts_with("reports/alpha/"),
            "wrote {f}"
        );
    }
    for f in [
        ".cascade-sim-run",
        "summary.json",
        "metrics.csv",
        "run.json",
    ] {
        assert!(
            files.contains(&format!("reports/alpha/{f}")),
            "no {f} in {files:?}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn names_that_would_escape_the_reports_directory_are_refused() {
    for bad in ["..ron", "..", ".", "a\\b.ron", "tab\there.ron", "nl\n.ron"] {
        assert!(scenario_name(Path::new(bad)).is_err(), "{bad:?} accepted");
    }
    for good in [
        "mm10.ron",
        "scenarios/cascade-2021.ron",
        ".hidden.ron",
        "v1.2.ron",
    ] {
        assert!(scenario_name(Path::new(good)).is_ok(), "{good:?} refused");
    }
    // End to end: a scenario file named `..ron` would write to `reports/.`.
    let dir = scratch("dotdot");
    let path = write_scenario(&dir, ".");
    assert_eq!(path.file_name().unwrap(), "..ron");
    let refused = sim(&dir, &["run", path.to_str().unwrap(), "-q"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("does not give a usable scenario name")
    );
    assert_eq!(files_in(&dir), vec!["..ron"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_killed_run_leaves_no_half_written_summary() {
    let dir = scratch("killed");
    let out = dir.join("out");
    let scenario = root().join("tests/hostile/overload-bounded.ron");
    for delay_ms in [50, 300] {
        let mut child = Command::new(sim_bin())
            .args([
                "run",
                scenario.to_str().unwrap(),
                "-q",
                "--out",
                out.to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap();
        child.wait().unwrap();
        // Outputs are written at the end, each through a temporary file and a rename:
        // a run killed before that leaves only the directory's marker.
        assert_eq!(files_in(&out), vec![".cascade-sim-run"]);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
