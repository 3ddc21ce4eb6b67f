//! Every file in `tests/bad-input/` is refused by `sim check` and by `sim run` with exit
//! code 2 and the specific error its `.expect` file lists, never with a panic, a
//! backtrace or a written output file.
//!
//! `.expect` format, one assertion a line (`#` starts a comment):
//! - `check: TEXT` / `run: TEXT` / `both: TEXT`: TEXT appears in that command's stderr;
//! - `file: NAME`: the file the error must name, when it is not the input itself.
//!
//! An `.expect` without its input names a generated input (see `generated`).

use crate::common::{root, sim_bin};
use std::path::{Path, PathBuf};
use std::process::Command;

struct Case {
    input: PathBuf,
    check: Vec<String>,
    run: Vec<String>,
    file: String,
}

fn read_case(expect: &Path, scratch: &Path) -> Case {
    let name = expect
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".expect"))
        .expect("an .expect file")
        .to_string();
    let mut input = expect.with_file_name(&name);
    if !input.exists() {
        input = scratch.join(&name);
        std::fs::write(&input, generated(&name)).unwrap();
    }
    let mut case = Case {
        input,
        check: Vec::new(),
        run: Vec::new(),
        file: name.clone(),
    };
    let text = std::fs::read_to_string(expect).unwrap();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (key, value) = line
            .split_once(": ")
            .unwrap_or_else(|| panic!("{name}: bad line {line:?}"));
        let value = value.to_string();
        match key {
            "check" => case.check.push(value),
            "run" => case.run.push(value),
            "both" => {
                case.check.push(value.clone());
                case.run.push(value);
            }
            "file" => case.file = value,
            other => panic!("{name}: unknown key {other:?}"),
        }
    }
    case
}

/// Inputs too big to keep in the repository, made on the fly.
fn generated(name: &str) -> Vec<u8> {
    match name {
        "huge-file.ron" => {
            let mut v = b"Model(".to_vec();
            v.resize(20 * 1024 * 1024 + 6, b' ');
            v
        }
        "parallel-too-wide.ron" => {
            let branches = vec![r#"Work(Constant("1ms"))"#; 65_536].join(", ");
            format!(
                "Model(services: {{\"a\": Service(workers: 1, operations: {{\"op\": [\n    Parallel([{branches}]),\n]}})}})\n"
            )
            .into_bytes()
        }
        "too-many-classes.ron" => {
            let pools: Vec<String> = (0..1_000)
                .map(|i| format!("\"class{i}\": Pool(size: 1)"))
                .collect();
            format!(
                "Model(services: {{\"a\": Service(workers: 1, operations: {{\"op\": [Call(\"b/op\")]}}),\n\"b\": Service(workers: 1, operations: {{\"op\": [Work(Constant(\"1ms\"))]}})}},\ncalls: {{\"a -> b\": Client(pools: {{{}}})}})\n",
                pools.join(", ")
            )
            .into_bytes()
        }
        other => panic!("no input and no generator for {other}"),
    }
}

fn assert_refused(case: &Case, args: &[&str], wanted: &[String], out: &Path) -> Vec<String> {
    let output = Command::new(sim_bin())
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .current_dir(root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let what = format!("`sim {}`", args.join(" "));
    let mut problems = Vec::new();
    if output.status.code() != Some(2) {
        problems.push(format!("{what}: exit {:?}, not 2", output.status.code()));
    }
    for bad in ["panicked", "backtrace", "RUST_BACKTRACE"] {
        if stderr.contains(bad) {
            problems.push(format!("{what}: stderr mentions {bad:?}"));
        }
    }
    if !stderr.contains(&case.file) {
        problems.push(format!("{what}: error does not name {}", case.file));
    }
    for w in wanted {
        if !stderr.contains(w.as_str()) {
            problems.push(format!("{what}: missing {w:?}"));
        }
    }
    if out.exists() {
        problems.push(format!("{what}: created {}", out.display()));
    }
    if !problems.is_empty() {
        problems.push(format!("  stderr was:\n{stderr}"));
    }
    problems
}

#[test]
fn every_bad_input_is_refused_with_its_error() {
    let dir = root().join("tests/bad-input");
    let scratch = std::env::temp_dir().join(format!("cascade-bad-input-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let mut expects: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "expect"))
        .collect();
    expects.sort();
    assert!(expects.len() >= 30, "only {} bad inputs", expects.len());
    let mut problems = Vec::new();
    for expect in &expects {
        let case = read_case(expect, &scratch);
        assert!(
            !case.check.is_empty() && !case.run.is_empty(),
            "{}: no assertions",
            expect.display()
        );
        let input = case.input.to_str().unwrap();
        let out = scratch.join("out");
        problems.extend(assert_refused(&case, &["check", input], &case.check, &out));
        let out_arg = out.to_str().unwrap();
        problems.extend(assert_refused(
            &case,
            &["run", input, "--out", out_arg],
            &case.run,
            &out,
        ));
    }
    let inputs = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"));
    for input in inputs {
        if !input
            .with_file_name(format!(
                "{}.expect",
                input.file_name().unwrap().to_string_lossy()
            ))
            .exists()
        {
            problems.push(format!("{} has no .expect", input.display()));
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
