//! The fuzz harness (`cascade_sim::fuzz::run_bytes`) over the saved corpus
//! (`tests/fuzz-corpus/`, minimised from AFL++ runs) and every past finding
//! (`tests/fuzz-regressions/`), so CI exercises it without the fuzzer. Each input must
//! end, without a panic (the harness also panics on broken engine invariants), within a
//! bounded time.

use crate::common::root;
use cascade_sim::fuzz::{run_bytes, Verdict};
use std::time::{Duration, Instant};

fn run_dir(dir: &str) -> (usize, usize) {
    let mut paths: Vec<_> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .collect();
    paths.sort();
    let mut ran = 0;
    for path in &paths {
        let data = std::fs::read(path).unwrap();
        let started = Instant::now();
        let verdict = std::panic::catch_unwind(|| run_bytes(&data))
            .unwrap_or_else(|_| panic!("{} panicked", path.display()));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{} took {:?}",
            path.display(),
            started.elapsed()
        );
        if matches!(verdict, Some(Verdict::Ran { .. })) {
            ran += 1;
        }
    }
    (paths.len(), ran)
}

#[test]
fn saved_corpus_runs_clean() {
    let (files, ran) = run_dir("tests/fuzz-corpus");
    assert!(files > 0 && files <= 200, "{files} corpus files");
    // The corpus must reach the engine, not only the parser.
    assert!(
        ran >= 10,
        "only {ran} of {files} inputs got past validation"
    );
}

#[test]
fn past_findings_stay_fixed() {
    let (files, ran) = run_dir("tests/fuzz-regressions");
    assert!(files >= 2);
    assert_eq!(
        ran, files,
        "every regression input is a valid model that must run"
    );
}
