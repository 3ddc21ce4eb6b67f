//! `sim check` on values out of range: negative, zero, NaN, or inconsistent parameters,
//! each named by its field path.

use super::{model, scenario, OK_MODEL, TWO_SERVICES};

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
