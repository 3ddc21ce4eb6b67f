//! Generators of the client on a call edge: per-try timeout, connection pool, balancer,
//! retries with budgets, circuit breakers of every window kind, bulkheads, per-class pools
//! and bulkheads, fallbacks, deadlines (propagated or not), client-side throttling,
//! outlier ejection and health checks.

use super::model_gen::{dist, dur_us, us};
use proptest::prelude::*;

/// One edge's `Client(...)`, and what the incident generator may act on.
#[derive(Clone, Debug)]
pub struct ClientGen {
    pub text: String,
    pub pool: bool,
    pub retry: bool,
    pub fallback: bool,
}

const KINDS: [&str; 3] = ["Timeout", "Error", "Rejection"];

pub fn client(classes: bool) -> impl Strategy<Value = ClientGen> {
    let transport = (
        prop_oneof![Just(None), us(1, 200_000).prop_map(Some)],
        prop_oneof![Just(None), (1u32..4, us(0, 50_000)).prop_map(Some)],
        0usize..4,
        prop_oneof![Just(None), (1u32..5, us(0, 50_000)).prop_map(Some)],
    );
    let policies = (
        prop_oneof![Just(None), retry().prop_map(Some)],
        prop_oneof![Just(None), breaker().prop_map(Some)],
        prop_oneof![Just(None), fallback().prop_map(Some)],
        prop_oneof![Just(None), deadline().prop_map(Some)],
        prop_oneof![Just(None), balancer_policies().prop_map(Some)],
        if classes {
            per_class().boxed()
        } else {
            Just(Vec::new()).boxed()
        },
    );
    (transport, policies).prop_map(
        |((timeout, pool, balancer, bulkhead), (retry, breaker, fallback, deadline, lb, class))| {
            let mut parts = Vec::new();
            if let Some(t) = timeout {
                parts.push(format!("timeout: {}", dur_us(t)));
            }
            if let Some((size, acquire)) = pool {
                parts.push(format!(
                    "pool: Pool(size: {size}, acquire_timeout: {})",
                    dur_us(acquire)
                ));
            }
            let b = [
                "RoundRobin",
                "Random",
                "LeastOutstanding",
                "PowerOfTwoChoices",
            ][balancer];
            parts.push(format!("balancer: {b}"));
            if let Some((max, wait)) = bulkhead {
                parts.push(format!(
                    "bulkhead: Bulkhead(max_concurrent: {max}, max_wait: {})",
                    dur_us(wait)
                ));
            }
            let (has_retry, has_fallback) = (retry.is_some(), fallback.is_some());
            parts.extend(retry);
            parts.extend(breaker);
            parts.extend(fallback);
            parts.extend(deadline);
            parts.extend(lb.filter(|s| !s.is_empty()));
            parts.extend(class);
            ClientGen {
                text: format!("Client({})", parts.join(", ")),
                pool: pool.is_some(),
                retry: has_retry,
                fallback: has_fallback,
            }
        },
    )
}

fn kinds() -> impl Strategy<Value = String> {
    proptest::sample::subsequence(KINDS.to_vec(), 1..=3).prop_map(|on| on.join(", "))
}

fn retry() -> impl Strategy<Value = String> {
    let budget = prop_oneof![
        Just(String::new()),
        (0.0f64..=100.0, 0u32..5).prop_map(|(p, min)| format!(
            ", budget: Ratio(percent: {p:.1}, min_retry_concurrency: {min})"
        )),
        (1.0f64..=100.0, 0.001f64..2.0).prop_map(|(max, ratio)| format!(
            ", budget: TokenBucket(max_tokens: {max:.1}, token_ratio: {ratio:.3})"
        )),
    ];
    (
        1u32..4,
        kinds(),
        us(1, 20_000),
        1.0f64..3.0,
        0u64..100_000,
        0usize..5,
        budget,
    )
        .prop_map(|(attempts, on, base, multiplier, extra, jitter, budget)| {
            let j = ["None", "Full", "Equal", "Decorrelated", "Proportional"][jitter];
            format!(
                "retry: Retry(max_attempts: {attempts}, on: [{on}], backoff: Backoff(base: {}, multiplier: {multiplier:.2}, cap: {}), jitter: {j}{budget})",
                dur_us(base),
                dur_us(base + extra)
            )
        })
}

