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
        "{:<width$} {:>10} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>6} {:>8}",
        "service",
        "arrivals",
        "ok",
        "rejected",
        "timeout",
        "pool_to",
        "down_err",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "util",
        "max_q"
    )
    .unwrap();
    for (name, s) in &summary.services {
        writeln!(
            out,
            "{:<width$} {:>10} {:>10} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>5.0}% {:>8}",
            name,
            s.arrivals,
            s.completed,
            s.rejected,
            s.timed_out,
            s.pool_timeout,
            s.downstream_error,
            ms(s.p50_s),
            ms(s.p95_s),
            ms(s.p99_s),
            s.utilization * 100.0,
            s.max_queue_depth
        )
        .unwrap();
    }
    out
}
