//! The shipped `resilience-demo` scenario: every mechanism must leave a trace in its
//! summary, so that the demo keeps showing what it claims (docs/resilience.md, "The
//! demo"). Only presence is checked here; the figures are the other tests' business.

use crate::common::root;
use cascade_sim::report::summary::summarize;
use cascade_sim::run::run_quietly;
use cascade_sim::scenario::load_scenario;

#[test]
fn every_mechanism_acts_in_the_demo() {
    let scenario = load_scenario(&root().join("scenarios/resilience-demo.ron"))
        .unwrap_or_else(|e| panic!("{e}"));
    let result = run_quietly(&scenario);
    assert!(result.partial.is_none());
    let s = summarize(&scenario, &result);
    let svc = |name: &str| &s.services[name];
    let edge = |name: &str| &s.edges[name];
    let traces = [
        ("ingress rate limit", svc("edge").errors["rate_limited"]),
        ("error rate", svc("bank").errors["error"]),
        ("queue timeout", svc("orders").errors["queue_timeout"]),
        ("CoDel", svc("db").errors["queue_timeout"]),
        ("adaptive LIFO", svc("catalog").errors["queue_timeout"]),
        ("adaptive concurrency limit", svc("db").errors["shed"]),
        ("priority shedding", svc("catalog").errors["shed"]),
        ("deadline propagation", svc("bank").errors["deadline"]),
        ("OOM crashes", svc("reports").crashes),
        ("restarts", svc("reports").restarts),
        ("retries", edge("edge -> orders").retries),
        (
            "token-bucket budget",
            edge("orders -> payments").retries_refused_by_budget,
        ),
        (
            "ratio budget",
            edge("payments -> bank").retries_refused_by_budget,
        ),
        (
            "sliding-window breaker",
            edge("orders -> payments").breaker_transitions,
        ),
        (
            "consecutive breaker",
            edge("recs -> ml").breaker_transitions,
        ),
        (
            "bulkhead",
            edge("edge -> catalog").rejections["bulkhead_full"],
        ),
        (
            "per-class bulkhead",
            u64::from(edge("edge -> orders").bulkhead_in_use_max),
        ),
        ("pool", edge("payments -> bank").pool_timeouts),
        ("per-class pool", svc("catalog").errors["pool_timeout"]),
        ("fallback", edge("recs -> ml").degraded),
        ("degraded answers", svc("edge").degraded),
        (
            "client-side throttling",
            edge("reports -> catalog").rejections["throttled"],
        ),
        ("outlier ejection", edge("edge -> reports").ejections),
        ("wasted work", svc("bank").wasted_work_s.ceil() as u64),
    ];
    for (mechanism, count) in traces {
        println!("{mechanism}: {count}");
    }
    let silent: Vec<&str> = traces
        .iter()
        .filter(|(_, count)| *count == 0)
        .map(|(m, _)| *m)
        .collect();
    assert!(silent.is_empty(), "no trace in the demo of: {silent:?}");
}
