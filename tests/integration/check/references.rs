//! `sim check` on names that refer to nothing, or to the wrong thing: unknown services
//! and operations, call cycles, edges and sources given twice, a missing model file.

use super::{assert_invalid, model, scenario, OK_MODEL, TWO_SERVICES};

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
