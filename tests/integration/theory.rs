//! The engine against queueing theory (closed forms from shared/reference/queueing.md).
//!
//! Each figure is estimated from independent replications (one seed each, warm-up
//! dropped); a test passes only if the standard error is small relative to the figure
//! (so that agreement means something) and the estimate is within four standard errors
//! of theory. Utilisation is kept moderate (ρ ≤ 0.8), where runs of a few hundred
//! thousand requests give bounds of about 1 %.

use crate::stats::{erlang_b, erlang_c, replicate, Estimate};
use cascade_sim::report::summary::Summary;

const SEEDS: std::ops::Range<u64> = 1..21;

/// One service `server/serve` with `workers` workers and the given waiting room, whose
/// operation holds a worker for a sample of `work`.
fn single_service(workers: u32, queue: &str, work: &str) -> String {
    format!(
        r#"Model(services: {{ "server": Service(workers: {workers}, queue: {queue},
            operations: {{ "serve": [Work({work})] }}) }})"#
    )
}

/// Poisson arrivals at `rate` per second on `target` for `duration`, after `warmup`.
fn poisson(target: &str, rate: f64, duration: &str, warmup: &str) -> String {
    format!(
        r#"Scenario(model: "test-model.ron", duration: "{duration}", warmup: "{warmup}",
            window: "{warmup}", sources: [Source(target: "{target}", rate: Constant({rate:?}))])"#
    )
}

fn per_run(runs: &[Summary], f: impl Fn(&Summary) -> f64) -> Estimate {
    Estimate::of(&runs.iter().map(f).collect::<Vec<_>>())
}

fn service<'a>(s: &'a Summary, name: &str) -> &'a cascade_sim::report::summary::ServiceSummary {
    &s.services[name]
}

