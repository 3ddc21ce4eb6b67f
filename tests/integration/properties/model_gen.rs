//! Generators of services: replicas, workers, queues (capacity, discipline, timeout),
//! memory, error rate, overload protection (ingress rate limit, priority shedding,
//! adaptive concurrency limits) and the operations' steps.

use proptest::prelude::*;

pub fn dur_us(us: u64) -> String {
    format!("\"{us}us\"")
}

/// A duration in [lo, hi) microseconds; one time in four a whole number of milliseconds,
/// so that timers, work and steps fall on the same instant (ties are where event order
/// matters).
pub fn us(lo: u64, hi: u64) -> impl Strategy<Value = u64> {
    prop_oneof![
        3 => lo..hi,
        1 => (lo.div_ceil(1000)..hi / 1000).prop_map(|ms| ms * 1000),
    ]
}

pub fn dist() -> impl Strategy<Value = String> {
    prop_oneof![
        us(0, 20_000).prop_map(|m| format!("Constant({})", dur_us(m))),
        (1u64..20_000).prop_map(|m| format!("Exponential(mean: {})", dur_us(m))),
        (0u64..10_000, 0u64..10_000).prop_map(|(a, b)| format!(
            "Uniform(min: {}, max: {})",
            dur_us(a),
            dur_us(a + b)
        )),
        (1u64..5_000, 1u64..50_000).prop_map(|(m, extra)| format!(
            "LogNormal(median: {}, p99: {})",
            dur_us(m),
            dur_us(m + extra)
        )),
        (0.2f64..5.0, 1u64..10_000)
            .prop_map(|(k, m)| format!("Gamma(shape: {k:.3}, mean: {})", dur_us(m))),
        (0u64..10_000, 0u64..10_000).prop_map(|(m, s)| format!(
            "Normal(mean: {}, std_dev: {})",
            dur_us(m),
            dur_us(s)
        )),
        (1u64..5_000, 1u64..20_000).prop_map(|(a, b)| format!(
            "Empirical([(0.0, \"0us\"), (50.0, {}), (100.0, {})])",
            dur_us(a),
            dur_us(a + b)
        )),
    ]
}

/// Steps of an operation of service `me`; calls go only to services after it, so the
/// call graph has no cycle.
fn steps(me: usize, n: usize) -> impl Strategy<Value = Vec<String>> {
    let callees: Vec<usize> = (me + 1..n).collect();
    let call = if callees.is_empty() {
        Just(None).boxed()
    } else {
        proptest::sample::select(callees)
            .prop_map(|c| Some(format!("Call(\"s{c}/op\")")))
            .boxed()
    };
    let leaf = (dist(), call, any::<bool>()).prop_map(|(d, c, prefer_call)| match c {
        Some(c) if prefer_call => c,
        _ => format!("Work({d})"),
    });
    let step = leaf.prop_recursive(2, 6, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 1..4)
                .prop_map(|v| format!("Parallel([{}])", v.join(", "))),
            (0.0f64..=1.0, inner).prop_map(|(p, s)| format!("Maybe({p:.3}, {s})")),
        ]
    });
    proptest::collection::vec(step, 0..4)
}

/// `Queue(...)` and whether it is bounded (priority shedding needs a bounded queue).
fn queue() -> impl Strategy<Value = (String, bool)> {
    let discipline = prop_oneof![
        Just("Fifo".to_string()),
        Just("Lifo".to_string()),
        (1u64..20_000, 1u64..200_000, any::<bool>()).prop_map(|(target, extra, lifo)| {
            let kind = if lifo { "AdaptiveLifo" } else { "CoDel" };
            format!(
                "{kind}(target: {}, interval: {})",
                dur_us(target),
                dur_us(target + extra)
            )
        }),
    ];
    (
        prop_oneof![Just(None), (0u64..8).prop_map(Some)],
        discipline,
        prop_oneof![Just(None), us(1, 100_000).prop_map(Some)],
    )
        .prop_map(|(capacity, discipline, timeout)| {
            let mut parts = Vec::new();
            if let Some(c) = capacity {
                parts.push(format!("capacity: {c}"));
            }
            parts.push(format!("discipline: {discipline}"));
            if let Some(t) = timeout {
                parts.push(format!("timeout: {}", dur_us(t)));
            }
            (format!("Queue({})", parts.join(", ")), capacity.is_some())
        })
}

/// The fields of `Overload(...)`; shedding is only kept when the queue is bounded and the
/// scenario has request classes.
fn overload(classes: bool) -> impl Strategy<Value = (Option<String>, Vec<String>)> {
    let shed = if classes {
        prop_oneof![
            Just(None),
            (0.0f64..=1.0, any::<bool>()).prop_map(|(share, bulk_first)| {
                let order = if bulk_first {
                    "\"bulk\", \"critical\""
                } else {
                    "\"bulk\""
                };
                Some(format!(
                    "shed: Shed(queue_share: {share:.3}, classes: [{order}])"
                ))
            }),
        ]
        .boxed()
    } else {
        Just(None).boxed()
    };
    let rate_limit = prop_oneof![
        Just(None),
        (1.0f64..2000.0, 1u32..50).prop_map(|(rate, burst)| Some(format!(
            "rate_limit: RateLimit(rate: {rate:.3}, burst: {burst})"
        ))),
    ];
    let concurrency = prop_oneof![
        Just(None),
        (1u32..10, 0u32..10, 0u32..50, 0.5f64..0.99, 1u64..50_000).prop_map(
            |(min, above_min, above_initial, ratio, timeout)| Some(format!(
                "concurrency_limit: Aimd(initial: {}, min: {min}, max: {}, backoff_ratio: {ratio:.3}, timeout: {})",
                min + above_min,
                min + above_min + above_initial,
                dur_us(timeout)
            ))
        ),
        (1u32..5, 0u32..100).prop_map(|(min, extra)| Some(format!(
            "concurrency_limit: Gradient(min: {min}, max: {})",
            min + extra
        ))),
    ];
    (shed, rate_limit, concurrency).prop_map(|(shed, rate_limit, concurrency)| {
        (
            shed,
            [rate_limit, concurrency].into_iter().flatten().collect(),
        )
    })
}

/// Service `me` of `n`, as one line of the model's `services` map.
pub fn service(me: usize, n: usize, classes: bool) -> impl Strategy<Value = String> {
    (
        (1u32..4, 1u32..6, queue(), steps(me, n)),
        // Memory small enough to crash under a burst, and an error rate.
        prop_oneof![Just(None), (4u64..64).prop_map(Some)],
        prop_oneof![Just(0.0f64), 0.0f64..0.3],
        overload(classes),
    )
        .prop_map(
            move |((replicas, workers, (queue, bounded), steps), memory, error_rate, (shed, mut overload))| {
                let memory = memory.map_or(String::new(), |kib| {
                    format!(" memory: Memory(limit: \"{kib}KiB\", per_request: \"1KiB\", restart_after: \"200ms\", warmup: \"100ms\", warmup_slowdown: 2.0),")
                });
                if bounded {
                    overload.extend(shed);
                }
                let overload = if overload.is_empty() {
                    String::new()
                } else {
                    format!("\n            overload: Overload({}),", overload.join(", "))
                };
                format!(
                    "        \"s{me}\": Service(replicas: {replicas}, workers: {workers}, queue: {queue},{memory} error_rate: {error_rate:.3},{overload}\n            operations: {{\"op\": [{}]}}),",
                    steps.join(", ")
                )
            },
        )
}
