//! `sim check`: one test per class of error, each asserting the whole diagnostic a user
//! sees — file, line:column, field path, message and hint — and exit code 2.

use crate::common::{fresh_dir, sim_bin};
use std::process::{Command, Output};

const OK_MODEL: &str = r#"Model(
    services: {
        "api": Service(workers: 2, operations: { "get": [Work(Constant("1ms"))] }),
    },
)
"#;

/// Write `files` (name, bytes) into a fresh directory and run `sim check` on the first.
fn check(test: &str, files: &[(&str, &[u8])]) -> Output {
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
fn assert_invalid(test: &str, files: &[(&str, &[u8])], expected: &str) {
    let out = check(test, files);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "exit code; stderr:\n{stderr}");
    assert_eq!(stderr.trim_end(), expected.trim_end());
}

fn model(test: &str, text: &str, expected: &str) {
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
         allowed fields: `replicas`, `workers`, `queue`, `operations`\n  hint: did you mean `workers`?",
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

const TWO_SERVICES: &str = r#"Model(
    services: {
        "api": Service(workers: 2, operations: { "home": [CALL] }),
        "user-profile": Service(workers: 2, operations: {
            "fetch_one": [Work(Constant("1ms"))],
            "list": [Work(Constant("1ms"))],
        }),
    },
)
"#;

