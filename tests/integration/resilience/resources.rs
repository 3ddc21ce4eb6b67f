//! Resources a failure can exhaust, and the mechanisms that contain it: per-class
//! bulkheads and pools, memory and OOM crashes with restarts, outlier ejection.

use super::{edge, run, run_full, scenario, service};

/// Relative precision of a latency quantile: 64 linear sub-buckets per power of two.
const QUANTILE_PRECISION: f64 = 1.0 / 64.0;

/// Critical requests enter at `gate`, bulk ones at `batch`; both go through `api` to
/// `backend` (12 workers, 20 ms each), whose edge from `api` has `client`.
fn shared_backend(client: &str) -> String {
    format!(
        r#"Model(
    services: {{
        "gate": Service(workers: 1000, operations: {{ "checkout": [Call("api/get")] }}),
        "batch": Service(workers: 1000, operations: {{ "export": [Call("api/get")] }}),
        "api": Service(workers: 2000, operations: {{ "get": [Call("backend/serve")] }}),
        "backend": Service(workers: 12, operations: {{ "serve": [Work(Constant("20ms"))] }}),
    }},
    calls: {{ "api -> backend": {client} }},
)"#
    )
}

/// Critical traffic (1 Erlang) keeps its unloaded latency while bulk traffic (20 Erlangs
/// against 12 workers) saturates its own share, whose overflow fails with `cause`.
fn critical_keeps_its_latency(client: &str, cause: &str) {
    let load = |bulk: f64| {
        scenario(
            "20s",
            "10s",
            &[
                ("gate/checkout", 50.0, "critical"),
                ("batch/export", bulk, "bulk"),
            ],
        )
    };
    let unloaded = run(&shared_backend(client), &load(0.0));
    let loaded = run(&shared_backend(client), &load(1000.0));
    let p99 = |s: &cascade_sim::report::summary::Summary| service(s, "gate").p99_s.unwrap();
    let api = edge(&loaded, "api -> backend");
    let bulk = service(&loaded, "batch");
    println!(
        "{cause}: critical p99 {:.4} s unloaded, {:.4} s beside bulk; critical failed {}; \
         bulk failed {} of {}, api->backend {cause} {}",
        p99(&unloaded),
        p99(&loaded),
        service(&loaded, "gate").failed,
        bulk.failed,
        bulk.arrivals,
        api.rejections[cause]
    );
    assert!((p99(&loaded) - p99(&unloaded)).abs() <= 2.0 * QUANTILE_PRECISION * p99(&unloaded));
    assert_eq!(service(&loaded, "gate").failed, 0);
    // Four bulk slots serve at most 4 / 20 ms = 200 of the 1000 bulk requests a second.
    assert!(bulk.failed as f64 >= 0.7 * bulk.arrivals as f64);
    assert_eq!(api.rejections[cause], bulk.failed);
    // Without the per-class limits the bulk traffic queues the critical traffic behind it.
    let shared = run(&shared_backend("Client()"), &load(1000.0));
    println!(
        "{cause}: without per-class limits critical p99 {:.3} s",
        p99(&shared)
    );
    assert!(p99(&shared) > 10.0 * p99(&unloaded));
}

/// Per-window percentiles come from coarse histograms: 16 sub-buckets per power of two.
const WINDOW_QUANTILE_PRECISION: f64 = 1.0 / 16.0;

#[test]
fn per_class_bulkheads_keep_critical_latency_while_bulk_saturates() {
    critical_keeps_its_latency(
        r#"Client(bulkheads: {
            "critical": Bulkhead(max_concurrent: 8),
            "bulk": Bulkhead(max_concurrent: 4),
        })"#,
        "bulkhead_full",
    );
}

#[test]
fn per_class_pools_keep_critical_latency_while_bulk_saturates() {
    critical_keeps_its_latency(
        r#"Client(pools: {
            "critical": Pool(size: 8, acquire_timeout: "0s"),
            "bulk": Pool(size: 4, acquire_timeout: "5ms"),
        })"#,
        "pool_timeout",
    );
}

