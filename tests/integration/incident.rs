//! Scripted incident actions, chaos injectors, detectors and `sim test` (issue 4).
//!
//! Each test runs a small front → back topology for a few simulated minutes with one
//! action or injector, and compares the window before it with the window after it.

use crate::common::{fresh_dir, scenario_from_text, sim_bin};
use cascade_sim::engine::RunResult;
use cascade_sim::observe::DetectedKind;
use cascade_sim::report::timeline_txt;
use cascade_sim::run::run_quietly;
use cascade_sim::scenario::Scenario;

const MODEL: &str = r#"Model(
    services: {
        "front": Service(replicas: 2, workers: 50, queue: Queue(capacity: 5000),
            memory: Memory(limit: "LIMIT", base: "100MiB", per_request: "1MiB", restart_after: "20s"),
            operations: { "get": [Work(Exponential(mean: "1ms")), Call("back/get")] }),
        "back": Service(replicas: 2, workers: 20,
            operations: { "get": [Work(Exponential(mean: "10ms"))] }),
    },
    calls: {
        "front -> back": Client(timeout: "2s", pool: Pool(size: 20, acquire_timeout: "1s"),
            retry: Retry(max_attempts: 1), fallback: Fallback(latency: Constant("1ms"), enabled: false)),
    },
)"#;

/// Run the model for 4 minutes at `rate`/s with the given incident and chaos lists
/// (memory ample enough never to crash).
fn run(rate: f64, incident: &str, chaos: &str) -> (Scenario, RunResult) {
    run_with_memory("100GiB", rate, incident, chaos)
}

fn run_with_memory(limit: &str, rate: f64, incident: &str, chaos: &str) -> (Scenario, RunResult) {
    let scenario = format!(
        r#"Scenario(model: "m.ron", start: "10:00:00", duration: "4m", window: "10s", seed: 3,
            sources: [Source(name: "users", target: "front/get", rate: Constant({rate}))],
            incident: [{incident}], chaos: [{chaos}])"#
    );
    let s = scenario_from_text(&MODEL.replace("LIMIT", limit), &scenario);
    let r = run_quietly(&s);
    (s, r)
}

/// Sum of a per-window service column over windows starting in [from, to) seconds.
fn service_sum(
    r: &RunResult,
    service: u32,
    from: u64,
    to: u64,
    f: impl Fn(&cascade_sim::observe::ServiceRow) -> f64,
) -> f64 {
    r.recorder
        .rows
        .iter()
        .filter(|w| {
            w.service == service
                && w.window_start >= from * 1_000_000_000
                && w.window_start < to * 1_000_000_000
        })
        .map(f)
        .sum()
}

fn edge_sum(
    r: &RunResult,
    from: u64,
    to: u64,
    f: impl Fn(&cascade_sim::observe::EdgeCounters) -> u64,
) -> u64 {
    r.recorder
        .edge_rows
        .iter()
        .filter(|w| w.window_start >= from * 1_000_000_000 && w.window_start < to * 1_000_000_000)
        .map(|w| f(&w.counters))
        .sum()
}

// Services are numbered in name order.
const BACK: u32 = 0;
const FRONT: u32 = 1;

fn mean_latency(r: &RunResult, service: u32, from: u64, to: u64) -> f64 {
    let sum = service_sum(r, service, from, to, |w| {
        w.mean_response_s.unwrap_or(0.0) * (w.completed + w.degraded) as f64
    });
    let n = service_sum(r, service, from, to, |w| (w.completed + w.degraded) as f64);
    sum / n
}

fn failures(r: &RunResult, service: u32, from: u64, to: u64) -> f64 {
    service_sum(r, service, from, to, |w| w.failed() as f64)
}

