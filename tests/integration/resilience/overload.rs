//! Overload protection on a service: queue timeout, CoDel, priority shedding, the ingress
//! rate limiter and the adaptive concurrency limit, each against a service offered twice
//! (or more) what it can serve.

use super::{four_se, run, scenario, service};
use cascade_sim::report::summary::Summary;

/// One replica, one worker, 10 ms per request: 100 requests a second at most.
fn one_worker(extra: &str) -> String {
    format!(
        r#"Model(services: {{ "svc": Service(workers: 1, {extra}
            operations: {{ "op": [Work(Constant("10ms"))] }}) }})"#
    )
}

fn overload(rate: f64) -> String {
    scenario("30s", "10s", &[("svc/op", rate, "")])
}

const SERVICE_S: f64 = 0.010;
/// Relative precision of a latency quantile (64 sub-buckets per power of two).
const QUANTILE_PRECISION: f64 = 1.0 / 64.0;

fn p99(s: &Summary) -> f64 {
    service(s, "svc").p99_s.unwrap()
}

/// Under overload the worker is (nearly) never idle, so 30 s serve about 3000 requests
/// whatever is dropped; `idle_share` allows for a mechanism that empties the queue.
fn assert_served_at_capacity(s: &Summary, idle_share: f64) {
    let svc = service(s, "svc");
    let capacity = 30.0 / SERVICE_S;
    let served = svc.completed as f64;
    assert!(
        served <= capacity * 1.01 && served >= capacity * (0.99 - idle_share),
        "{served}"
    );
}

#[test]
fn a_queue_timeout_drops_requests_that_waited_too_long() {
    let s = run(
        &one_worker(r#"queue: Queue(timeout: "50ms"),"#),
        &overload(200.0),
    );
    let svc = service(&s, "svc");
    let dropped = svc.errors["queue_timeout"] as f64 / svc.arrivals as f64;
    println!(
        "queue timeout: {} arrivals, {} served, {dropped:.3} dropped as queue_timeout (1 − μ/λ = 0.5), p99 {:.4} s",
        svc.arrivals,
        svc.completed,
        p99(&s)
    );
    assert_served_at_capacity(&s, 0.0);
    assert!((dropped - 0.5).abs() < 0.05);
    // A served request waited at most the timeout.
    assert!(p99(&s) <= (0.050 + SERVICE_S) * (1.0 + QUANTILE_PRECISION));
    // Without the timeout the queue only grows, and so does the latency.
    let s = run(&one_worker(""), &overload(200.0));
    assert_eq!(service(&s, "svc").errors["queue_timeout"], 0);
    assert!(p99(&s) > 5.0);
}

#[test]
fn codel_drops_old_requests_from_a_standing_queue() {
    let codel = r#"queue: Queue(discipline: CoDel(target: "5ms", interval: "100ms")),"#;
    let s = run(&one_worker(codel), &overload(200.0));
    let svc = service(&s, "svc");
    let dropped = svc.errors["queue_timeout"] as f64 / svc.arrivals as f64;
    println!(
        "codel: {} arrivals, {} served, {dropped:.3} dropped as queue_timeout, p50 {:.4} s, p99 {:.4} s",
        svc.arrivals,
        svc.completed,
        svc.p50_s.unwrap(),
        p99(&s)
    );
    // Dropping everything older than 5 ms sometimes empties the queue and idles the
    // worker until the next arrival: CoDel trades a little throughput for latency.
    assert_served_at_capacity(&s, 0.05);
    assert!(svc.errors["queue_timeout"] as f64 >= 0.45 * svc.arrivals as f64);
    // Nothing waits longer than the interval (the target once the queue stands).
    assert!(p99(&s) <= (0.100 + SERVICE_S) * (1.0 + QUANTILE_PRECISION));
    // FIFO without CoDel keeps every request, and the queue grows for ever.
    let s = run(&one_worker(""), &overload(200.0));
    assert_eq!(service(&s, "svc").errors["queue_timeout"], 0);
    assert!(p99(&s) > 5.0);
}

#[test]
fn shedding_drops_the_listed_class_first() {
    // Critical requests enter at `gate`, bulk ones at `batch`; both reach `api`, which can
    // serve 100/s and is offered 140/s.
    let model = |shed: &str| {
        format!(
            r#"Model(services: {{
                "gate": Service(workers: 1000, operations: {{ "checkout": [Call("api/get")] }}),
                "batch": Service(workers: 1000, operations: {{ "export": [Call("api/get")] }}),
                "api": Service(workers: 1, queue: Queue(capacity: 20), {shed}
                    operations: {{ "get": [Work(Constant("10ms"))] }}),
            }})"#
        )
    };
    let sc = scenario(
        "30s",
        "10s",
        &[
            ("gate/checkout", 40.0, "critical"),
            ("batch/export", 100.0, "bulk"),
        ],
    );
    let s = run(
        &model(r#"overload: Overload(shed: Shed(queue_share: 0.5, classes: ["bulk"])),"#),
        &sc,
    );
    let (critical, bulk, api) = (
        service(&s, "gate"),
        service(&s, "batch"),
        service(&s, "api"),
    );
    let critical_failed = critical.failed as f64 / critical.arrivals as f64;
    println!(
        "shed: api shed {}, rejected {}; critical failed {} of {} ({critical_failed:.4}); bulk failed {} of {}",
        api.errors["shed"], api.rejected, critical.failed, critical.arrivals, bulk.failed, bulk.arrivals
    );
    // The excess (40 of 140 a second) is taken from bulk traffic.
    assert_eq!(
        api.errors["shed"] + api.rejected,
        critical.failed + bulk.failed
    );
    assert!(api.errors["shed"] as f64 >= 0.9 * (bulk.failed + critical.failed) as f64);
    assert!(critical_failed < 0.01);
    // Without shedding the full queue turns both classes away alike.
    let s = run(&model(""), &sc);
    let critical = service(&s, "gate");
    let share = critical.failed as f64 / critical.arrivals as f64;
    println!("shed: without shedding critical failed {share:.4}");
    assert!(share > 0.1);
}