#[test]
fn a_queue_past_the_memory_limit_crashes_and_restarts_the_replica() {
    // One worker, 10 ms per request; 200/s for a second grows the queue by 100/s until
    // base + per_request × in flight passes the limit (at 51 in flight). Then 20/s, which
    // the restarted replica serves 3× slower during its 5 s warm-up.
    let model = |slowdown: f64| {
        format!(
            r#"Model(services: {{ "svc": Service(workers: 1,
                memory: Memory(limit: "60MiB", base: "10MiB", per_request: "1MiB",
                    restart_after: "2s", warmup: "5s", warmup_slowdown: {slowdown:?}),
                operations: {{ "op": [Work(Constant("10ms"))] }}) }})"#
        )
    };
    let sc = r#"Scenario(model: "test-model.ron", duration: "20s", window: "1s",
        sources: [Source(target: "svc/op", rate: Steps([("0s", 200.0), ("1s", 20.0)]))])"#;
    let (s, result) = run_full(&model(3.0), sc);
    let svc = service(&s, "svc");
    println!(
        "memory: crashes {}, restarts {}, crashed failures {}, peak {} bytes",
        svc.crashes, svc.restarts, svc.errors["crashed"], svc.memory_peak_bytes
    );
    assert_eq!(svc.crashes, 1);
    assert_eq!(svc.restarts, 1);
    // At least the 51 requests in the replica when it crashed.
    assert!(svc.errors["crashed"] >= 51);
    assert!(svc.memory_peak_bytes > 60 << 20);
    // p50 per 1 s window: warm-up windows (restart at about 2.5 s, warm until 7.5 s)
    // against the windows after it.
    let p50 = |from: u64, to: u64| -> Vec<f64> {
        result
            .recorder
            .rows
            .iter()
            .filter(|r| {
                r.window_start >= from * 1_000_000_000 && r.window_end <= to * 1_000_000_000
            })
            .filter_map(|r| r.p50.map(|v| v as f64 / 1e9))
            .collect()
    };
    let warm = p50(3, 7);
    let after = p50(9, 20);
    println!("memory: p50 per window during warm-up {warm:?}, after {after:?}");
    assert!(warm.len() >= 3 && after.len() >= 10);
    // During the warm-up no request can take less than 3 × 10 ms; after it, at 20 % load,
    // the median request does not wait.
    assert!(warm
        .iter()
        .all(|&v| v >= 0.030 * (1.0 - WINDOW_QUANTILE_PRECISION)));
    assert!(after
        .iter()
        .all(|&v| v <= 0.010 * (1.0 + WINDOW_QUANTILE_PRECISION)));
    // Without a warm-up slowdown the windows after the restart look like the others.
    let (_, result) = run_full(&model(1.0), sc);
    let warm_max = result
        .recorder
        .rows
        .iter()
        .filter(|r| r.window_start >= 3_000_000_000 && r.window_end <= 7_000_000_000)
        .filter_map(|r| r.p50)
        .max()
        .unwrap();
    assert!((warm_max as f64) < 0.020e9);
}

/// `caller/page` calls `callee/slow` and `callee/fast` in parallel. Both calls of a page
/// start in the same instant, so the round-robin balancer sends every slow call to the
/// callee's first replica and every fast one to the second: a 100 ms burst crashes the
/// first replica (for an hour) and leaves the second healthy.
fn one_dead_replica(outlier: &str) -> String {
    format!(
        r#"Model(
    services: {{
        "caller": Service(workers: 1000, operations: {{
            "page": [Parallel([Call("callee/slow"), Call("callee/fast")])] }}),
        "callee": Service(replicas: 2, workers: 4,
            memory: Memory(limit: "20MiB", base: "10MiB", per_request: "1MiB", restart_after: "1h"),
            operations: {{ "slow": [Work(Constant("50ms"))], "fast": [Work(Constant("1ms"))] }}),
    }},
    calls: {{ "caller -> callee": Client({outlier}) }},
)"#
    )
}

