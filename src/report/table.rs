//! The per-service table `sim run` prints.

use super::summary::Summary;
use std::fmt::Write;

fn ms(v: Option<f64>) -> String {
    v.map_or("-".into(), |s| {
        let ms = s * 1e3;
        if ms >= 100.0 {
            format!("{ms:.0}")
        } else {
            format!("{ms:.1}")
        }
    })
}

/// The largest failure causes, e.g. `timed_out 120, pool_timeout 40`.
fn causes(errors: &std::collections::BTreeMap<&'static str, u64>) -> String {
    let mut v: Vec<(&str, u64)> = errors
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| (*k, *n))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.iter()
        .take(3)
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn service_table(summary: &Summary) -> String {
    let width = summary
        .services
        .keys()
        .map(String::len)
        .max()
        .unwrap_or(7)
        .max(7);
    let mut out = String::new();
    writeln!(
        out,
        "{:<width$} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>5} {:>7} {:>7}  failures by cause",
        "service",
        "arrivals",
        "ok",
        "degraded",
        "failed",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "util",
        "max_q",
        "crashes"
    )
    .unwrap();
    for (name, s) in &summary.services {
        writeln!(
            out,
            "{:<width$} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>4.0}% {:>7} {:>7}  {}",
            name,
            s.arrivals,
            s.completed,
            s.degraded,
            s.failed,
            ms(s.p50_s),
            ms(s.p95_s),
            ms(s.p99_s),
            s.utilization * 100.0,
            s.max_queue_depth,
            s.crashes,
            causes(&s.errors)
        )
        .unwrap();
    }
    out
}
