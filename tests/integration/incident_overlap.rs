//! Scripted steps that change the same setting while both are in effect compose: the
//! setting is what the steps still in effect give, applied in their start order to the
//! model's value, whatever order they end in (docs/incidents.md).
//!
//! Each case has two steps on one setting, starting at 10 s and 20 s and ending at 40 s
//! and 60 s in one order or the other (or not at all), and reads the setting at 15, 25,
//! 45 and 65 s.

use crate::common::scenario_from_text;
use cascade_sim::engine::{Limits, Setting, Simulation, Value};
use cascade_sim::report::timeline_txt;
use cascade_sim::run::run_quietly;

const MODEL: &str = r#"Model(
    services: {
        "front": Service(replicas: 3, workers: 10,
            operations: { "get": [Work(Exponential(mean: "1ms")), Call("back/get")] }),
        "back": Service(replicas: 2, workers: 10, error_rate: 0.01,
            operations: { "get": [Work(Exponential(mean: "2ms"))] }),
    },
    calls: {
        "front -> back": Client(timeout: "2s", pool: Pool(size: 10, acquire_timeout: "1s"),
            retry: Retry(max_attempts: 2), fallback: Fallback(latency: Constant("1ms"), enabled: false)),
    },
)"#;

// Services are numbered in name order; there is one edge and two sources.
const BACK: u32 = 0;
const FRONT: u32 = 1;
const EDGE: u32 = 0;

/// Two steps: the first starts at 10 s, the second at 20 s; `first_ends_first` picks
/// whether they end at 40 s and 60 s or at 60 s and 40 s. `None` keeps a step for good.
fn overlap(a: &str, b: &str, first_ends_first: Option<bool>) -> String {
    let (la, lb) = match first_ends_first {
        Some(true) => (Some(30), Some(40)),
        Some(false) => (Some(50), Some(20)),
        None => (None, Some(20)),
    };
    let lasting = |l: Option<u32>| l.map_or(String::new(), |s| format!(", lasting: \"{s}s\""));
    format!(
        r#"Step(when: After("10s"), action: {a}{}), Step(when: After("20s"), action: {b}{})"#,
        lasting(la),
        lasting(lb)
    )
}

fn scenario(incident: &str) -> cascade_sim::scenario::Scenario {
    let scenario = format!(
        r#"Scenario(model: "m.ron", start: "10:00:00", duration: "70s", window: "10s", seed: 5,
            sources: [Source(name: "users", target: "front/get", rate: Constant(20)),
                      Source(name: "bots", target: "front/get", rate: Constant(5))],
            incident: [{incident}])"#
    );
    scenario_from_text(MODEL, &scenario)
}

/// The setting at 15, 25, 45 and 65 s.
fn values(incident: &str, setting: Setting) -> Vec<Value> {
    let s = scenario(incident);
    let mut sim = Simulation::new(&s, Limits::default());
    let mut out = Vec::new();
    for t in [15u64, 25, 45, 65] {
        while sim.now() < t * 1_000_000_000 && !sim.run_for(1) {}
        out.push(sim.setting(setting));
        if let Err(e) = sim.check_invariants() {
            panic!("at {t}s: {e}");
        }
    }
    out
}

fn counts(v: &[u32]) -> Vec<Value> {
    v.iter().map(|c| Value::Count(*c)).collect()
}

fn factors(v: &[f64]) -> Vec<Value> {
    v.iter().map(|f| Value::Factor(*f)).collect()
}

#[test]
fn pool_size_and_leaks_compose_in_any_end_order() {
    let set = "SetPoolSize(edge: \"front -> back\", size: 5)";
    let leak = "LeakConnections(edge: \"front -> back\", count: 2)";
    let pool = Setting::Pool(EDGE);
    // The leak applies on top of the resize; when the resize ends it applies to 10.
    assert_eq!(
        values(&overlap(set, leak, Some(true)), pool),
        counts(&[5, 3, 8, 10])
    );
    assert_eq!(
        values(&overlap(set, leak, Some(false)), pool),
        counts(&[5, 3, 5, 10])
    );
    // A resize overrides a leak before it; the leak ending leaves the resize in force.
    assert_eq!(
        values(&overlap(leak, set, Some(true)), pool),
        counts(&[8, 5, 5, 10])
    );
    assert_eq!(
        values(&overlap(leak, set, Some(false)), pool),
        counts(&[8, 5, 8, 10])
    );
    // A leak for good stays under a resize that ends.
    assert_eq!(
        values(&overlap(leak, set, None), pool),
        counts(&[8, 5, 8, 8])
    );
    // A resize for good after a leak that ends: the resize stays.
    let set_for_good = format!(
        r#"Step(when: After("10s"), action: {leak}, lasting: "30s"), Step(when: After("20s"), action: {set})"#
    );
    assert_eq!(values(&set_for_good, pool), counts(&[8, 5, 5, 5]));
}

#[test]
fn workers_and_replicas_follow_the_latest_step_in_effect() {
    for (setting, kind, base) in [
        (
            Setting::Workers(BACK),
            "SetWorkers(service: \"back\", workers: ",
            10,
        ),
        (
            Setting::Replicas(FRONT),
            "SetReplicas(service: \"front\", replicas: ",
            3,
        ),
    ] {
        let a = format!("{kind}1)");
        let b = format!("{kind}2)");
        assert_eq!(
            values(&overlap(&a, &b, Some(true)), setting),
            counts(&[1, 2, 2, base]),
            "{kind}"
        );
        assert_eq!(
            values(&overlap(&a, &b, Some(false)), setting),
            counts(&[1, 2, 1, base]),
            "{kind}"
        );
    }
}