#[test]
fn slow_down_multiplies_work_and_ends_when_it_lasts() {
    let (s, r) = run(
        500.0,
        r#"Step(when: After("60s"), action: SlowDown(service: "back", factor: 3.0), lasting: "60s")"#,
        "",
    );
    let before = mean_latency(&r, BACK, 0, 60);
    let during = mean_latency(&r, BACK, 70, 120);
    let after = mean_latency(&r, BACK, 130, 240);
    assert!(
        (during / before - 3.0).abs() < 0.3,
        "before {before} during {during}"
    );
    assert!((after / before - 1.0).abs() < 0.1, "after {after}");
    let text = timeline_txt(&s, &r);
    assert!(
        text.contains("10:01:00 - back slowed down (x3)")
            && text.contains("10:02:00 - back slowed down (x3) ended"),
        "{text}"
    );
}

#[test]
fn error_rate_fails_that_share_of_requests() {
    let (_, r) = run(
        500.0,
        r#"Step(when: After("60s"), action: SetErrorRate(service: "back", rate: 0.2))"#,
        "",
    );
    assert_eq!(failures(&r, BACK, 0, 60), 0.0);
    let share = failures(&r, BACK, 60, 240) / service_sum(&r, BACK, 60, 240, |w| w.arrivals as f64);
    assert!((share - 0.2).abs() < 0.01, "error share {share}");
}

#[test]
fn crash_fails_in_flight_requests_and_restarts() {
    let (_, r) = run(
        500.0,
        r#"Step(when: After("60s"), action: Crash(service: "back", replicas: 2))"#,
        "",
    );
    let crashed: u64 = r
        .recorder
        .rows
        .iter()
        .filter(|w| w.service == BACK)
        .map(|w| w.errors[cascade_sim::outcome::Cause::Crashed as usize])
        .sum();
    assert!(crashed > 0, "no request failed with `crashed`");
    // Both replicas are down for 30 s, then serve again.
    assert_eq!(service_sum(&r, BACK, 70, 80, |w| w.completed as f64), 0.0);
    assert!(service_sum(&r, BACK, 100, 240, |w| w.completed as f64) > 0.0);
}

#[test]
fn set_workers_and_replicas_change_capacity() {
    let (_, r) = run(
        1500.0,
        r#"Step(when: After("60s"), action: SetWorkers(service: "back", workers: 5), lasting: "60s")"#,
        "",
    );
    // 1500/s × 10 ms = 15 busy workers: with 2 × 5 workers, the back end saturates.
    assert!(service_sum(&r, BACK, 70, 120, |w| w.utilization) / 5.0 > 0.95);
    assert!(service_sum(&r, BACK, 0, 60, |w| w.utilization) / 6.0 < 0.5);
    let (_, r) = run(
        500.0,
        r#"Step(when: After("60s"), action: SetReplicas(service: "back", replicas: 1), lasting: "60s")"#,
        "",
    );
    let up = |from, to| {
        service_sum(&r, BACK, from, to, |w| f64::from(w.replicas_up)) / ((to - from) as f64 / 10.0)
    };
    // Gauges are sampled as each window closes; skip the windows that end on a change.
    assert_eq!((up(0, 50), up(60, 110), up(120, 240)), (2.0, 1.0, 2.0));
}

#[test]
fn leaking_connections_saturates_the_pool_and_is_detected() {
    let (s, r) = run(
        1500.0,
        r#"Step(when: After("60s"), action: LeakConnections(edge: "front -> back", count: 17))"#,
        "",
    );
    // 750 calls/s per replica × 10 ms need 7.5 connections: 3 are left after the leak.
    let most_waiting = |from: u64, to: u64| {
        r.recorder
            .edge_rows
            .iter()
            .filter(|w| {
                w.window_start >= from * 1_000_000_000 && w.window_start < to * 1_000_000_000
            })
            .map(|w| w.counters.pool_waiters_max)
            .max()
            .unwrap_or(0)
    };
    assert!(most_waiting(0, 60) <= 5, "before: {}", most_waiting(0, 60));
    assert!(
        most_waiting(70, 240) >= 40,
        "after: {}",
        most_waiting(70, 240)
    );
    assert!(r
        .recorder
        .edge_rows
        .iter()
        .filter(|w| w.window_start >= 70_000_000_000)
        .all(|w| w.counters.pool_in_use_max <= 3));
    assert!(failures(&r, FRONT, 70, 240) > 0.0);
    let text = timeline_txt(&s, &r);
    assert!(
        text.contains("front connection pool saturated (front -> back)"),
        "{text}"
    );
    // Detected after the leak, not before.
    let at = r
        .recorder
        .timeline
        .events
        .iter()
        .find(|e| e.kind == DetectedKind::PoolSaturated)
        .unwrap()
        .at;
    assert!(
        (60_000_000_000..70_000_000_000).contains(&at),
        "saturated at {at}"
    );
}

