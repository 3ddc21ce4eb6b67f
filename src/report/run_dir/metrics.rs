//! `metrics.csv` and `edges.csv` turned into per-service and per-edge series over one
//! shared list of windows.
//!
//! Why integer milliseconds as the window key? Float keys make equality depend on
//! rounding; `t_s` is written with three decimals, so milliseconds are exact.

use super::{CsvTable, ReportError};
use crate::scenario::parse_clock;
use std::collections::BTreeMap;
use std::path::Path;

/// Columns that are neither a failure cause nor a count of successes, between
/// `completed` and `mean_response_s`.
const NOT_A_CAUSE: [&str; 1] = ["degraded"];

#[derive(Debug, Clone, Default)]
pub struct Metrics {
    /// Window starts [s], ascending.
    pub window_start_s: Vec<f64>,
    /// Window lengths [s], in the same order.
    pub window_len_s: Vec<f64>,
    /// Seconds after midnight at simulated time zero, from the `clock` column.
    pub start_clock_s: u64,
    /// Failure-cause columns in file order.
    pub causes: Vec<String>,
    /// In the order of first appearance in the file (the model's order).
    pub services: Vec<ServiceSeries>,
    /// Empty when the run has no `edges.csv`.
    pub edges: Vec<EdgeSeries>,
    /// Which optional columns the run has, so panels can say "no data" honestly.
    pub has_memory: bool,
    pub has_degraded: bool,
}

#[derive(Debug, Clone)]
pub struct ServiceSeries {
    pub name: String,
    /// One entry per window; `None` when the file has no row for it.
    pub windows: Vec<Option<ServiceWindow>>,
}

#[derive(Debug, Clone, Default)]
pub struct ServiceWindow {
    pub arrivals: f64,
    pub completed: f64,
    pub degraded: f64,
    /// Counts by cause, in `Metrics::causes` order.
    pub failures: Vec<f64>,
    pub p50_s: Option<f64>,
    pub p95_s: Option<f64>,
    pub p99_s: Option<f64>,
    pub utilization: Option<f64>,
    pub queue_max: Option<f64>,
    pub memory_max_bytes: Option<f64>,
    pub memory_limit_bytes: Option<f64>,
    pub crashes: f64,
    pub replicas_up: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct EdgeSeries {
    /// `caller -> callee`.
    pub name: String,
    pub windows: Vec<Option<EdgeWindow>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
    /// The edge has no breaker.
    None,
}

#[derive(Debug, Clone)]
pub struct EdgeWindow {
    pub calls: f64,
    pub failures: f64,
    pub breaker: BreakerState,
    pub pool_size: Option<f64>,
    pub pool_in_use_max: Option<f64>,
}

fn window_key(t_s: f64) -> u64 {
    (t_s * 1000.0).round().max(0.0) as u64
}

impl Metrics {
    pub fn from_tables(
        path: &Path,
        table: &CsvTable,
        edges: Option<&(std::path::PathBuf, CsvTable)>,
    ) -> Result<Metrics, ReportError> {
        let t_col = table.required(path, "t_s")?;
        let service_col = table.required(path, "service")?;
        let completed_col = table.required(path, "completed")?;
        let mean_col = table
            .column("mean_response_s")
            .unwrap_or(table.header.len());
        let cause_cols: Vec<usize> = (completed_col + 1..mean_col)
            .filter(|&c| !NOT_A_CAUSE.contains(&table.header[c].as_str()))
            .collect();
        let mut windows = BTreeMap::new();
        collect_windows(table, t_col, table.column("window_s"), &mut windows);
        if let Some((_, e)) = edges {
            if let Some(c) = e.column("t_s") {
                collect_windows(e, c, e.column("window_s"), &mut windows);
            }
        }
        let index: BTreeMap<u64, usize> =
            windows.keys().enumerate().map(|(i, k)| (*k, i)).collect();
        let mut m = Metrics {
            window_start_s: windows.keys().map(|k| *k as f64 / 1000.0).collect(),
            window_len_s: windows.values().copied().collect(),
            causes: cause_cols
                .iter()
                .map(|&c| table.header[c].clone())
                .collect(),
            has_memory: table.column("memory_max_bytes").is_some(),
            has_degraded: table.column("degraded").is_some(),
            ..Metrics::default()
        };
        if let (Some(c), Some(first)) = (table.column("clock"), table.rows.first()) {
            let t0 = table.number(0, Some(t_col)).unwrap_or(0.0) as u64;
            m.start_clock_s =
                parse_clock(&first[c]).map_or(0, |s| (s + 86_400 - t0 % 86_400) % 86_400);
        }
        let col = |name: &str| table.column(name);
        let cols = [
            col("arrivals"),
            col("degraded"),
            col("p50_s"),
            col("p95_s"),
            col("p99_s"),
            col("utilization"),
            col("queue_max"),
            col("memory_max_bytes"),
            col("memory_limit_bytes"),
            col("crashes"),
            col("replicas_up"),
        ];
        for row in 0..table.rows.len() {
            let Some(t) = table.number(row, Some(t_col)) else {
                return Err(ReportError::at(path, row + 2, "`t_s` is not a number"));
            };
            let name = table.text(row, service_col);
            let n = windows.len();
            let series = match m.services.iter().position(|s| s.name == name) {
                Some(i) => &mut m.services[i],
                None => {
                    m.services.push(ServiceSeries {
                        name: name.to_string(),
                        windows: vec![None; n],
                    });
                    m.services.last_mut().expect("just pushed")
                }
            };
            let num = |c: Option<usize>| table.number(row, c);
            series.windows[index[&window_key(t)]] = Some(ServiceWindow {
                arrivals: num(cols[0]).unwrap_or(0.0),
                completed: num(Some(completed_col)).unwrap_or(0.0),
                degraded: num(cols[1]).unwrap_or(0.0),
                failures: cause_cols
                    .iter()
                    .map(|&c| num(Some(c)).unwrap_or(0.0))
                    .collect(),
                p50_s: num(cols[2]),
                p95_s: num(cols[3]),
                p99_s: num(cols[4]),
                utilization: num(cols[5]),
                queue_max: num(cols[6]),
                memory_max_bytes: num(cols[7]),
                memory_limit_bytes: num(cols[8]),
                crashes: num(cols[9]).unwrap_or(0.0),
                replicas_up: num(cols[10]),
            });
        }
        if let Some((edge_path, e)) = edges {
            m.edges = edge_series(edge_path, e, &index)?;
        }
        Ok(m)
    }

