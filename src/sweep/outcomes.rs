//! Named outcomes a sweep records for every run: one table entry per name, each reading a
//! number from the run's [`Summary`].
//!
//! Why a table? Adding an outcome (outage minutes, peak memory, retry amplification…) is
//! one entry, and unknown names in a sweep file are refused with the list of known ones.

use crate::report::Summary;

pub struct OutcomeDef {
    pub name: &'static str,
    /// One line for `docs/sweeps.md` and error hints.
    pub doc: &'static str,
    /// Reads the outcome from a summary, given the names of the entry services (the
    /// services the scenario's sources send to). `None` when undefined (no requests).
    pub extract: fn(&Summary, &[String]) -> Option<f64>,
}

/// Recorded when a sweep file gives no `outcomes`.
pub const DEFAULT_OUTCOMES: &[&str] = &[
    "entry_success_rate",
    "entry_goodput",
    "entry_p99_s",
    "max_utilization",
];

pub static OUTCOMES: &[OutcomeDef] = &[
    OutcomeDef {
        name: "entry_success_rate",
        doc: "answered (fully or with a fallback) / arrivals at the entry services after the warm-up (requests still in flight at the end count as failures; requests that arrived in the warm-up and finished after it can lift it slightly above 1)",
        extract: |s, entry| {
            let (ok, arrived) = entry_sum(s, entry, |x| (x.completed + x.degraded, x.arrivals));
            (arrived > 0).then(|| ok as f64 / arrived as f64)
        },
    },
    OutcomeDef {
        name: "entry_goodput",
        doc: "entry requests answered (fully or with a fallback) per simulated second after the warm-up [req/s]",
        extract: |s, entry| {
            let (ok, _) = entry_sum(s, entry, |x| (x.completed + x.degraded, 0));
            Some(ok as f64 / s.measured_seconds)
        },
    },
    OutcomeDef {
        name: "entry_degraded",
        doc: "entry requests answered with a fallback somewhere on their way",
        extract: |s, entry| Some(entry_sum(s, entry, |x| (x.degraded, 0)).0 as f64),
    },
    OutcomeDef {
        name: "entry_p99_s",
        doc: "99th percentile response time at the entry services (the worst of them) [s]",
        extract: |s, entry| entry_max(s, entry, |x| x.p99_s),
    },
    OutcomeDef {
        name: "entry_p50_s",
        doc: "median response time at the entry services (the worst of them) [s]",
        extract: |s, entry| entry_max(s, entry, |x| x.p50_s),
    },
    OutcomeDef {
        name: "entry_mean_response_s",
        doc: "mean response time at the entry services (the worst of them) [s]",
        extract: |s, entry| entry_max(s, entry, |x| x.mean_response_s),
    },
    OutcomeDef {
        name: "failed",
        doc: "entry requests that failed, all causes",
        extract: |s, entry| Some(entry_sum(s, entry, |x| (x.failed, 0)).0 as f64),
    },
    OutcomeDef {
        name: "rejected",
        doc: "entry requests refused because a queue was full",
        extract: |s, entry| Some(entry_cause(s, entry, "rejected")),
    },
    OutcomeDef {
        name: "timed_out",
        doc: "entry requests failed by a downstream timeout",
        extract: |s, entry| Some(entry_cause(s, entry, "timed_out")),
    },
    OutcomeDef {
        name: "pool_timeout",
        doc: "entry requests failed waiting for a pool connection",
        extract: |s, entry| Some(entry_cause(s, entry, "pool_timeout")),
    },
    OutcomeDef {
        name: "downstream_error",
        doc: "entry requests failed by an error from a downstream call",
        extract: |s, entry| Some(entry_cause(s, entry, "downstream_error")),
    },
    OutcomeDef {
        name: "crashes",
        doc: "replica crashes (out of memory) over all services",
        extract: |s, _| Some(s.services.values().map(|x| x.crashes).sum::<u64>() as f64),
    },
    OutcomeDef {
        name: "peak_memory_bytes",
        doc: "highest memory use of any service [bytes]",
        extract: |s, _| s.services.values().map(|x| x.memory_peak_bytes as f64).reduce(f64::max),
    },
    OutcomeDef {
        name: "retry_amplification",
        doc: "attempts per logical call over all call edges (1 = no retries)",
        extract: |s, _| {
            let (attempts, calls) = s.edges.values().fold((0, 0), |(a, c), e| (a + e.attempts, c + e.calls));
            (calls > 0).then(|| attempts as f64 / calls as f64)
        },
    },
    OutcomeDef {
        name: "outage_declared",
        doc: "1 when the scenario's outage rule fired (entry success rate below the SLO over its window), else 0",
        extract: |s, _| Some(if s.outage.declared { 1.0 } else { 0.0 }),
    },
    OutcomeDef {
        name: "outage_minutes",
        doc: "minutes from the outage declaration to recovery or the end of the run (0 without an outage)",
        extract: |s, _| Some(s.outage.minutes.unwrap_or(0.0)),
    },
    OutcomeDef {
        name: "recovered",
        doc: "1 when goodput came back to the recovery share of its pre-incident level after the last trigger, else 0",
        extract: |s, _| Some(if s.metastability.recovered { 1.0 } else { 0.0 }),
    },
    OutcomeDef {
        name: "recovery_s",
        doc: "seconds from the end of the last trigger to recovery (undefined when it did not recover)",
        extract: |s, _| s.metastability.recovery_seconds,
    },
    OutcomeDef {
        name: "max_utilization",
        doc: "busy workers over all workers, for the busiest service (0–1)",
        extract: |s, _| s.services.values().map(|x| x.utilization).reduce(f64::max),
    },
    OutcomeDef {
        name: "max_queue_depth",
        doc: "longest queue seen at any service",
        extract: |s, _| s.services.values().map(|x| x.max_queue_depth as f64).reduce(f64::max),
    },
    OutcomeDef {
        name: "in_flight_at_end",
        doc: "requests still in the system when the run ended (grows without bound when a queue explodes)",
        extract: |s, _| Some(s.in_flight_at_end as f64),
    },
    OutcomeDef {
        name: "stopped_early",
        doc: "1 when the run hit a limit (e.g. too many requests in flight), else 0",
        extract: |s, _| Some(if s.partial.is_some() { 1.0 } else { 0.0 }),
    },
];