#[test]
fn pool_resize_and_timeout_change_take_effect() {
    let (s, r) = run(
        1000.0,
        r#"Step(when: After("60s"), action: SlowDown(service: "back", factor: 400.0)),
           Step(when: After("120s"), action: SetTimeout(edge: "front -> back", timeout: "60s"))"#,
        "",
    );
    // Work takes 4 s after the slowdown: every call times out at 2 s, then none do
    // within the 60 s timeout (they wait for the pool instead).
    assert!(
        edge_sum(&r, 70, 120, |c| c.attempt_failures
            [cascade_sim::outcome::Cause::Timeout as usize])
            > 0
    );
    assert_eq!(
        edge_sum(&r, 130, 180, |c| c.attempt_failures
            [cascade_sim::outcome::Cause::Timeout as usize]),
        0
    );
    assert!(timeline_txt(&s, &r).contains("10:02:00 - front -> back timeout changed (2s -> 60s)"));
    let (_, r) = run(
        1500.0,
        r#"Step(when: After("60s"), action: SetPoolSize(edge: "front -> back", size: 2))"#,
        "",
    );
    assert!(edge_sum(&r, 70, 240, |c| c.pool_in_use_max.into()) <= 2 * 17);
    assert!(failures(&r, FRONT, 70, 240) > 0.0);
}

#[test]
fn retries_fallback_and_traffic_actions() {
    let (_, r) = run(
        500.0,
        r#"Step(when: After("0s"), action: SetErrorRate(service: "back", rate: 0.5)),
           Step(when: After("60s"), action: SetFallback(edge: "front -> back", enabled: true))"#,
        "",
    );
    assert_eq!(service_sum(&r, FRONT, 0, 60, |w| w.degraded as f64), 0.0);
    assert!(service_sum(&r, FRONT, 70, 240, |w| w.degraded as f64) > 0.0);
    assert_eq!(failures(&r, FRONT, 70, 240), 0.0);
    let (_, r) = run(
        500.0,
        r#"Step(when: After("60s"), action: Traffic(multiplier: 2.0), lasting: "60s")"#,
        "",
    );
    let rate =
        |from, to| service_sum(&r, FRONT, from, to, |w| w.arrivals as f64) / (to - from) as f64;
    assert!(
        (rate(60, 120) / rate(0, 60) - 2.0).abs() < 0.1,
        "{} vs {}",
        rate(60, 120),
        rate(0, 60)
    );
    assert!((rate(120, 240) / rate(0, 60) - 1.0).abs() < 0.1);
}

/// Traffic stopped for a while (multiplier 0) comes back when the step ends, also while
/// another traffic step is in effect: undoing by dividing by the multiplier left it
/// stopped for good.
#[test]
fn traffic_stopped_for_a_while_comes_back() {
    let (_, r) = run(
        500.0,
        r#"Step(when: After("60s"), action: Traffic(multiplier: 0.0), lasting: "60s"),
           Step(when: After("90s"), action: Traffic(multiplier: 2.0), lasting: "90s")"#,
        "",
    );
    let rate =
        |from, to| service_sum(&r, FRONT, from, to, |w| w.arrivals as f64) / (to - from) as f64;
    assert_eq!(rate(60, 120), 0.0);
    assert!(
        (rate(120, 180) / rate(0, 60) - 2.0).abs() < 0.1,
        "{}",
        rate(120, 180)
    );
    assert!(
        (rate(180, 240) / rate(0, 60) - 1.0).abs() < 0.1,
        "{}",
        rate(180, 240)
    );
}