#[test]
fn the_rate_limiter_admits_rate_times_duration_plus_the_burst() {
    let limited = r#"overload: Overload(rate_limit: RateLimit(rate: 50.0, burst: 10)),"#;
    let model = format!(
        r#"Model(services: {{ "svc": Service(workers: 100, {limited}
            operations: {{ "op": [Work(Constant("10ms"))] }}) }})"#
    );
    let s = run(&model, &scenario("20s", "10s", &[("svc/op", 200.0, "")]));
    let svc = service(&s, "svc");
    let admitted = svc.arrivals - svc.errors["rate_limited"];
    let expected = 50 * 20 + 10;
    println!(
        "rate limit: {} arrivals, {admitted} admitted (rate × T + burst = {expected}), {} rate_limited",
        svc.arrivals, svc.errors["rate_limited"]
    );
    // Arrivals come four times faster than tokens, so a token waits 5 ms on average for
    // a request: only the last one or two can go unused.
    assert!(admitted <= expected && admitted + 3 >= expected);
    let share = svc.errors["rate_limited"] as f64 / svc.arrivals as f64;
    assert!((share - 0.75).abs() < 0.02 + four_se(0.75, svc.arrivals));
}

#[test]
fn an_adaptive_concurrency_limit_sheds_under_overload() {
    let limit = r#"overload: Overload(concurrency_limit: Aimd(initial: 10, min: 2, max: 100,
        timeout: "50ms")),"#;
    let s = run(&one_worker(limit), &overload(200.0));
    let svc = service(&s, "svc");
    let shed = svc.errors["shed"] as f64 / svc.arrivals as f64;
    println!(
        "concurrency limit: {} arrivals, {} served, {shed:.3} shed, max queue {}, p99 {:.4} s",
        svc.arrivals,
        svc.completed,
        svc.max_queue_depth,
        p99(&s)
    );
    // The limit may dip to `min` and briefly idle the worker.
    assert_served_at_capacity(&s, 0.02);
    assert!((shed - 0.5).abs() < 0.05);
    // Admitted requests are at most `max` in flight: the queue never grows past it.
    assert!(svc.max_queue_depth < 100);
    assert!(p99(&s) < 1.0);
    let s = run(&one_worker(""), &overload(200.0));
    assert_eq!(service(&s, "svc").errors["shed"], 0);
    assert!(service(&s, "svc").max_queue_depth > 1000);
}