#[test]
fn outlier_detection_stops_sending_to_a_dead_replica() {
    let sc = r#"Scenario(model: "test-model.ron", duration: "60s", window: "10s",
        sources: [Source(target: "caller/page", rate: Steps([("0s", 300.0), ("100ms", 10.0)]))])"#;
    let consecutive = 50;
    let outlier = |always: bool| {
        format!(
            r#"outlier: Outlier(consecutive_failures: {consecutive}, base_ejection_time: "30s",
                always_eject_one_host: {always})"#
        )
    };
    let s = run(&one_dead_replica(&outlier(true)), sc);
    let callee = service(&s, "callee");
    let e = edge(&s, "caller -> callee");
    // The dead replica fails `consecutive` calls in a row and is ejected for 30 s; it
    // comes back, fails `consecutive` more and is ejected for 60 s, past the end of the
    // run. The batch of requests failed by the crash itself (at most the 11 the replica
    // held) may overshoot the first count. The healthy replica takes the
    // whole load afterwards (0.5 Erlang on 4 workers) and stays up.
    let (lo, hi) = (consecutive, 2 * consecutive + 11);
    println!(
        "outlier: callee crashes {}, edge calls {}, failed {} (arithmetic {lo}..={hi}), \
         {} ejections; crashed at callee {}",
        callee.crashes, e.calls, e.failed, e.ejections, callee.errors["crashed"]
    );
    assert_eq!(callee.crashes, 1, "only the first replica crashes");
    assert!((lo..=hi).contains(&e.failed));
    assert_eq!(e.ejections, 2);
    // With 2 replicas the default 10 % cap ejects nothing: every slow call still goes to
    // the dead replica.
    let s = run(&one_dead_replica(&outlier(false)), sc);
    let e = edge(&s, "caller -> callee");
    println!(
        "outlier: without always_eject_one_host, failed {}",
        e.failed
    );
    assert_eq!(service(&s, "callee").crashes, 1);
    assert!(e.failed > 3 * hi);
}

/// Waits for a connection end at the pool's `acquire_timeout` or at the call's deadline,
/// whichever comes first, even when a retry's deadline-cut wait ends before the waits
/// queued ahead of it (the engine keeps a pool's wait timeouts in the order callers
/// started waiting, and gives such a wait an event of its own).
#[test]
fn a_wait_for_a_connection_ends_at_the_deadline_when_that_comes_first() {
    // One connection, held 10 s by the call that gets it: nearly every call waits 1 s,
    // fails with pool_timeout, retries after 100 ms and waits again, now until its
    // 1.5 s deadline, while callers who arrived after it still wait until their full
    // second. So a failed call lasts exactly 1.5 s (2.1 s if the cut were missed).
    let client = r#"Client(pool: Pool(size: 1, acquire_timeout: "1s"), deadline: "1500ms",
        retry: Retry(max_attempts: 2, on: [Rejection],
                     backoff: Backoff(base: "100ms", multiplier: 1.0, cap: "100ms"), jitter: None))"#;
    let model = format!(
        r#"Model(
    services: {{
        "caller": Service(workers: 10000, operations: {{ "call": [Call("callee/op")] }}),
        "callee": Service(workers: 100, operations: {{ "op": [Work(Constant("10s"))] }}),
    }},
    calls: {{ "caller -> callee": {client} }},
)"#
    );
    let s = run(
        &model,
        &scenario("60s", "10s", &[("caller/call", 20.0, "")]),
    );
    let e = edge(&s, "caller -> callee");
    assert!(e.pool_timeouts > 1000, "{} pool timeouts", e.pool_timeouts);
    let mean = e.mean_call_s.expect("calls ended");
    // At most 6 calls of the ~1 200 get the connection (10.1–11.5 s each).
    assert!((1.5..1.6).contains(&mean), "mean call {mean} s");
    assert!(e.mean_pool_wait_s.expect("waits") <= 1.0);
}
