//! Resilience mechanisms on small models, against what theory or the mechanism's own
//! arithmetic implies. Tolerances come from the run (binomial standard errors, one
//! breaker cycle, one histogram bucket), never from a recorded output; each test also
//! checks that the effect is absent without the mechanism, so that it can fail.

mod demo;
mod overload;
mod resources;

use crate::common::scenario_from_text;
use cascade_sim::engine::RunResult;
use cascade_sim::report::summary::{summarize, EdgeSummary, ServiceSummary, Summary};
use cascade_sim::run::run_quietly;

/// Run a model under a scenario; the run must not stop early.
pub fn run_full(model: &str, scenario: &str) -> (Summary, RunResult) {
    let scenario = scenario_from_text(model, scenario);
    let result = run_quietly(&scenario);
    assert!(result.partial.is_none(), "stopped: {:?}", result.partial);
    (summarize(&scenario, &result), result)
}

pub fn run(model: &str, scenario: &str) -> Summary {
    run_full(model, scenario).0
}

/// Poisson sources (`(target, rate, class)`) for `duration`, windows of `window`.
pub fn scenario(duration: &str, window: &str, sources: &[(&str, f64, &str)]) -> String {
    let sources: Vec<String> = sources
        .iter()
        .map(|(target, rate, class)| {
            let class = if class.is_empty() {
                String::new()
            } else {
                format!(", class: \"{class}\"")
            };
            format!("Source(target: \"{target}\", rate: Constant({rate:?}){class})")
        })
        .collect();
    format!(
        r#"Scenario(model: "test-model.ron", duration: "{duration}", window: "{window}",
            sources: [{}])"#,
        sources.join(", ")
    )
}

pub fn service<'a>(s: &'a Summary, name: &str) -> &'a ServiceSummary {
    &s.services[name]
}

pub fn edge<'a>(s: &'a Summary, name: &str) -> &'a EdgeSummary {
    &s.edges[name]
}

/// Four binomial standard errors of a share `p` measured over `n` trials.
pub fn four_se(p: f64, n: u64) -> f64 {
    4.0 * (p * (1.0 - p) / n as f64).sqrt()
}

/// `caller/call` calls `callee/op` (1 ms of work) through `client`; the callee has
/// `callee_extra` fields (error rate, memory...).
pub fn caller_callee(client: &str, callee_extra: &str) -> String {
    format!(
        r#"Model(
    services: {{
        "caller": Service(workers: 500, operations: {{ "call": [Call("callee/op")] }}),
        "callee": Service(workers: 100, {callee_extra}
            operations: {{ "op": [Work(Constant("1ms"))] }}),
    }},
    calls: {{ "caller -> callee": {client} }},
)"#
    )
}

#[test]
fn attempts_per_call_follow_the_truncated_geometric_law() {
    // Independent failures of probability p and k attempts: a call makes
    // 1 + p + … + p^(k−1) = (1 − p^k)/(1 − p) attempts and fails with probability p^k.
    let (p, k) = (0.3_f64, 3_i32);
    let client = |k: i32| {
        format!(
            r#"Client(retry: Retry(max_attempts: {k}, on: [Error],
                backoff: Backoff(base: "1ms"), jitter: None))"#
        )
    };
    let model = caller_callee(&client(k), &format!("error_rate: {p},"));
    let s = run(
        &model,
        &scenario("100s", "10s", &[("caller/call", 200.0, "")]),
    );
    let e = edge(&s, "caller -> callee");
    let n = e.calls;
    let amplification = e.retry_amplification.unwrap();
    // Attempts per call take values 1..=k with P(j) = p^(j−1)(1 − p), and P(k) = p^(k−1).
    let expected = (1.0 - p.powi(k)) / (1.0 - p);
    let second_moment: f64 = (1..=k)
        .map(|j| {
            let pj = if j < k {
                p.powi(j - 1) * (1.0 - p)
            } else {
                p.powi(k - 1)
            };
            f64::from(j * j) * pj
        })
        .sum();
    let sd = (second_moment - expected * expected).sqrt();
    let tolerance = 4.0 * sd / (n as f64).sqrt();
    println!(
        "retry: {n} calls, {} attempts, amplification {amplification:.4}, theory {expected:.4} ± {tolerance:.4}",
        e.attempts
    );
    assert!((amplification - expected).abs() < tolerance);
    let failed_share = e.failed as f64 / n as f64;
    let tolerance = four_se(p.powi(k), n);
    println!(
        "retry: failed share {failed_share:.5}, theory p^k = {:.5} ± {tolerance:.5}",
        p.powi(k)
    );
    assert!((failed_share - p.powi(k)).abs() < tolerance);
    assert_eq!(e.failures["downstream_error"], e.failed);
    // Without retries, one attempt per call and a failure share of p.
    let s = run(
        &caller_callee(&client(1), &format!("error_rate: {p},")),
        &scenario("100s", "10s", &[("caller/call", 200.0, "")]),
    );
    let e = edge(&s, "caller -> callee");
    assert_eq!(e.attempts, e.calls);
    let share = e.failed as f64 / e.calls as f64;
    assert!((share - p).abs() < four_se(p, e.calls), "{share}");
}

