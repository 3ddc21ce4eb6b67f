//! `traces.json`: sampled requests in the Chrome trace-event format (opens in Perfetto
//! and chrome://tracing). Each traced request is one track (its correlation id); its
//! spans — the request at each service and each call attempt — nest by time on it.

use crate::engine::trace::SpanOf;
use crate::engine::RunResult;
use crate::outcome::Outcome;
use crate::scenario::Scenario;
use serde_json::{json, Value};

fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Ok => "ok",
        Outcome::Degraded => "degraded",
        Outcome::Failed(c) => c.name(),
    }
}

pub fn traces_json(scenario: &Scenario, result: &RunResult) -> String {
    let model = &scenario.model;
    let mut events: Vec<Value> = vec![
        json!({"name": "process_name", "ph": "M", "pid": 1, "args": {"name": format!("{} (seed {})", scenario.name, scenario.seed)}}),
    ];
    // Outer spans first at equal start times, so that viewers nest them correctly.
    let mut spans: Vec<_> = result.spans.iter().collect();
    // An attempt and the callee's request can share both ends: the attempt is the outer.
    let inner = |s: &&crate::engine::trace::Span| matches!(s.of, SpanOf::Request { .. }) as u8;
    spans.sort_by_key(|s| (s.trace, s.start, std::cmp::Reverse(s.end), inner(s)));
    for s in spans {
        let (name, cat, retry) = match s.of {
            SpanOf::Request { op } => (model.operations[op as usize].name.clone(), "request", None),
            SpanOf::Attempt { edge, retry } => (
                model.edges[edge as usize].name.clone(),
                "attempt",
                Some(retry),
            ),
        };
        let mut args = json!({"correlation_id": s.trace, "outcome": outcome_name(s.outcome)});
        if let Some(r) = retry {
            args["retry"] = json!(r);
        }
        events.push(json!({
            "name": name,
            "cat": cat,
            "ph": "X",
            "ts": s.start as f64 / 1e3,
            "dur": (s.end - s.start) as f64 / 1e3,
            "pid": 1,
            "tid": s.trace,
            "args": args,
        }));
    }
    let doc = json!({
        "traceEvents": events,
        "displayTimeUnit": "ms",
        "otherData": {"seed": scenario.seed, "truncated": result.spans_truncated},
    });
    let mut text = serde_json::to_string(&doc).expect("traces serialize");
    text.push('\n');
    text
}
