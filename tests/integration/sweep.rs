//! `sim sweep` end to end (issue 6): outputs independent of threads, shards that merge into
//! the unsharded run, resume after an interrupted run, and bad axes refused up front.

use crate::common::{root, sim_bin};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh, empty scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("sweep-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Write a small sweep over the shipped M/M/10 scenario: 6 points × 2 replications.
fn sweep_file(dir: &Path, seed: u64, axes: &str) -> PathBuf {
    let scenario = root().join("scenarios/mm10.ron");
    let text = format!(
        "Sweep(\n    name: \"t\",\n    scenario: \"{}\",\n    axes: [\n{axes}\n    ],\n    replications: 2,\n    seed: {seed},\n    safe: Safe(outcome: \"entry_mean_response_s\", at_most: 1.5),\n    outcomes: [\"entry_mean_response_s\", \"entry_success_rate\", \"in_flight_at_end\"],\n)\n",
        scenario.display()
    );
    let path = dir.join("t.ron");
    std::fs::write(&path, text).unwrap();
    path
}

const AXES: &str = r#"        Axis(path: "services.server.workers", values: [8, 10, 12]),
        Axis(path: "sources.\"server/serve\".rate", values: [6.0, 9.5]),
        Axis(path: "duration", values: ["20m"]),"#;

fn sim(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(sim_bin());
    cmd.args(args)
        .current_dir(root())
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("SLURM_ARRAY_TASK_ID");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn ok(out: Output) -> String {
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "sim failed: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

fn run(file: &Path, out: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    args.extend_from_slice(extra);
    ok(sim(&args, &[]))
}

/// Every file under `dir` (relative path → bytes).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn assert_same(a: &Path, b: &Path) {
    let (fa, fb) = (files(a), files(b));
    assert_eq!(
        fa.keys().collect::<Vec<_>>(),
        fb.keys().collect::<Vec<_>>(),
        "different files"
    );
    for (name, bytes) in &fa {
        assert!(
            *bytes == fb[name],
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
    for expected in ["sweep.csv", "points.csv", "summary.txt", "sweep.json"] {
        assert!(
            fa.contains_key(expected),
            "{expected} missing in {}",
            a.display()
        );
    }
    assert!(fa.keys().any(|k| k.starts_with("heatmap-")), "no heatmap");
}

#[test]
fn outputs_do_not_depend_on_thread_count() {
    let dir = scratch("threads");
    let file = sweep_file(&dir, 3, AXES);
    run(&file, &dir.join("one"), &["--threads", "1"]);
    run(&file, &dir.join("two"), &["--threads", "2"]);
    assert_same(&dir.join("one"), &dir.join("two"));
    let csv = std::fs::read_to_string(dir.join("one/sweep.csv")).unwrap();
    assert_eq!(
        csv.lines().count(),
        1 + 6 * 2,
        "one row per point and replication:\n{csv}"
    );
    // Replications really differ: each has its own seed.
    let seeds: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    let mut distinct = seeds.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), seeds.len());
}

#[test]
fn merged_shards_equal_the_unsharded_run() {
    let dir = scratch("shards");
    let file = sweep_file(&dir, 4, AXES);
    run(&file, &dir.join("whole"), &["--threads", "2"]);
    let first = run(&file, &dir.join("s1"), &["--shard", "1/2"]);
    assert!(first.contains("shard 1/2 done"), "{first}");
    assert!(
        !dir.join("s1/sweep.csv").exists(),
        "a shard alone writes no tables"
    );
    // Shard 2 of 2 chosen the Kubernetes way: JOB_COMPLETION_INDEX counts from 0.
    let f = file.to_str().unwrap();
    let s2 = dir.join("s2");
    ok(sim(
        &[
            "sweep",
            f,
            "--out",
            s2.to_str().unwrap(),
            "--shards",
            "2",
            "-q",
        ],
        &[("JOB_COMPLETION_INDEX", "1")],
    ));
    // The same shard the Slurm way: an array 2-3 makes task 3 the second shard.
    let slurm = dir.join("slurm");
    ok(sim(
        &[
            "sweep",
            f,
            "--out",
            slurm.to_str().unwrap(),
            "--shards",
            "2",
            "-q",
        ],
        &[("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_MIN", "2")],
    ));
    assert_eq!(files(&slurm), files(&s2));
    let (a, b) = (files(&dir.join("s1/points")), files(&s2.join("points")));
    assert_eq!(a.len() + b.len(), 6);
    assert!(a.keys().all(|k| !b.contains_key(k)), "shards overlap");
    let merged = dir.join("merged");
    ok(sim(
        &[
            "sweep",
            "merge",
            dir.join("s1").to_str().unwrap(),
            s2.to_str().unwrap(),
            "--out",
            merged.to_str().unwrap(),
        ],
        &[],
    ));
    assert_same(&dir.join("whole"), &merged);
    // One shard alone cannot be merged into a complete sweep.
    let out = sim(
        &[
            "sweep",
            "merge",
            dir.join("s1").to_str().unwrap(),
            "--out",
            dir.join("half").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing"));
}

#[test]
fn resuming_a_partial_run_gives_the_same_files() {
    let dir = scratch("resume");
    let file = sweep_file(&dir, 5, AXES);
    run(&file, &dir.join("full"), &[]);
    // A run interrupted after half its points: the other half is done on the rerun.
    let partial = dir.join("partial");
    run(&file, &partial, &["--shard", "2/2"]);
    let text = run(&file, &partial, &[]);
    assert!(
        text.contains("3 of this shard's 6 points run (3 reused)"),
        "{text}"
    );
    assert_same(&dir.join("full"), &partial);
    // Lost point files are recomputed identically.
    for p in ["points/000000.json", "points/000004.json", "sweep.csv"] {
        std::fs::remove_file(partial.join(p)).unwrap();
    }
    run(&file, &partial, &[]);
    assert_same(&dir.join("full"), &partial);
    // An edited sweep file must not reuse the old points.
    let edited = sweep_file(&dir, 6, AXES);
    let out = sim(
        &[
            "sweep",
            edited.to_str().unwrap(),
            "--out",
            partial.to_str().unwrap(),
            "-q",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("different sweep"));
}

/// Run a sweep with one bad axis; it must fail with exit code 2 before any point runs.
fn refused(name: &str, axis: &str) -> String {
    let dir = scratch(name);
    let file = sweep_file(&dir, 1, axis);
    let out_dir = dir.join("out");
    let out = sim(
        &[
            "sweep",
            file.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ],
        &[],
    );
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!out_dir.exists(), "a point ran before the error");
    let checked = sim(&["check", file.to_str().unwrap()], &[]);
    assert_eq!(
        checked.status.code(),
        Some(2),
        "sim check accepted a bad sweep file"
    );
    assert!(err.contains("t.ron:"), "no file:line:col in {err}");
    err
}

#[test]
fn invalid_axes_fail_clearly_before_any_point_runs() {
    let err = refused(
        "unknown-path",
        r#"        Axis(path: "services.server.worker", values: [8])"#,
    );
    assert!(
        err.contains("t.ron:5:") && err.contains("unknown parameter path"),
        "{err}"
    );
    assert!(
        err.contains("did you mean `services.server.workers`"),
        "{err}"
    );
    let err = refused(
        "unknown-service",
        r#"        Axis(path: "services.servr.workers", values: [8])"#,
    );
    assert!(
        err.contains("unknown service `servr`") && err.contains("services.server.workers"),
        "{err}"
    );
    let err = refused(
        "wrong-type",
        r#"        Axis(path: "services.server.workers", values: ["8"])"#,
    );
    assert!(
        err.contains("axes[0].values[0]") && err.contains("whole number"),
        "{err}"
    );
    let err = refused(
        "duration-type",
        r#"        Axis(path: "duration", values: [20])"#,
    );
    assert!(err.contains("duration with a unit"), "{err}");
    let err = refused(
        "empty-range",
        r#"        Axis(path: "services.server.workers", range: Linear(from: 8, to: 12, steps: 0))"#,
    );
    assert!(
        err.contains("axes[0].range") && err.contains("empty"),
        "{err}"
    );
    let err = refused("no-pool", r#"        Axis(path: "seed", values: [1, 2])"#);
    assert!(err.contains("replications"), "{err}");
}

#[test]
fn a_killed_sweep_resumes_to_the_same_files() {
    let dir = scratch("killed");
    let axes = r#"        Axis(path: "services.server.workers", range: Linear(from: 8, to: 15, steps: 8)),
        Axis(path: "sources.\"server/serve\".rate", values: [6.0, 9.5, 11.0]),
        Axis(path: "duration", values: ["40m"]),"#;
    let file = sweep_file(&dir, 8, axes);
    run(&file, &dir.join("full"), &["--threads", "2"]);
    let killed = dir.join("killed");
    let mut child = Command::new(sim_bin())
        .args([
            "sweep",
            file.to_str().unwrap(),
            "--out",
            killed.to_str().unwrap(),
            "-q",
            "--threads",
            "2",
        ])
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it (SIGKILL: no chance to clean up) as soon as some points are on disk.
    let started = std::time::Instant::now();
    while files_in(&killed.join("points")) < 3 && started.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let kept = files_in(&killed.join("points"));
    assert!(kept >= 3, "finished points were lost");
    let text = run(&file, &killed, &["--threads", "2"]);
    assert!(text.contains("reused"), "{text}");
    eprintln!(
        "after the kill: {kept} points kept; rerun: {}",
        text.lines().next().unwrap_or("")
    );
    for leftover in files(&killed).keys().filter(|k| k.ends_with(".tmp")) {
        std::fs::remove_file(killed.join(leftover)).unwrap();
    }
    assert_same(&dir.join("full"), &killed);
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| {
        d.flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .count()
    })
}

#[test]
fn the_shipped_sweep_is_valid() {
    let sweep = cascade_sim::sweep::load_sweep(&root().join("scenarios/mm10-sweep.ron"))
        .unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(sweep.points.len(), 9 * 5);
    assert!(sweep.safe.is_some());
}