#[test]
fn an_open_breaker_lets_only_half_open_probes_reach_a_dead_callee() {
    let (window, half_open, wait_s, rate, duration_s) = (10_u64, 3_u64, 5.0, 100.0, 100.0);
    let breaker = format!(
        r#"Client(breaker: Breaker(window: CountBased({window}), minimum_calls: {window},
            failure_rate_threshold: 50, wait: OpenWait(initial: "{wait_s}s"),
            half_open_calls: {half_open}))"#
    );
    let s = run(
        &caller_callee(&breaker, "error_rate: 1.0,"),
        &scenario(
            &format!("{duration_s}s"),
            "10s",
            &[("caller/call", rate, "")],
        ),
    );
    let reached = service(&s, "callee").arrivals;
    let e = edge(&s, "caller -> callee");
    // The first `window` calls trip the breaker; then each cycle is the open wait, the
    // next call after it (the breaker half-opens lazily), and `half_open` probes that
    // fail and re-open it. The cycle takes the wait plus a few arrival gaps.
    let trip_s = window as f64 / rate;
    let cycle_min = wait_s;
    let cycle_max = wait_s + (half_open as f64 + 1.0) * 20.0 / rate;
    let cycles_max = ((duration_s - trip_s) / cycle_min).floor() as u64;
    let cycles_min = ((duration_s - trip_s) / cycle_max).floor() as u64;
    let (lo, hi) = (
        window + half_open * cycles_min.saturating_sub(1),
        window + half_open * cycles_max,
    );
    println!(
        "breaker: {} calls, {reached} reached the dead callee (arithmetic {lo}..={hi}), \
         {} transitions, {} breaker_open rejections",
        e.calls, e.breaker_transitions, e.rejections["breaker_open"]
    );
    assert!((lo..=hi).contains(&reached));
    assert_eq!(e.rejections["breaker_open"] + reached, e.calls);
    // Closed → open, then open → half-open → open once per cycle.
    assert!(e.breaker_transitions > 2 * cycles_min.saturating_sub(1));
    assert!(e.breaker_transitions <= 1 + 2 * cycles_max);
    // Without the breaker every call reaches the dead callee.
    let s = run(
        &caller_callee("Client()", "error_rate: 1.0,"),
        &scenario(
            &format!("{duration_s}s"),
            "10s",
            &[("caller/call", rate, "")],
        ),
    );
    assert_eq!(
        service(&s, "callee").arrivals,
        edge(&s, "caller -> callee").calls
    );
}

#[test]
fn a_fallback_turns_covered_failures_into_degraded_answers() {
    let p = 0.2;
    let client = |enabled: bool| {
        format!(
            r#"Client(fallback: Fallback(latency: Constant("2ms"), on: [Error],
                enabled: {enabled}))"#
        )
    };
    let s = run(
        &caller_callee(&client(true), &format!("error_rate: {p},")),
        &scenario("50s", "10s", &[("caller/call", 200.0, "")]),
    );
    let caller = service(&s, "caller");
    let e = edge(&s, "caller -> callee");
    let finished = caller.completed + caller.degraded + caller.failed;
    let share = caller.degraded as f64 / finished as f64;
    println!(
        "fallback: caller completed {}, degraded {} ({share:.4}, p = {p}), failed {}; edge degraded {}",
        caller.completed, caller.degraded, caller.failed, e.degraded
    );
    assert_eq!(caller.failed, 0);
    assert!((share - p).abs() < four_se(p, finished));
    assert_eq!(e.degraded, caller.degraded);
    assert_eq!(e.failed, 0);
    // The degraded answers took the fallback's latency: 1 ms of work + 2 ms.
    assert!(caller.p99_s.unwrap() < 0.0035, "{:?}", caller.p99_s);
    // Switched off, the same failures fail the caller.
    let s = run(
        &caller_callee(&client(false), &format!("error_rate: {p},")),
        &scenario("50s", "10s", &[("caller/call", 200.0, "")]),
    );
    let caller = service(&s, "caller");
    assert_eq!(caller.degraded, 0);
    assert!(caller.errors["downstream_error"] > 0);
}