#[test]
fn mm1_mean_response_time() {
    let (lambda, mu) = (8.0, 10.0);
    let model = single_service(1, "Queue()", r#"Exponential(mean: "100ms")"#);
    let runs = replicate(
        &model,
        &poisson("server/serve", lambda, "5000s", "100s"),
        SEEDS,
    );
    let w = per_run(&runs, |s| service(s, "server").mean_response_s.unwrap());
    w.assert_agrees("M/M/1 W", 1.0 / (mu - lambda), 0.03);
}

/// M/M/c: mean queue wait Wq = C / (cμ − λ) and probability of waiting C (Erlang C).
fn check_erlang_c(c: u32, lambda: f64, duration: &str, warmup: &str) {
    let mu = 1.0;
    let model = single_service(c, "Queue()", r#"Exponential(mean: "1s")"#);
    let runs = replicate(
        &model,
        &poisson("server/serve", lambda, duration, warmup),
        SEEDS,
    );
    let prob_wait = erlang_c(c, lambda / mu);
    let wq = prob_wait / (f64::from(c) * mu - lambda);
    per_run(&runs, |s| service(s, "server").prob_wait.unwrap()).assert_agrees(
        &format!("M/M/{c} P(wait)"),
        prob_wait,
        0.03,
    );
    per_run(&runs, |s| service(s, "server").mean_queue_wait_s.unwrap()).assert_agrees(
        &format!("M/M/{c} Wq"),
        wq,
        0.03,
    );
}

#[test]
fn mmc_erlang_c_ten_workers() {
    // C = 0.409180, Wq = 0.204590 s.
    check_erlang_c(10, 8.0, "20000s", "500s");
}

#[test]
fn mmc_erlang_c_two_workers() {
    // C = 0.642857, Wq = 1.285714 s.
    check_erlang_c(2, 1.5, "40000s", "1000s");
}

#[test]
fn erlang_b_service_without_waiting_room() {
    // c = 10 workers, no queue, A = 80/s × 100 ms = 8 Erlangs: B = 0.121661.
    let model = single_service(10, "Queue(capacity: 0)", r#"Exponential(mean: "100ms")"#);
    let runs = replicate(
        &model,
        &poisson("server/serve", 80.0, "2000s", "100s"),
        SEEDS,
    );
    per_run(&runs, |s| {
        let t = service(s, "server");
        t.rejected as f64 / t.arrivals as f64
    })
    .assert_agrees("M/M/10/10 blocking", erlang_b(10, 8.0), 0.03);
}

/// A caller with plenty of workers calls `db/query` through a pool of 10 connections;
/// the database has ample workers, so a connection is held exactly for one query.
fn pooled_caller(acquire_timeout: &str, query: &str) -> String {
    format!(
        r#"Model(
            services: {{
                "app": Service(workers: 10000, operations: {{ "handle": [Call("db/query")] }}),
                "db": Service(workers: 10000, operations: {{ "query": [Work({query})] }}),
            }},
            calls: {{ "app -> db": Client(pool: Pool(size: 10, acquire_timeout: "{acquire_timeout}")) }},
        )"#
    )
}

/// Share of calls refused by a pool with no waiting room (`acquire_timeout: "0s"`).
fn pool_refusals(query: &str) -> Estimate {
    let model = pooled_caller("0s", query);
    let runs = replicate(&model, &poisson("app/handle", 80.0, "1000s", "100s"), SEEDS);
    per_run(&runs, |s| {
        let edge = &s.edges["app -> db"];
        assert_eq!(edge.pool_timeouts, service(s, "app").errors["pool_timeout"]);
        edge.pool_timeouts as f64 / edge.calls as f64
    })
}

#[test]
fn erlang_b_connection_pool_without_waiting_room() {
    // 80 acquisitions/s, 100 ms mean hold: A = 8 Erlangs over 10 connections.
    pool_refusals(r#"Exponential(mean: "100ms")"#).assert_agrees(
        "pool of 10, exponential hold",
        erlang_b(10, 8.0),
        0.03,
    );
}

#[test]
fn erlang_b_is_insensitive_to_the_hold_time_distribution() {
    // Only the mean hold time matters: 100 ms constant, and log-normal with σ = 1 and
    // μ = ln(0.1) − σ²/2 so that its mean is 100 ms.
    let b = erlang_b(10, 8.0);
    pool_refusals(r#"Constant("100ms")"#).assert_agrees("pool of 10, constant hold", b, 0.03);
    let mu = 0.1f64.ln() - 0.5;
    pool_refusals(&format!("LogNormalMuSigma(mu: {mu:?}, sigma: 1.0)")).assert_agrees(
        "pool of 10, log-normal hold",
        b,
        0.03,
    );
}

#[test]
fn connection_pool_wait_is_erlang_c() {
    // A pool whose callers wait as long as it takes is an M/M/10 queue for connections:
    // 80 acquisitions/s with 100 ms hold, Wq = C(10, 8) / (100/s − 80/s) = 20.459 ms.
    let model = pooled_caller("1h", r#"Exponential(mean: "100ms")"#);
    let runs = replicate(&model, &poisson("app/handle", 80.0, "2000s", "100s"), SEEDS);
    let wq = erlang_c(10, 8.0) / (100.0 - 80.0);
    per_run(&runs, |s| s.edges["app -> db"].mean_pool_wait_s.unwrap()).assert_agrees(
        "pool of 10, mean wait for a connection",
        wq,
        0.03,
    );
}

#[test]
fn littles_law_holds_per_service() {
    // A front end that calls a back end once or twice per request, through a pool and
    // with a timeout; the back end has a bounded queue, so some calls are refused.
    let model = r#"Model(
        services: {
            "front": Service(replicas: 2, workers: 40, operations: {
                "page": [Work(Exponential(mean: "5ms")), Call("back/get"), Maybe(0.5, Call("back/get"))],
            }),
            "back": Service(replicas: 2, workers: 4, queue: Queue(capacity: 2), operations: {
                "get": [Work(Gamma(shape: 2.0, mean: "8ms"))],
            }),
        },
        calls: { "front -> back": Client(timeout: "50ms", pool: Pool(size: 8, acquire_timeout: "20ms"),
                                         balancer: LeastOutstanding) },
    )"#;
    let runs = replicate(model, &poisson("front/page", 500.0, "200s", "10s"), SEEDS);
    for name in ["front", "back"] {
        let l = per_run(&runs, |s| service(s, name).mean_in_system);
        let lambda_w = per_run(&runs, |s| arrival_rate_times_sojourn(s, name));
        let diff = per_run(&runs, |s| {
            service(s, name).mean_in_system - arrival_rate_times_sojourn(s, name)
        });
        println!(
            "{name}: L = {:.5} ± {:.5}, λW = {:.5}, L − λW = {:.6} ± {:.6}",
            l.mean, l.std_error, lambda_w.mean, diff.mean, diff.std_error
        );
        assert!(l.std_error < 0.03 * l.mean, "{name}: L is imprecise: {l:?}");
        // Little's law is exact up to the requests that straddle the ends of the measured
        // period; those average out over runs and are tiny against L.
        assert!(
            diff.mean.abs() <= 4.0 * diff.std_error && diff.mean.abs() < 0.005 * l.mean,
            "{name}: L = {:.5} but λW = {:.5}",
            l.mean,
            lambda_w.mean
        );
    }
    let total = |f: fn(&Summary) -> u64| runs.iter().map(f).sum::<u64>();
    let refused = total(|s| service(s, "back").rejected);
    let failed_calls = total(|s| {
        let edge = &s.edges["front -> back"];
        edge.timeouts + edge.pool_timeouts
    });
    println!("back refused {refused}, calls timed out or without a connection {failed_calls}");
    assert!(
        refused > 0 && failed_calls > 0,
        "the test should exercise refused, timed-out and unconnected calls"
    );
}

/// λ·W for one run: admitted arrivals per second times the mean time in the system.
fn arrival_rate_times_sojourn(s: &Summary, name: &str) -> f64 {
    let t = service(s, name);
    let admitted = (t.arrivals - t.rejected) as f64 / s.measured_seconds;
    admitted * t.mean_sojourn_s.unwrap()
}

#[test]
fn maybe_takes_its_body_with_its_probability_and_always_goes_on() {
    // A Maybe around a call, two nested Maybes (0.5 × 0.5), a Maybe around a Parallel
    // with a failing-free call in it, and a call after them all that every request makes.
    let model = r#"Model(
        services: {
            "front": Service(workers: 200, operations: {
                "page": [Maybe(0.3, Call("a/get")), Maybe(0.5, Maybe(0.5, Call("b/get"))),
                         Maybe(0.4, Parallel([Call("c/get"), Work(Constant("1ms"))])),
                         Call("d/get")],
            }),
            "a": Service(workers: 100, operations: { "get": [Work(Exponential(mean: "1ms"))] }),
            "b": Service(workers: 100, operations: { "get": [Work(Exponential(mean: "1ms"))] }),
            "c": Service(workers: 100, operations: { "get": [Work(Exponential(mean: "1ms"))] }),
            "d": Service(workers: 100, operations: { "get": [Work(Exponential(mean: "1ms"))] }),
        },
    )"#;
    let runs = replicate(model, &poisson("front/page", 500.0, "60s", "1s"), SEEDS);
    for (name, p) in [("a", 0.3), ("b", 0.25), ("c", 0.4), ("d", 1.0)] {
        let share = per_run(&runs, |s| {
            service(s, name).arrivals as f64 / service(s, "front").arrivals as f64
        });
        println!("{name}: {share:?} (expected {p})");
        let tolerance = (4.0 * share.std_error).max(0.001);
        assert!(
            (share.mean - p).abs() <= tolerance && share.std_error < 0.03 * p,
            "{name} is called on {:.4} ± {:.4} of requests, not {p}",
            share.mean,
            share.std_error
        );
    }
    for s in &runs {
        assert_eq!(service(s, "front").failed, 0, "no step should fail");
    }
}
