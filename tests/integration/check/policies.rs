//! `sim check` on resilience policies that make no sense: thresholds outside 0–100 %, no
//! attempt at all, negative backoffs, empty bulkheads and pools, classes no source
//! produces. Each names the field as written in the model file.

use super::{assert_invalid, model};

/// `api/home` calls `user-profile/list`; `CLIENT` is replaced by the client's fields.
const EDGE: &str = r#"Model(
    services: {
        "api": Service(workers: 2, operations: { "home": [Call("user-profile/list")] }),
        "user-profile": Service(workers: 2, operations: { "list": [Work(Constant("1ms"))] }),
    },
    calls: {
        "api -> user-profile": Client(CLIENT),
    },
)
"#;

fn client(fields: &str) -> String {
    EDGE.replace("CLIENT", fields)
}

#[test]
fn failure_rate_threshold_above_100_percent() {
    model(
        "breaker-threshold",
        &client("breaker: Breaker(failure_rate_threshold: 150)"),
        "model.ron:7:56: error in `calls.api -> user-profile.breaker.failure_rate_threshold`: \
         failure_rate_threshold = 150: must be a percentage between 0 and 100\n  \
         hint: a percentage of the calls in the window: 50 trips at half of them failing \
         (resilience4j's default)",
    );
}

#[test]
fn zero_max_attempts() {
    model(
        "retry-zero-attempts",
        &client("retry: Retry(max_attempts: 0)"),
        "model.ron:7:52: error in `calls.api -> user-profile.retry.max_attempts`: \
         max_attempts = 0: counts the first try, so it must be at least 1 (1 = no retries)\n  \
         hint: max_attempts counts the first try: 1 means no retries, 3 two retries",
    );
}

#[test]
fn negative_backoff() {
    model(
        "retry-negative-backoff",
        &client(r#"retry: Retry(backoff: Backoff(base: "-1s"))"#),
        "model.ron:7:75: error in `calls.api -> user-profile.retry.backoff.base`: duration \
         `-1s` is negative\n  hint: write a duration such as \"150ms\", \"20s\", \"15m\" \
         (units: ns, us, ms, s, m, h)",
    );
}

#[test]
fn ratio_budget_above_100_percent() {
    model(
        "retry-budget-percent",
        &client("retry: Retry(budget: Ratio(percent: 120))"),
        "model.ron:7:66: error in `calls.api -> user-profile.retry.budget.percent`: \
         percent = 120: must be a percentage between 0 and 100\n  \
         hint: a percentage of the edge's active calls, e.g. 20 (Envoy's default)",
    );
}

#[test]
fn bulkhead_of_zero() {
    model(
        "bulkhead-zero",
        &client("bulkhead: Bulkhead(max_concurrent: 0)"),
        "model.ron:7:58: error in `calls.api -> user-profile.bulkhead.max_concurrent`: a \
         bulkhead of 0 concurrent calls refuses every call\n  \
         hint: max_concurrent must be at least 1 (resilience4j's default is 25)",
    );
}

#[test]
fn class_bulkhead_of_zero() {
    model(
        "class-bulkhead-zero",
        &client(r#"bulkheads: { "bulk": Bulkhead(max_concurrent: 0) }"#),
        "model.ron:7:69: error in `calls.api -> user-profile.bulkheads.bulk.max_concurrent`: \
         a bulkhead of 0 concurrent calls refuses every call\n  \
         hint: max_concurrent must be at least 1 (resilience4j's default is 25)",
    );
}

#[test]
fn class_pool_of_size_zero() {
    model(
        "class-pool-zero",
        &client(r#"pools: { "critical": Pool(size: 0) }"#),
        "model.ron:7:65: error in `calls.api -> user-profile.pools.critical.size`: the pool \
         of class `critical` has size 0, so every call of that class fails\n  \
         hint: every class pool needs at least one connection, e.g. Pool(size: 10)",
    );
}

#[test]
fn open_wait_that_shrinks() {
    model(
        "breaker-wait-multiplier",
        &client("breaker: Breaker(wait: OpenWait(multiplier: 0.5))"),
        "model.ron:7:71: error in `calls.api -> user-profile.breaker.wait.multiplier`: \
         multiplier = 0.5: must be a finite number ≥ 1\n  \
         hint: 1 keeps the delay constant; 2 doubles it each time",
    );
}

#[test]
fn a_class_no_source_produces() {
    // The model keeps a pool for `critical`; the scenario's source misspells it.
    let scenario = r#"Scenario(model: "model.ron", duration: "1m",
    sources: [Source(target: "api/home", rate: Constant(5.0), class: "critcal")])
"#;
    let model = client(r#"pools: { "critical": Pool(size: 2) }"#);
    assert_invalid(
        "class-not-produced",
        &[
            ("scenario.ron", scenario.as_bytes()),
            ("model.ron", model.as_bytes()),
        ],
        "scenario.ron:2:5: error in `sources`: the model has settings for class `critical`, \
         but no source produces it\n  hint: did you mean `critcal`?",
    );
}

#[test]
fn an_ingress_rate_limit_without_burst() {
    let text = r#"Model(
    services: {
        "api": Service(workers: 2, overload: Overload(rate_limit: RateLimit(rate: 50.0, burst: 0)),
            operations: { "get": [Work(Constant("1ms"))] }),
    },
)
"#;
    model(
        "rate-limit-burst",
        text,
        "model.ron:3:89: error in `services.api.overload.rate_limit.burst`: must be between 1 \
         and 1000000\n  hint: see docs/model-format.md, Resilience, for the allowed values \
         and defaults",
    );
}