#[test]
fn a_ratio_retry_budget_caps_retries_during_a_total_outage() {
    // Envoy: retries in progress ≤ max(min, percent % of active calls), a retry being in
    // progress through its backoff and its attempt. Every attempt takes d, every backoff
    // b; with r retries/s and λ calls/s, Little's law gives retries in progress r·(b + d)
    // and active calls λ·d + r·(b + d), so r ≤ max(min/(b + d), 0.25·λ·d/(b + d)).
    let (lambda, d, b, percent, min): (f64, f64, f64, f64, f64) = (500.0, 0.020, 0.005, 20.0, 3.0);
    let client = |budget: &str| {
        format!(
            r#"Client(retry: Retry(max_attempts: 5, on: [Error],
                backoff: Backoff(base: "5ms", multiplier: 1.0), jitter: None{budget}))"#
        )
    };
    let model = |budget: &str| {
        format!(
            r#"Model(
    services: {{
        "caller": Service(workers: 1000, operations: {{ "call": [Call("callee/op")] }}),
        "callee": Service(workers: 1000, error_rate: 1.0,
            operations: {{ "op": [Work(Constant("20ms"))] }}),
    }},
    calls: {{ "caller -> callee": {} }},
)"#,
            client(budget)
        )
    };
    let budget = format!(", budget: Ratio(percent: {percent}, min_retry_concurrency: 3)");
    let sc = scenario("40s", "10s", &[("caller/call", lambda, "")]);
    let s = run(&model(&budget), &sc);
    let e = edge(&s, "caller -> callee");
    let share = percent / 100.0;
    let bound_rate = (min / (b + d)).max(share / (1.0 - share) * lambda * d / (b + d));
    let per_call_bound = bound_rate / lambda;
    let retries_per_call = e.retries as f64 / e.calls as f64;
    println!(
        "budget: {} calls, {} retries ({retries_per_call:.4} per call, Little bound {per_call_bound:.4}), \
         amplification {:.3}",
        e.calls,
        e.retries,
        e.retry_amplification.unwrap()
    );
    assert!(retries_per_call <= per_call_bound * 1.05);
    // Under a total outage every call wants retries, so the budget is the binding limit.
    assert!(retries_per_call >= per_call_bound * 0.5);
    assert!(e.retries_refused_by_budget > 0);
    // Without the budget each call makes all 5 attempts.
    let s = run(&model(""), &sc);
    let e = edge(&s, "caller -> callee");
    assert!((e.retry_amplification.unwrap() - 5.0).abs() < 0.01);
}

#[test]
fn deadline_propagation_stops_work_for_callers_that_gave_up() {
    // A burst far above the callee's capacity leaves a backlog that takes seconds to
    // serve, while the caller gives up after 50 ms. Without propagation the callee serves
    // the whole backlog for nobody; with it, the stale requests are dropped unstarted, and
    // the only waste is work in progress when a deadline passes (bounded by the burst).
    let model = |propagate: bool| {
        format!(
            r#"Model(
    services: {{
        "caller": Service(workers: 5000, operations: {{ "call": [Call("callee/op")] }}),
        "callee": Service(workers: 1,
            operations: {{ "op": [Work(Constant("2ms")), Work(Constant("2ms")),
                                  Work(Constant("2ms")), Work(Constant("2ms")),
                                  Work(Constant("2ms"))] }}),
    }},
    calls: {{ "caller -> callee": Client(timeout: "50ms", propagate_deadline: {propagate}) }},
)"#
        )
    };
    let sc = r#"Scenario(model: "test-model.ron", duration: "60s", window: "1s",
        sources: [Source(target: "caller/call", rate: Steps([("0s", 1000.0), ("1s", 20.0)]))])"#;
    let without = run(&model(false), sc);
    let with = run(&model(true), sc);
    let wasted = |s: &Summary| service(s, "callee").wasted_work_s;
    let timeouts = edge(&without, "caller -> callee").timeouts;
    println!(
        "deadline: wasted work {:.3} s without propagation ({timeouts} timeouts × 10 ms = {:.3} s), \
         {:.3} s with; callee dropped {} requests by deadline",
        wasted(&without),
        timeouts as f64 * 0.010,
        wasted(&with),
        service(&with, "callee").errors["deadline"]
    );
    // Without: every timed-out request is served in full (10 ms) for nobody.
    assert!((wasted(&without) - timeouts as f64 * 0.010).abs() < 0.011);
    // With: at most the 1 s burst of busy time, a small share of the above.
    assert!(wasted(&with) <= 1.0 + 0.011);
    assert!(wasted(&with) < 0.2 * wasted(&without));
    assert!(service(&with, "callee").errors["deadline"] > 0);
}