#[test]
fn black_hole_and_partition_make_callers_time_out() {
    for action in [
        r#"BlackHole(service: "back")"#,
        r#"Partition(a: "front", b: "back")"#,
    ] {
        let (_, r) = run(
            200.0,
            &format!(r#"Step(when: After("60s"), action: {action}, lasting: "60s")"#),
            "",
        );
        let timeouts = edge_sum(&r, 60, 120, |c| {
            c.attempt_failures[cascade_sim::outcome::Cause::Timeout as usize]
        });
        assert!(timeouts > 1000, "{action}: {timeouts} timeouts");
        assert_eq!(
            edge_sum(&r, 130, 240, |c| c.attempt_failures
                [cascade_sim::outcome::Cause::Timeout as usize]),
            0,
            "{action} ended"
        );
    }
}

#[test]
fn chaos_injectors_hit_their_share_of_calls() {
    let (_, r) = run(
        1000.0,
        "",
        r#"DropConnections(edge: "front -> back", percent: 5.0, from: After("60s"), to: After("180s"))"#,
    );
    let dropped = edge_sum(&r, 0, 240, |c| {
        c.attempt_failures[cascade_sim::outcome::Cause::Dropped as usize]
    }) as f64;
    let calls = edge_sum(&r, 60, 180, |c| c.calls) as f64;
    let se = (calls * 0.05 * 0.95).sqrt();
    assert!(
        (dropped - 0.05 * calls).abs() < 4.0 * se,
        "dropped {dropped} of {calls}"
    );
    let (_, r) = run(
        1000.0,
        "",
        r#"Latency(edge: "front -> back", percent: 10.0, min: "100ms", max: "300ms", from: After("60s"), to: After("180s"))"#,
    );
    let hits = edge_sum(&r, 0, 240, |c| c.chaos_hits) as f64;
    let calls = edge_sum(&r, 60, 180, |c| c.calls) as f64;
    assert!(
        (hits - 0.1 * calls).abs() < 4.0 * (calls * 0.09).sqrt(),
        "{hits} of {calls}"
    );
    // A tenth of calls 200 ms slower: the mean call time rises by about 20 ms.
    let mean = |from, to| {
        let ns: u128 = r
            .recorder
            .edge_rows
            .iter()
            .filter(|w| {
                w.window_start >= from * 1_000_000_000 && w.window_start < to * 1_000_000_000
            })
            .map(|w| w.counters.call_ns)
            .sum();
        ns as f64 / edge_sum(&r, from, to, |c| c.ok) as f64 / 1e9
    };
    assert!(
        (mean(60, 180) - mean(0, 60) - 0.02).abs() < 0.004,
        "{} vs {}",
        mean(60, 180),
        mean(0, 60)
    );
}

#[test]
fn detectors_find_queuing_memory_exhaustion_outage_and_recovery() {
    // The back end slows 100× for a minute: front's workers block, its queue grows,
    // memory runs out, answers fail, then everything comes back.
    let (s, r) = run_with_memory(
        "600MiB",
        800.0,
        r#"Step(when: After("60s"), action: SlowDown(service: "back", factor: 100.0), lasting: "60s")"#,
        "",
    );
    let text = timeline_txt(&s, &r);
    for phrase in [
        "front queuing requests",
        "front memory exhaustion",
        "full system outage declared",
        "recovered",
    ] {
        assert!(text.contains(phrase), "missing `{phrase}` in\n{text}");
    }
    assert!(r.verdicts.outage_at.is_some_and(|t| t > 60_000_000_000));
    assert!(r.verdicts.recovered_at.is_some());
    // Nothing is detected in a quiet run.
    let (s, r) = run(100.0, "", "");
    assert_eq!(timeline_txt(&s, &r), "");
}

/// The aggregate queuing line counts only services upstream of the trouble: `back`, whose
/// own work slows down, queues too, but nothing it waits on is in trouble. (Each tier has
/// more workers than the one below, so that every tier's queue can grow.)
#[test]
fn upstream_queuing_counts_callers_of_the_trouble_not_its_source() {
    let model = r#"Model(
        services: {
            "front": Service(replicas: 1, workers: 200, operations: { "get": [Call("mid/get")] }),
            "mid": Service(replicas: 1, workers: 50, operations: { "get": [Call("back/get")] }),
            "back": Service(replicas: 1, workers: 20,
                operations: { "get": [Work(Exponential(mean: "10ms"))] }),
        },
    )"#;
    let run_across = |across: u32| {
        let scenario = format!(
            r#"Scenario(model: "m.ron", start: "10:00:00", duration: "2m", window: "10s", seed: 3,
            sources: [Source(target: "front/get", rate: Constant(500.0))],
            incident: [Step(when: After("60s"), action: SlowDown(service: "back", factor: 100.0))],
            detectors: Detectors(queuing_services: {across}))"#
        );
        let s = scenario_from_text(model, &scenario);
        let r = run_quietly(&s);
        timeline_txt(&s, &r)
    };
    let text = run_across(2);
    for phrase in [
        "back queuing requests",
        "mid queuing requests",
        "front queuing requests",
        "upstream services begin queuing requests (2 services)",
    ] {
        assert!(text.contains(phrase), "missing `{phrase}` in\n{text}");
    }
    let text = run_across(3);
    assert!(text.contains("front queuing requests"), "{text}");
    assert!(!text.contains("upstream services"), "{text}");
}