#[test]
fn unknown_service_suggests_the_closest_name() {
    model(
        "unknown-service",
        &TWO_SERVICES.replace("CALL", r#"Call("user-profle/list")"#),
        "model.ron:3:64: error in `services.api.operations.home[0]`: unknown service \
         `user-profle` in call to `user-profle/list`\n  hint: did you mean `user-profile`?",
    );
}

#[test]
fn unknown_service_in_a_client_key() {
    let text = TWO_SERVICES
        .replace("CALL", r#"Call("user-profile/list")"#)
        .replace(
            "    },\n)",
            "    },\n    calls: { \"api -> user-profil\": Client(timeout: \"1s\") },\n)",
        );
    model(
        "unknown-client-service",
        &text,
        "model.ron:9:14: error in `calls.api -> user-profil`: unknown service `user-profil`\n  \
         hint: did you mean `user-profile`?",
    );
}

#[test]
fn unknown_operation_suggests_the_closest_name() {
    model(
        "unknown-operation",
        &TWO_SERVICES.replace("CALL", r#"Call("user-profile/fetch-one")"#),
        "model.ron:3:64: error in `services.api.operations.home[0]`: service `user-profile` \
         has no operation `fetch-one`\n  hint: did you mean `user-profile/fetch_one`?",
    );
}

#[test]
fn call_cycle_is_named_in_call_order() {
    // a/x → c/z → b/y → a/x: the cycle must be reported in that order, not sorted.
    let text = r#"Model(
    services: {
        "a": Service(workers: 4, operations: { "x": [Call("c/z")] }),
        "b": Service(workers: 4, operations: { "y": [Call("a/x")] }),
        "c": Service(workers: 4, operations: { "z": [Work(Constant("1ms")), Call("b/y")] }),
    },
)
"#;
    model(
        "cycle",
        text,
        "model.ron:3:59: error in `services.a.operations.x`: synchronous call cycle: \
         a/x -> c/z -> b/y -> a/x\n  hint: a request would wait on itself for ever; \
         remove one of these calls to break the cycle",
    );
}

#[test]
fn self_call_is_a_cycle() {
    let text = OK_MODEL.replace(
        r#"[Work(Constant("1ms"))]"#,
        r#"[Work(Constant("1ms")), Maybe(0.5, Call("api/get"))]"#,
    );
    model(
        "self-call",
        &text,
        "model.ron:3:97: error in `services.api.operations.get`: synchronous call cycle: \
         api/get -> api/get\n  hint: a request would wait on itself for ever; \
         remove one of these calls to break the cycle",
    );
}

#[test]
fn negative_duration_names_the_field() {
    model(
        "negative-duration",
        &OK_MODEL.replace(r#"Constant("1ms")"#, r#"Exponential(mean: "-5ms")"#),
        "model.ron:3:81: error in `services.api.operations.get[0].Work.Exponential.mean`: \
         duration `-5ms` is negative\n  hint: write a duration such as \"150ms\", \"20s\", \
         \"15m\" (units: ns, us, ms, s, m, h)",
    );
}

#[test]
fn zero_workers_is_out_of_range() {
    model(
        "zero-workers",
        &OK_MODEL.replace("workers: 2", "workers: 0"),
        "model.ron:3:24: error in `services.api.workers`: workers = 0 is outside 1..=1000000\n  \
         hint: workers is the thread pool size of one replica",
    );
}

#[test]
fn negative_count_is_refused() {
    model(
        "negative-workers",
        &OK_MODEL.replace("workers: 2", "workers: -2"),
        "model.ron:3:33: error in `services.api.workers`: negative number where a count is \
         expected\n  hint: counts (workers, replicas, sizes, capacities) are whole numbers, not negative",
    );
}

#[test]
fn probability_above_one_is_out_of_range() {
    let text = TWO_SERVICES.replace("CALL", r#"Maybe(1.5, Call("user-profile/list"))"#);
    model(
        "maybe-probability",
        &text,
        "model.ron:3:59: error in `services.api.operations.home[0]`: Maybe probability 1.5 \
         is outside 0..=1\n  hint: write the probability as a fraction, e.g. Maybe(0.3, ...)",
    );
}

#[test]
fn log_normal_p99_below_median() {
    model(
        "log-normal",
        &OK_MODEL.replace(
            r#"Constant("1ms")"#,
            r#"LogNormal(median: "10ms", p99: "5ms")"#,
        ),
        "model.ron:3:58: error in `services.api.operations.get[0]`: a log-normal's p99 must \
         be greater than its median\n  hint: see docs/model-format.md, Distributions",
    );
}

fn scenario(test: &str, text: &str, expected: &str) {
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
fn nan_rate_names_the_source() {
    scenario(
        "nan-rate",
        "Scenario(\n    model: \"model.ron\",\n    duration: \"1m\",\n    \
         sources: [Source(target: \"api/get\", rate: Constant(NaN))],\n)\n",
        "scenario.ron:4:41: error in `sources[0].rate`: rate NaN is not a finite, non-negative \
         number of requests per second\n  hint: rates are requests per second, finite and not negative",
    );
}

#[test]
fn unknown_entry_operation_suggests_one() {
    scenario(
        "unknown-target",
        "Scenario(\n    model: \"model.ron\",\n    duration: \"1m\",\n    \
         sources: [Source(target: \"api/gte\", rate: Constant(1.0))],\n)\n",
        "scenario.ron:4:30: error in `sources[0].target`: unknown operation `api/gte`\n  \
         hint: did you mean `api/get`?",
    );
}

#[test]
fn missing_model_file() {
    assert_invalid(
        "missing-model",
        &[(
            "scenario.ron",
            b"Scenario(\n    model: \"nowhere.ron\",\n    duration: \"1m\",\n    \
              sources: [Source(target: \"api/get\", rate: Constant(1.0))],\n)\n",
        )],
        "scenario.ron:2:5: error in `model`: model file `nowhere.ron` does not exist\n  \
         hint: the model path is relative to the scenario file's folder",
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
fn two_sources_with_one_name() {
    scenario(
        "twin-sources",
        "Scenario(\n    model: \"model.ron\",\n    duration: \"1m\",\n    sources: [\n        \
         Source(target: \"api/get\", rate: Constant(1.0)),\n        \
         Source(target: \"api/get\", rate: Constant(2.0)),\n    ],\n)\n",
        "scenario.ron:6:24: error in `sources[1].name`: two sources are named `api/get`\n  \
         hint: give each source on the same target its own `name`",
    );
}

#[test]
fn a_bad_step_is_pointed_at_not_its_operation() {
    // The second Work step of `get`, on its own line, is the one at fault.
    let text = r#"Model(
    services: {
        "api": Service(workers: 2, operations: { "get": [
            Work(Gamma(shape: 2.0, mean: "1ms")),
            Work(Gamma(shape: -2.0, mean: "1ms")),
        ] }),
    },
)
"#;
    model(
        "step-location",
        text,
        "model.ron:5:13: error in `services.api.operations.get[1]`: gamma shape = -2 must be \
         in (0, 1e6]\n  hint: see docs/model-format.md, Distributions",
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

#[test]
fn one_edge_configured_twice() {
    let text = TWO_SERVICES.replace("CALL", r#"Call("user-profile/list")"#).replace(
        "    },\n)",
        "    },\n    calls: {\n        \"api -> user-profile\": Client(timeout: \"1s\"),\n        \
         \"api->user-profile\": Client(timeout: \"2s\"),\n    },\n)",
    );
    model(
        "duplicate-edge",
        &text,
        "model.ron:11:9: error in `calls.api->user-profile`: `api->user-profile` is the same \
         edge as `api -> user-profile`\n  hint: merge the two entries into one",
    );
}