fn breaker() -> impl Strategy<Value = String> {
    let window = prop_oneof![
        (1u32..20).prop_map(|n| format!("CountBased({n})")),
        (1u32..3).prop_map(|s| format!("TimeBased({s})")),
        (1u32..20).prop_map(|n| format!("ConsecutiveFailures({n})")),
    ];
    let slow = prop_oneof![
        Just(String::new()),
        (1.0f64..=100.0, 1u64..50_000).prop_map(|(rate, d)| format!(
            ", slow_call_rate_threshold: {rate:.1}, slow_call_duration: {}",
            dur_us(d)
        )),
    ];
    let wait = (1_000u64..300_000, 1.0f64..3.0, 0.0f64..0.9).prop_map(|(initial, m, r)| {
        format!(
            "OpenWait(initial: {}, multiplier: {m:.2}, randomization: {r:.2})",
            dur_us(initial)
        )
    });
    (
        window,
        1u32..20,
        1.0f64..=100.0,
        slow,
        wait,
        1u32..6,
        any::<bool>(),
    )
        .prop_map(|(window, min_calls, threshold, slow, wait, half_open, count)| {
            format!(
                "breaker: Breaker(window: {window}, minimum_calls: {min_calls}, failure_rate_threshold: {threshold:.1}{slow}, wait: {wait}, half_open_calls: {half_open}, count_rejections: {count})"
            )
        })
}

fn fallback() -> impl Strategy<Value = String> {
    (
        dist(),
        prop_oneof![
            Just(String::new()),
            kinds().prop_map(|k| format!(", on: [{k}]"))
        ],
        any::<bool>(),
    )
        .prop_map(|(latency, on, enabled)| {
            format!("fallback: Fallback(latency: {latency}{on}, enabled: {enabled})")
        })
}

fn deadline() -> impl Strategy<Value = String> {
    (us(1, 300_000), any::<bool>()).prop_map(|(d, propagate)| {
        format!("deadline: {}, propagate_deadline: {propagate}", dur_us(d))
    })
}

/// Client-side throttling, outlier ejection and health checks (any subset).
fn balancer_policies() -> impl Strategy<Value = String> {
    let throttle = prop_oneof![
        Just(None),
        (1.0f64..3.0, 1u64..5).prop_map(|(k, secs)| Some(format!(
            "throttle: Throttle(k: {k:.2}, window: \"{secs}s\")"
        ))),
    ];
    let outlier = prop_oneof![
        Just(None),
        (1u32..5, 1u64..500, 0u64..1000, 0u32..=100, any::<bool>()).prop_map(
            |(n, base, extra, percent, one)| Some(format!(
                "outlier: Outlier(consecutive_failures: {n}, base_ejection_time: \"{base}ms\", max_ejection_time: \"{}ms\", max_ejection_percent: {percent}, always_eject_one_host: {one})",
                base + extra
            ))
        ),
    ];
    let health = prop_oneof![
        Just(None),
        (1u64..500).prop_map(|ms| Some(format!("health_check: \"{ms}ms\""))),
    ];
    (throttle, outlier, health).prop_map(|(t, o, h)| {
        [t, o, h]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// Per-class connection pools and bulkheads (the scenario's sources produce both classes).
fn per_class() -> impl Strategy<Value = Vec<String>> {
    (
        prop_oneof![Just(None), (1u32..4, 0u64..50_000).prop_map(Some)],
        prop_oneof![Just(None), (1u32..4, 0u64..50_000).prop_map(Some)],
    )
        .prop_map(|(pool, bulkhead)| {
            let mut out = Vec::new();
            if let Some((size, wait)) = pool {
                out.push(format!(
                    "pools: {{\"critical\": Pool(size: {size}, acquire_timeout: {})}}",
                    dur_us(wait)
                ));
            }
            if let Some((max, wait)) = bulkhead {
                out.push(format!(
                    "bulkheads: {{\"bulk\": Bulkhead(max_concurrent: {max}, max_wait: {})}}",
                    dur_us(wait)
                ));
            }
            out
        })
}