#[test]
fn sim_test_fails_on_a_broken_expectation() {
    let dir = fresh_dir("sim-test-broken");
    std::fs::write(dir.join("m.ron"), MODEL.replace("LIMIT", "1GiB")).unwrap();
    let scenario = |expect: &str| {
        format!(
            r#"Scenario(model: "m.ron", start: "10:00:00", duration: "2m", window: "10s",
            sources: [Source(target: "front/get", rate: Constant(100.0))], expect: [{expect}])"#
        )
    };
    std::fs::write(
        dir.join("good.ron"),
        scenario("Outage(declared: false), SuccessRate(at_least: 0.99)"),
    )
    .unwrap();
    std::fs::write(
        dir.join("bad.ron"),
        scenario(r#"Outage(declared: true), P99(at_most: "1us")"#),
    )
    .unwrap();
    let out = std::process::Command::new(sim_bin())
        .args(["test", dir.join("good.ron").to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.ends_with("2 passed, 0 failed\n"), "{stdout}");
    let out = std::process::Command::new(sim_bin())
        .args(["test", dir.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL bad: outage declared (got: no outage)"),
        "{stdout}"
    );
    assert!(stdout.ends_with("2 passed, 2 failed\n"), "{stdout}");
}

/// The project's own regression tests on seeds: every shipped scenario's `expect` list,
/// checked the way a user's CI would (`sim test scenarios/`).
#[test]
fn shipped_scenarios_meet_their_expectations() {
    let root = crate::common::root();
    let out = std::process::Command::new(sim_bin())
        .current_dir(&root)
        .args(["test", "scenarios"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.trim_end().ends_with(" 0 failed"), "{stdout}");
}

#[test]
fn every_shipped_file_passes_sim_check() {
    let root = crate::common::root();
    let mut files: Vec<String> = Vec::new();
    for dir in ["models", "scenarios"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            files.push(e.path().to_string_lossy().into_owned());
        }
    }
    files.sort();
    let out = std::process::Command::new(sim_bin())
        .current_dir(&root)
        .arg("check")
        .args(&files)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