pub fn find(name: &str) -> Option<&'static OutcomeDef> {
    OUTCOMES.iter().find(|o| o.name == name)
}

fn entry_sum(
    s: &Summary,
    entry: &[String],
    f: impl Fn(&crate::report::summary::ServiceSummary) -> (u64, u64),
) -> (u64, u64) {
    entry
        .iter()
        .filter_map(|name| s.services.get(name))
        .map(f)
        .fold((0, 0), |(a, b), (x, y)| (a + x, b + y))
}

/// Entry failures of one cause, by its name in `summary.json`.
fn entry_cause(s: &Summary, entry: &[String], cause: &str) -> f64 {
    entry
        .iter()
        .filter_map(|name| s.services.get(name))
        .map(|x| x.errors.get(cause).copied().unwrap_or(0))
        .sum::<u64>() as f64
}

fn entry_max(
    s: &Summary,
    entry: &[String],
    f: impl Fn(&crate::report::summary::ServiceSummary) -> Option<f64>,
) -> Option<f64> {
    entry
        .iter()
        .filter_map(|name| s.services.get(name).and_then(&f))
        .reduce(f64::max)
}

/// Every recorded value is finite or absent, so that CSV files never hold `NaN` or `inf`.
pub fn extract(def: &OutcomeDef, s: &Summary, entry: &[String]) -> Option<f64> {
    (def.extract)(s, entry).filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    /// docs/sweeps.md lists every outcome.
    #[test]
    fn every_outcome_is_documented() {
        let doc = include_str!("../../docs/sweeps.md");
        for o in super::OUTCOMES {
            assert!(
                doc.contains(&format!("`{}`", o.name)),
                "docs/sweeps.md lacks `{}`",
                o.name
            );
        }
    }
}
