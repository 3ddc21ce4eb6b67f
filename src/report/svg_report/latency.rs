//! Panel 2, latency: p50, p95 and p99 of successful responses of the most affected
//! services, on a log scale (a cascade moves latency by orders of magnitude).

use super::frame::*;
use super::{Ctx, Panel, PanelBox};
use crate::report::run_dir::ServiceWindow;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

/// Three lines per service: more services would be unreadable.
const SHOWN: usize = 3;

type Pick = fn(&ServiceWindow) -> Option<f64>;
const QUANTILES: [(&str, Pick, Swatch); 3] = [
    ("p99", |w| w.p99_s, Swatch::Line),
    ("p95", |w| w.p95_s, Swatch::Dashed),
    ("p50", |w| w.p50_s, Swatch::Dotted),
];

fn has_latency(ctx: &Ctx, s: usize) -> bool {
    ctx.run.metrics.services[s]
        .windows
        .iter()
        .flatten()
        .any(|w| w.p99_s.is_some_and(|v| v > 0.0))
}

pub(crate) fn panel<'r>(ctx: &Ctx<'r>) -> Panel<'r> {
    let (shown, left_out) = ctx.ranked_where(SHOWN, |s| has_latency(ctx, s));
    Panel {
        title: "2 · Latency of successful responses (log scale)".into(),
        missing: shown
            .is_empty()
            .then(|| "no successful response in any window".to_string()),
        height: PANEL_HEIGHT,
        draw: Box::new(move |canvas, ctx, b| draw(canvas, ctx, b, &shown, left_out)),
    }
}

/// `12 ms`, `1.5 s`: the unit a reader expects at each magnitude.
pub(crate) fn seconds_label(v: f64) -> String {
    if v <= 0.0 {
        "0".into()
    } else if v >= 1.0 {
        format!("{} s", trim(v))
    } else if v >= 1e-3 {
        format!("{} ms", trim(v * 1e3))
    } else {
        format!("{} µs", trim(v * 1e6))
    }
}

/// Values at 1, 2 and 5 times a power of ten inside `lo..hi`: where a log axis gets its
/// grid lines (plotters would draw one at every integer multiple).
pub(crate) fn log_grid(lo: f64, hi: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let mut decade = 10f64.powf(lo.log10().floor());
    while decade <= hi {
        out.extend(
            [1.0, 2.0, 5.0]
                .iter()
                .map(|m| m * decade)
                .filter(|v| (lo..=hi).contains(v)),
        );
        decade *= 10.0;
    }
    out
}

/// A log-scale chart over the shared time axis.
pub(crate) type LogChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, LogCoord<f64>>>;

/// Grid lines and labels of a log latency axis at 1, 2 and 5 times each power of ten,
/// drawn here because plotters labels only from the first power of ten in range.
pub(crate) fn log_axis(
    canvas: &Canvas,
    chart: &mut LogChart,
    axis: &TimeAxis,
    lo: f64,
    hi: f64,
) -> Drawn {
    let grid = log_grid(lo, hi);
    // Label a value only where it clears the last label: powers of ten first, then the
    // 2s and 5s that fit between them.
    let pixel = |y: f64| chart.backend_coord(&(axis.t0, y)).1;
    let is_power = |y: f64| (y.log10() - y.log10().round()).abs() < 1e-9;
    let mut labelled: Vec<i32> = grid
        .iter()
        .filter(|y| is_power(**y))
        .map(|y| pixel(*y))
        .collect();
    for &y in grid.iter().filter(|y| !is_power(**y)) {
        let py = pixel(y);
        if labelled.iter().all(|l| (l - py).abs() >= 15) {
            labelled.push(py);
        }
    }
    let pixels: Vec<i32> = grid.iter().map(|y| pixel(*y)).collect();
    for (y, py) in grid.into_iter().zip(pixels) {
        chart.draw_series(LineSeries::new([(axis.t0, y), (axis.t1, y)], GRID))?;
        if labelled.contains(&py) {
            text(
                canvas,
                &seconds_label(y),
                (PLOT_LEFT - 6, py),
                12.0,
                &INK,
                HPos::Right,
            )?;
        }
    }
    Ok(())
}

fn trim(v: f64) -> String {
    let s = if v >= 10.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    };
    s.trim_end_matches(".0").to_string()
}

fn draw(canvas: &Canvas, ctx: &Ctx, b: PanelBox, shown: &[usize], left_out: usize) -> Drawn {
    let m = &ctx.run.metrics;
    let values = shown
        .iter()
        .flat_map(|&s| m.services[s].windows.iter().flatten())
        .flat_map(|w| [w.p50_s, w.p99_s]);
    let (lo, hi) = values
        .flatten()
        .filter(|v| *v > 0.0)
        .fold((f64::MAX, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let area = b.chart_area(canvas);
    let mut chart = log_chart(&area, ctx.axis.t0..ctx.axis.t1, lo * 0.7, hi * 1.5)?;
    log_axis(canvas, &mut chart, &ctx.axis, lo * 0.7, hi * 1.5)?;
    let mut entries = Vec::new();
    for &s in shown {
        let color = ctx.color(s);
        for (_, pick, swatch) in QUANTILES {
            for run in runs(ctx, s, |w| pick(w).filter(|v| *v > 0.0)) {
                let style = color.stroke_width(if matches!(swatch, Swatch::Line) { 2 } else { 1 });
                if let [point] = run[..] {
                    // A lone window between gaps would draw no line at all.
                    chart.draw_series(std::iter::once(Circle::new(point, 2, color.filled())))?;
                    continue;
                }
                match swatch {
                    Swatch::Dashed => chart.draw_series(DashedLineSeries::new(run, 6, 4, style))?,
                    Swatch::Dotted => chart.draw_series(DashedLineSeries::new(run, 2, 3, style))?,
                    _ => chart.draw_series(LineSeries::new(run, style))?,
                };
            }
        }
        entries.push(LegendEntry::new(color, Swatch::Block, &m.services[s].name));
    }
    for (name, _, swatch) in QUANTILES {
        entries.push(LegendEntry::new(MUTED, swatch, name));
    }
    entries.extend(LegendEntry::more_not_shown(left_out));
    legend(canvas, &entries, b.plot_top(), b.plot_bottom())
}

/// Unbroken stretches of windows that have a value (a gap is drawn as a gap).
pub(crate) fn runs(
    ctx: &Ctx,
    s: usize,
    pick: impl Fn(&ServiceWindow) -> Option<f64>,
) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (w, row) in ctx.run.metrics.services[s].windows.iter().enumerate() {
        match row.as_ref().and_then(&pick).filter(|v| v.is_finite()) {
            Some(v) => out.last_mut().expect("never empty").push((ctx.mid(w), v)),
            None if !out.last().expect("never empty").is_empty() => out.push(Vec::new()),
            None => {}
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_grid_is_one_two_five() {
        let grid = log_grid(0.004, 0.6);
        let expected = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5];
        assert_eq!(grid.len(), expected.len(), "{grid:?}");
        for (g, e) in grid.iter().zip(expected) {
            assert!((g - e).abs() < 1e-12, "{grid:?}");
        }
    }

    #[test]
    fn seconds_are_labelled_in_the_unit_a_reader_expects() {
        assert_eq!(seconds_label(0.05), "50 ms");
        assert_eq!(seconds_label(2.0), "2 s");
        assert_eq!(seconds_label(0.0015), "1.5 ms");
        assert_eq!(seconds_label(0.0), "0");
    }
}