    /// Start and end of the run [s].
    pub fn time_range(&self) -> (f64, f64) {
        let start = self.window_start_s.first().copied().unwrap_or(0.0);
        let end = self
            .window_start_s
            .iter()
            .zip(&self.window_len_s)
            .map(|(s, l)| s + l)
            .fold(start + 1.0, f64::max);
        (start, end)
    }

    pub fn service(&self, name: &str) -> Option<&ServiceSeries> {
        self.services.iter().find(|s| s.name == name)
    }
}

fn collect_windows(
    table: &CsvTable,
    t_col: usize,
    len_col: Option<usize>,
    out: &mut BTreeMap<u64, f64>,
) {
    for row in 0..table.rows.len() {
        if let Some(t) = table.number(row, Some(t_col)) {
            let len = table.number(row, len_col).unwrap_or(0.0);
            out.entry(window_key(t)).or_insert(len);
        }
    }
}

fn edge_series(
    path: &Path,
    e: &CsvTable,
    index: &BTreeMap<u64, usize>,
) -> Result<Vec<EdgeSeries>, ReportError> {
    let t_col = e.required(path, "t_s")?;
    let edge_col = e.required(path, "edge")?;
    let (calls, failures, breaker) = (
        e.column("calls"),
        e.column("failures"),
        e.column("breaker_state"),
    );
    let (pool_size, in_use) = (e.column("pool_size"), e.column("pool_in_use_max"));
    let mut out: Vec<EdgeSeries> = Vec::new();
    for row in 0..e.rows.len() {
        let Some(t) = e.number(row, Some(t_col)) else {
            return Err(ReportError::at(path, row + 2, "`t_s` is not a number"));
        };
        let name = e.text(row, edge_col);
        let i = match out.iter().position(|s| s.name == name) {
            Some(i) => i,
            None => {
                out.push(EdgeSeries {
                    name: name.to_string(),
                    windows: vec![None; index.len()],
                });
                out.len() - 1
            }
        };
        let state = match breaker.map(|c| e.text(row, c)) {
            Some("closed") => BreakerState::Closed,
            Some("open") => BreakerState::Open,
            Some("half_open") => BreakerState::HalfOpen,
            _ => BreakerState::None,
        };
        out[i].windows[index[&window_key(t)]] = Some(EdgeWindow {
            calls: e.number(row, calls).unwrap_or(0.0),
            failures: e.number(row, failures).unwrap_or(0.0),
            breaker: state,
            pool_size: e.number(row, pool_size).filter(|s| *s > 0.0),
            pool_in_use_max: e.number(row, in_use),
        });
    }
    Ok(out)
}
