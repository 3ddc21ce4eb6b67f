//! The picture of `sim compare`: entry goodput and entry p99 of each run, one colour per
//! run, over one time axis (simulated time since start, labelled with the first run's
//! clock).

use super::frame::*;
use super::latency::log_axis;
use super::{axis_labels, grid, PanelBox};
use crate::report::run_dir::{EventKind, RunDir, ServiceWindow};
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

type Line = Vec<(f64, f64)>;

/// Per run, the stretches of (window midpoint, value) of a summed entry metric.
fn entry_series(
    run: &RunDir,
    value: impl Fn(&ServiceWindow, f64) -> Option<f64>,
    combine: fn(f64, f64) -> f64,
) -> Line {
    let m = &run.metrics;
    let entries = run.entry_services();
    let mut out = Vec::new();
    for w in 0..m.window_start_s.len() {
        let len = m.window_len_s[w].max(1e-9);
        let v = m
            .services
            .iter()
            .filter(|s| entries.contains(&s.name))
            .filter_map(|s| s.windows[w].as_ref().and_then(|row| value(row, len)))
            .reduce(combine);
        // NaN marks a window without a value: the line breaks there (see `segments`).
        out.push((m.window_start_s[w] + len / 2.0, v.unwrap_or(f64::NAN)));
    }
    out
}

/// The unbroken stretches of a line.
fn segments(line: &Line) -> Vec<Line> {
    line.split(|p| p.1.is_nan())
        .filter(|s| !s.is_empty())
        .map(<[(f64, f64)]>::to_vec)
        .collect()
}

pub fn compare_svg(runs: &[(String, &RunDir)]) -> Result<String, String> {
    let t0 = runs
        .iter()
        .map(|(_, r)| r.metrics.time_range().0)
        .fold(f64::MAX, f64::min);
    let t1 = runs
        .iter()
        .map(|(_, r)| r.metrics.time_range().1)
        .fold(f64::MIN, f64::max);
    let axis = TimeAxis {
        t0,
        t1,
        start_clock_s: runs.first().map_or(0, |(_, r)| r.metrics.start_clock_s),
    };
    let goodput: Vec<Line> = runs
        .iter()
        .map(|(_, r)| {
            entry_series(
                r,
                |w, len| Some((w.completed - w.degraded).max(0.0) / len),
                |a, b| a + b,
            )
        })
        .collect();
    let p99: Vec<Line> = runs
        .iter()
        .map(|(_, r)| entry_series(r, |w, _| w.p99_s.filter(|v| *v > 0.0), f64::max))
        .collect();
    let height = 60 + 2 * PANEL_HEIGHT + 40;
    let mut out = String::new();
    draw(&mut out, runs, &axis, &goodput, &p99, height).map_err(|e| e.to_string())?;
    Ok(out)
}

fn draw(
    out: &mut String,
    runs: &[(String, &RunDir)],
    axis: &TimeAxis,
    goodput: &[Line],
    p99: &[Line],
    height: u32,
) -> Drawn {
    let canvas = SVGBackend::with_string(out, (WIDTH, height)).into_drawing_area();
    canvas.fill(&WHITE)?;
    text(
        &canvas,
        &format!("Comparison of {} runs", runs.len()),
        (14, 18),
        20.0,
        &INK,
        HPos::Left,
    )?;
    let scripted: Vec<f64> = runs
        .first()
        .map(|(_, r)| {
            r.events
                .iter()
                .filter(|e| e.kind == EventKind::Scripted)
                .map(|e| e.t_s)
                .collect()
        })
        .unwrap_or_default();
    let mut sub = "aligned on simulated time since start; clock of the first run".to_string();
    if !scripted.is_empty() {
        sub.push_str(" · dashed blue lines: the first run's scripted actions");
    }
    text(&canvas, &sub, (14, 40), 13.0, &MUTED, HPos::Left)?;
    let entries: Vec<LegendEntry> = runs
        .iter()
        .enumerate()
        .map(|(i, (label, _))| LegendEntry::new(PALETTE[i % PALETTE.len()], Swatch::Line, label))
        .collect();
    let first = PanelBox {
        top: 60,
        height: PANEL_HEIGHT,
    };
    let second = PanelBox {
        top: 60 + PANEL_HEIGHT as i32,
        height: PANEL_HEIGHT,
    };
    text(
        &canvas,
        "Entry goodput, responses/s",
        (14, first.top + 13),
        15.0,
        &INK,
        HPos::Left,
    )?;
    text(
        &canvas,
        "Entry p99 of successful responses (log scale)",
        (14, second.top + 13),
        15.0,
        &INK,
        HPos::Left,
    )?;
    grid(&canvas, axis, first)?;
    grid(&canvas, axis, second)?;
    // f64::max and f64::min skip the NaN gap markers.
    let top = goodput.iter().flatten().map(|p| p.1).fold(1.0, f64::max);
    let area = first.chart_area(&canvas);
    let mut chart = linear_chart(&area, axis.t0..axis.t1, top * 1.08, &|v| format!("{v:.0}"))?;
    for (i, line) in goodput.iter().enumerate() {
        for part in segments(line) {
            chart.draw_series(LineSeries::new(
                part,
                PALETTE[i % PALETTE.len()].stroke_width(2),
            ))?;
        }
    }
    legend(&canvas, &entries, first.plot_top(), first.plot_bottom())?;
    let (lo, hi) = p99
        .iter()
        .flatten()
        .map(|p| p.1)
        .fold((f64::MAX, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if hi > 0.0 {
        let area = second.chart_area(&canvas);
        let mut chart = log_chart(&area, axis.t0..axis.t1, lo * 0.7, hi * 1.5)?;
        log_axis(&canvas, &mut chart, axis, lo * 0.7, hi * 1.5)?;
        for (i, line) in p99.iter().enumerate() {
            for part in segments(line) {
                let color = PALETTE[i % PALETTE.len()];
                if let [point] = part[..] {
                    chart.draw_series(std::iter::once(Circle::new(point, 2, color.filled())))?;
                } else {
                    chart.draw_series(LineSeries::new(part, color.stroke_width(2)))?;
                }
            }
        }
        legend(&canvas, &entries, second.plot_top(), second.plot_bottom())?;
    } else {
        text(
            &canvas,
            "no successful response in any run",
            (PLOT_LEFT + 10, second.plot_top() + 20),
            13.0,
            &MUTED,
            HPos::Left,
        )?;
    }
    // The counterfactuals share the baseline's script, so its actions mark both panels.
    for t in scripted {
        for b in [first, second] {
            dashed_vline(
                &canvas,
                axis.x(t),
                b.plot_top(),
                b.plot_bottom(),
                SCRIPTED.stroke_width(2),
            )?;
        }
    }
    axis_labels(&canvas, axis, second.top + second.height as i32)?;
    canvas.present()?;
    Ok(())
}
