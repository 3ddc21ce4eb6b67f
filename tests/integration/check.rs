//! `sim check`: one test per class of error, each asserting the whole diagnostic a user
//! sees — file, line:column, field path, message and hint — and exit code 2. This file
//! holds the helpers and the syntax and file-level cases; `check/` the rest.

mod policies;
mod references;
mod values;

use crate::common::{fresh_dir, sim_bin};
use std::process::{Command, Output};

pub const OK_MODEL: &str = r#"Model(
    services: {
        "api": Service(workers: 2, operations: { "get": [Work(Constant("1ms"))] }),
    },
)
"#;

/// Two services; `CALL` is replaced by the step under test.
pub const TWO_SERVICES: &str = r#"Model(
    services: {
        "api": Service(workers: 2, operations: { "home": [CALL] }),
        "user-profile": Service(workers: 2, operations: {
            "fetch_one": [Work(Constant("1ms"))],
            "list": [Work(Constant("1ms"))],
        }),
    },
)
"#;

/// Write `files` (name, bytes) into a fresh directory and run `sim check` on the first.
pub fn check(test: &str, files: &[(&str, &[u8])]) -> Output {
    let dir = fresh_dir(&format!("check-{test}"));
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    Command::new(sim_bin())
        .args(["check", files[0].0])
        .current_dir(&dir)
        .output()
        .expect("sim runs")
}

/// Assert that checking `text` fails with exactly `expected` on stderr.
#[track_caller]
pub fn assert_invalid(test: &str, files: &[(&str, &[u8])], expected: &str) {
    let out = check(test, files);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "exit code; stderr:\n{stderr}");
    assert_eq!(stderr.trim_end(), expected.trim_end());
}

pub fn model(test: &str, text: &str, expected: &str) {
    assert_invalid(test, &[("model.ron", text.as_bytes())], expected);
}

#[test]
fn valid_files_pass() {
    let scenario = r#"Scenario(model: "model.ron", duration: "1m",
        sources: [Source(target: "api/get", rate: Constant(5.0))])"#;
    let out = check(
        "valid",
        &[
            ("scenario.ron", scenario.as_bytes()),
            ("model.ron", OK_MODEL.as_bytes()),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("scenario.ron: ok"));
}

#[test]
fn malformed_ron_gives_line_and_column() {
    let text = "Model(\n    services: {\n        \"api\": Service(workers: 2, operations: { \"get\": [] }\n    },\n)\n";
    model(
        "malformed",
        text,
        "model.ron:4:5: error in `services.api`: Expected comma\n  \
         hint: check for a missing bracket, comma or quote near this position",
    );
}

#[test]
fn unexpected_end_of_file() {
    model(
        "truncated",
        "Model(\n    services: {\n",
        "model.ron:3:1: error in `services`: Unexpected end of RON\n  \
         hint: check for a missing bracket, comma or quote near this position",
    );
}

#[test]
fn unknown_field_lists_the_allowed_names() {
    let text = OK_MODEL.replace("workers: 2,", "workers: 2, wrokers: 3,");
    model(
        "unknown-field",
        &text,
        "model.ron:3:36: error in `services.api.wrokers`: unknown field `wrokers` in `Service`; \
         allowed fields: `replicas`, `workers`, `queue`, `operations`, `memory`, `error_rate`, `overload`\n  hint: did you mean `workers`?",
    );
}

#[test]
fn unknown_variant_lists_the_allowed_names() {
    let text = OK_MODEL.replace("Constant(\"1ms\")", "Exponentail(mean: \"1ms\")");
    model(
        "unknown-variant",
        &text,
        "model.ron:3:63: error in `services.api.operations.get[0].Work`: unknown variant \
         `Exponentail` in `Dist`; allowed: `Constant`, `Exponential`, `Uniform`, `LogNormal`, \
         `LogNormalMuSigma`, `Gamma`, `Normal`, `Empirical`\n  hint: did you mean `Exponential`?",
    );
}

#[test]
fn missing_field_is_named() {
    let text = OK_MODEL.replace("workers: 2, ", "");
    model(
        "missing-field",
        &text,
        "model.ron:3:70: error in `services.api`: missing field `workers` in `Service`\n  \
         hint: add the field; docs/model-format.md lists every field with its default",
    );
}

pub fn scenario(test: &str, text: &str, expected: &str) {
    assert_invalid(
        test,
        &[
            ("scenario.ron", text.as_bytes()),
            ("model.ron", OK_MODEL.as_bytes()),
        ],
        expected,
    );
}

#[test]
fn empty_file() {
    assert_invalid(
        "empty",
        &[("model.ron", b"  \n")],
        "model.ron: error: file is empty\n  hint: see docs/model-format.md for a complete example",
    );
}

#[test]
fn binary_file() {
    assert_invalid(
        "binary",
        &[("model.ron", b"Model(\x00\x01\xff\xfe")],
        "model.ron:1:9: error: file is not UTF-8 text (binary data?)\n  \
         hint: models and scenarios are RON text files",
    );
}

#[test]
fn missing_file() {
    let out = Command::new(sim_bin())
        .args(["check", "no-such-file.ron"])
        .current_dir(fresh_dir("check-missing-file"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.starts_with("no-such-file.ron: error: cannot read file:"),
        "{stderr}"
    );
}

#[test]
fn broken_input_never_panics_sim_run() {
    let dir = fresh_dir("check-run-binary");
    std::fs::write(dir.join("broken.ron"), b"\xff\xfe\x00garbage").unwrap();
    let out = Command::new(sim_bin())
        .args(["run", "broken.ron", "--quiet", "--out", "out"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("not UTF-8 text") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

#[test]
fn a_name_given_twice() {
    let text = r#"Model(
    services: {
        "api": Service(workers: 2, operations: { "get": [Work(Constant("1ms"))] }),
        "api": Service(workers: 3, operations: { "get": [Work(Constant("2ms"))] }),
    },
)
"#;
    model(
        "duplicate-service",
        text,
        "model.ron:4:9: error in `services`: `api` is given twice\n  \
         hint: each name may appear only once here",
    );
}