#[test]
fn slowdowns_multiply_and_each_takes_out_its_own_factor() {
    let a = "SlowDown(service: \"back\", factor: 2.0)";
    let b = "SlowDown(service: \"back\", factor: 3.0)";
    let s = Setting::Slowdown(BACK);
    assert_eq!(
        values(&overlap(a, b, Some(true)), s),
        factors(&[2.0, 6.0, 3.0, 1.0])
    );
    assert_eq!(
        values(&overlap(a, b, Some(false)), s),
        factors(&[2.0, 6.0, 2.0, 1.0])
    );
}

#[test]
fn traffic_multipliers_end_exactly_where_they_started() {
    // 0.1 × 0.7 ÷ 0.1 ÷ 0.7 is not 1 in floating point: recomputed, it is.
    let a = "Traffic(multiplier: 0.1)";
    let b = "Traffic(source: \"users\", multiplier: 0.7)";
    assert_eq!(
        values(&overlap(a, b, Some(true)), Setting::Traffic(0)),
        factors(&[0.1, 0.1 * 0.7, 0.7, 1.0])
    );
    assert_eq!(
        values(&overlap(a, b, Some(false)), Setting::Traffic(0)),
        factors(&[0.1, 0.1 * 0.7, 0.1, 1.0])
    );
    let stop = "Traffic(source: \"bots\", multiplier: 0.0)";
    assert_eq!(
        values(&overlap(a, stop, Some(true)), Setting::Traffic(1)),
        factors(&[0.1, 0.0, 0.0, 1.0])
    );
}

/// A setting, two steps on it, and its values when the first or the second ends first.
type Case = (Setting, &'static str, &'static str, [Value; 4], [Value; 4]);

#[test]
fn absolute_edge_and_service_settings_follow_the_latest_step_in_effect() {
    let two = Value::Timeout(Some(2_000_000_000));
    let secs = |s: u64| Value::Timeout(Some(s * 1_000_000_000));
    let cases: Vec<Case> = vec![
        (
            Setting::Timeout(EDGE),
            "SetTimeout(edge: \"front -> back\", timeout: \"5s\")",
            "SetTimeout(edge: \"front -> back\", timeout: \"1s\")",
            [secs(5), secs(1), secs(1), two],
            [secs(5), secs(1), secs(5), two],
        ),
        (
            Setting::ErrorRate(BACK),
            "SetErrorRate(service: \"back\", rate: 0.5)",
            "SetErrorRate(service: \"back\", rate: 0.25)",
            [
                Value::Rate(0.5),
                Value::Rate(0.25),
                Value::Rate(0.25),
                Value::Rate(0.01),
            ],
            [
                Value::Rate(0.5),
                Value::Rate(0.25),
                Value::Rate(0.5),
                Value::Rate(0.01),
            ],
        ),
        (
            Setting::Retries(EDGE),
            "SetRetries(edge: \"front -> back\", max_attempts: 4)",
            "SetRetries(edge: \"front -> back\", max_attempts: 1)",
            counts(&[4, 1, 1, 2]).try_into().unwrap(),
            counts(&[4, 1, 4, 2]).try_into().unwrap(),
        ),
        (
            Setting::Fallback(EDGE),
            "SetFallback(edge: \"front -> back\", enabled: true)",
            "SetFallback(edge: \"front -> back\", enabled: false)",
            [true, false, false, false].map(Value::Flag),
            [true, false, true, false].map(Value::Flag),
        ),
        (
            Setting::BlackHole(BACK),
            "BlackHole(service: \"back\")",
            "BlackHole(service: \"back\")",
            [true, true, true, false].map(Value::Flag),
            [true, true, true, false].map(Value::Flag),
        ),
        (
            Setting::Latency(BACK),
            "SetLatency(service: \"back\", latency: Constant(\"5ms\"))",
            "SetLatency(service: \"back\", latency: Constant(\"9ms\"))",
            [Some(0), Some(1), Some(1), None].map(Value::Step),
            [Some(0), Some(1), Some(0), None].map(Value::Step),
        ),
    ];
    for (setting, a, b, first_ends_first, second_ends_first) in cases {
        assert_eq!(
            values(&overlap(a, b, Some(true)), setting),
            first_ends_first,
            "{a} then {b}, the first ending first"
        );
        assert_eq!(
            values(&overlap(a, b, Some(false)), setting),
            second_ends_first,
            "{a} then {b}, the second ending first"
        );
    }
}

#[test]
fn a_step_ends_in_the_timeline_with_the_words_it_started_with() {
    let a = "SetWorkers(service: \"back\", workers: 1)";
    let b = "SetWorkers(service: \"back\", workers: 2)";
    for (incident, lines) in [
        (
            format!(r#"Step(when: After("10s"), action: {a}, lasting: "30s")"#),
            vec![
                "10:00:10 - back workers changed (10 -> 1)",
                "10:00:40 - back workers changed (10 -> 1) ended",
            ],
        ),
        (
            overlap(a, b, Some(true)),
            vec![
                "10:00:10 - back workers changed (10 -> 1)",
                "10:00:20 - back workers changed (1 -> 2)",
                "10:00:40 - back workers changed (10 -> 1) ended",
                "10:01:00 - back workers changed (1 -> 2) ended",
            ],
        ),
    ] {
        let s = scenario(&incident);
        let text = timeline_txt(&s, &run_quietly(&s));
        let scripted: Vec<&str> = text.lines().filter(|l| l.contains("workers")).collect();
        assert_eq!(scripted, lines, "{text}");
    }
}
