//! Which services a reader should look at first.
//!
//! Why this score? A postmortem starts with what broke: a service that crashed, then
//! one that failed requests, then one that ran out of workers or queued. The score adds
//! those signals, each scaled to about 0–1, and crashes outrank everything:
//! `2·crashed + failed/arrivals + peak utilisation + min(1, peak queue / 100)`.
//! Ties go to the name, so the order is deterministic.

use super::run_dir::{Metrics, ServiceSeries};

fn score(s: &ServiceSeries) -> f64 {
    let rows = s.windows.iter().flatten();
    let (mut arrivals, mut failed, mut crashes) = (0.0, 0.0, 0.0);
    let (mut util, mut queue) = (0.0f64, 0.0f64);
    for w in rows {
        arrivals += w.arrivals;
        failed += w.failures.iter().sum::<f64>();
        crashes += w.crashes;
        util = util.max(w.utilization.unwrap_or(0.0));
        queue = queue.max(w.queue_max.unwrap_or(0.0));
    }
    let crashed = if crashes > 0.0 { 2.0 } else { 0.0 };
    crashed + failed / arrivals.max(1.0) + util.min(1.0) + (queue / 100.0).min(1.0)
}

/// Indices into `metrics.services`, most affected first.
pub fn rank_services(metrics: &Metrics) -> Vec<usize> {
    let scores: Vec<f64> = metrics.services.iter().map(score).collect();
    let mut order: Vec<usize> = (0..metrics.services.len()).collect();
    order.sort_by(|&a, &b| {
        scores[b]
            .total_cmp(&scores[a])
            .then_with(|| metrics.services[a].name.cmp(&metrics.services[b].name))
    });
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::run_dir::ServiceWindow;

    fn series(name: &str, failed: f64, util: f64, crashes: f64) -> ServiceSeries {
        let w = ServiceWindow {
            arrivals: 100.0,
            failures: vec![failed],
            utilization: Some(util),
            crashes,
            ..ServiceWindow::default()
        };
        ServiceSeries {
            name: name.into(),
            windows: vec![Some(w)],
        }
    }

    #[test]
    fn crashes_outrank_failures_which_outrank_load_and_ties_go_by_name() {
        let metrics = Metrics {
            services: vec![
                series("busy", 0.0, 0.9, 0.0),
                series("failing", 50.0, 0.5, 0.0),
                series("crashed", 0.0, 0.1, 1.0),
                series("b-idle", 0.0, 0.1, 0.0),
                series("a-idle", 0.0, 0.1, 0.0),
            ],
            ..Metrics::default()
        };
        let names: Vec<&str> = rank_services(&metrics)
            .iter()
            .map(|&i| metrics.services[i].name.as_str())
            .collect();
        assert_eq!(names, ["crashed", "failing", "busy", "a-idle", "b-idle"]);
    }
}
