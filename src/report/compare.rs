//! `sim compare`: several runs (a baseline and its counterfactuals) side by side: one SVG
//! with their entry goodput and p99 over the same time axis, and a table of totals
//! (`compare.csv`, `compare.txt`).
//!
//! Runs are aligned on simulated time since their start, so a change that only moved
//! the clock still lines up; the axis is labelled with the first run's clock.

use super::run_dir::RunDir;
use std::fmt::Write;

pub use super::svg_report::compare_svg;

/// One run's line in the comparison table.
#[derive(Debug, Clone)]
pub struct CompareRow {
    pub label: String,
    pub scenario: String,
    pub seed: String,
    pub arrivals: f64,
    /// Full answers (`completed`).
    pub good: f64,
    /// Answered by a fallback somewhere on the way.
    pub degraded: f64,
    pub failed: f64,
    pub p99_s: Option<f64>,
    pub worst_window_p99_s: Option<f64>,
    pub crashes: f64,
    pub peak_queue: f64,
    pub outage: bool,
    pub outage_minutes: Option<f64>,
    /// Highest memory of any replica of any service [bytes].
    pub peak_memory: f64,
}

impl CompareRow {
    pub fn of(label: &str, run: &RunDir) -> CompareRow {
        let entries = run.entry_services();
        let services = &run.summary["services"];
        let field = |s: &str, f: &str| services[s][f].as_f64().unwrap_or(0.0);
        let mut row = CompareRow {
            label: label.to_string(),
            scenario: run.summary_str("scenario").to_string(),
            seed: run.summary["seed"].to_string(),
            arrivals: 0.0,
            good: 0.0,
            degraded: 0.0,
            failed: 0.0,
            p99_s: None,
            worst_window_p99_s: None,
            crashes: 0.0,
            peak_queue: 0.0,
            outage: run.summary["outage"]["declared"].as_bool().unwrap_or(false),
            outage_minutes: run.summary["outage"]["minutes"].as_f64(),
            peak_memory: services.as_object().map_or(0.0, |m| {
                m.values()
                    .filter_map(|s| s["memory_peak_bytes"].as_f64())
                    .fold(0.0, f64::max)
            }),
        };
        for e in &entries {
            row.arrivals += field(e, "arrivals");
            row.good += field(e, "completed");
            row.degraded += field(e, "degraded");
            row.failed += failed(&services[e.as_str()], &run.metrics.causes);
            let p99 = services[e.as_str()]["p99_s"].as_f64();
            row.p99_s = max_opt(row.p99_s, p99);
            if let Some(s) = run.metrics.service(e) {
                for w in s.windows.iter().flatten() {
                    row.worst_window_p99_s = max_opt(row.worst_window_p99_s, w.p99_s);
                }
            }
        }
        for s in &run.metrics.services {
            for w in s.windows.iter().flatten() {
                row.crashes += w.crashes;
                row.peak_queue = row.peak_queue.max(w.queue_max.unwrap_or(0.0));
            }
        }
        row
    }

    pub fn success_pct(&self) -> Option<f64> {
        (self.arrivals > 0.0).then(|| 100.0 * self.good / self.arrivals)
    }
}

/// A service's failures from `summary.json`: its `failed` total, else the sum of its
/// `errors` by cause, else of the cause fields themselves (older summaries).
fn failed(service: &serde_json::Value, causes: &[String]) -> f64 {
    if let Some(n) = service["failed"].as_f64() {
        return n;
    }
    if let Some(errors) = service["errors"].as_object() {
        return errors.values().filter_map(serde_json::Value::as_f64).sum();
    }
    causes
        .iter()
        .filter_map(|c| service[c.as_str()].as_f64())
        .sum()
}

fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

/// One length for the header and every row, so they cannot drift apart.
const COLUMNS: usize = 16;
const HEADER: [&str; COLUMNS] = [
    "run",
    "scenario",
    "seed",
    "entry_arrivals",
    "entry_good",
    "entry_degraded",
    "entry_failed",
    "success_pct",
    "entry_p99_s",
    "worst_window_p99_s",
    "crashes",
    "peak_queue",
    "outage",
    "outage_minutes",
    "goodput_lost",
    "peak_memory_mib",
];

fn cells(r: &CompareRow) -> [String; COLUMNS] {
    let opt = |v: Option<f64>, digits: usize| v.map_or(String::new(), |v| format!("{v:.digits$}"));
    [
        r.label.clone(),
        r.scenario.clone(),
        r.seed.clone(),
        format!("{:.0}", r.arrivals),
        format!("{:.0}", r.good),
        format!("{:.0}", r.degraded),
        format!("{:.0}", r.failed),
        opt(r.success_pct(), 2),
        opt(r.p99_s, 6),
        opt(r.worst_window_p99_s, 6),
        format!("{:.0}", r.crashes),
        format!("{:.0}", r.peak_queue),
        if r.outage { "yes".into() } else { "no".into() },
        opt(r.outage_minutes, 1),
        // Entry requests not fully answered (failed or degraded).
        format!("{:.0}", r.arrivals - r.good),
        format!("{:.0}", r.peak_memory / 1048576.0),
    ]
}

pub fn compare_csv(rows: &[CompareRow]) -> String {
    let mut out = HEADER.join(",") + "\n";
    for r in rows {
        let line: Vec<String> = cells(r).iter().map(|c| csv_field(c)).collect();
        let _ = writeln!(out, "{}", line.join(","));
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The table `sim compare` prints and writes to `compare.txt`: columns padded to width.
pub fn compare_text(rows: &[CompareRow]) -> String {
    let table: Vec<[String; COLUMNS]> = rows.iter().map(cells).collect();
    let widths: Vec<usize> = (0..HEADER.len())
        .map(|c| {
            table
                .iter()
                .map(|r| r[c].chars().count())
                .chain([HEADER[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let line = |out: &mut String, cells: Vec<&str>| {
        for (c, cell) in cells.iter().enumerate() {
            if c == 0 || c == 1 {
                let _ = write!(out, "{cell:<w$}  ", w = widths[c]);
            } else {
                let _ = write!(out, "{cell:>w$}  ", w = widths[c]);
            }
        }
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out.push('\n');
    };
    line(&mut out, HEADER.to_vec());
    for r in &table {
        line(&mut out, r.iter().map(String::as_str).collect());
    }
    out
}
