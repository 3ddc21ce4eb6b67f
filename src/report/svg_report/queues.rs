//! Panel 3, queue depth: the deepest queue of each of the most affected services in
//! each window (requests waiting for a worker, all replicas together).

use super::frame::*;
use super::latency::runs;
use super::{Ctx, Panel, PanelBox, MAX_SERVICES};
use plotters::prelude::*;

fn peak_queue(ctx: &Ctx, s: usize) -> f64 {
    ctx.run.metrics.services[s]
        .windows
        .iter()
        .flatten()
        .filter_map(|w| w.queue_max)
        .fold(0.0, f64::max)
}

pub(crate) fn panel<'r>(ctx: &Ctx<'r>) -> Panel<'r> {
    let (shown, left_out) = ctx.ranked_where(MAX_SERVICES, |s| peak_queue(ctx, s) > 0.0);
    Panel {
        title: "3 · Queue depth (deepest in each window), requests".into(),
        missing: shown
            .is_empty()
            .then(|| "no request waited in any queue".to_string()),
        height: PANEL_HEIGHT,
        draw: Box::new(move |canvas, ctx, b| draw(canvas, ctx, b, &shown, left_out)),
    }
}

fn draw(canvas: &Canvas, ctx: &Ctx, b: PanelBox, shown: &[usize], left_out: usize) -> Drawn {
    let top = shown
        .iter()
        .map(|&s| peak_queue(ctx, s))
        .fold(1.0, f64::max);
    let area = b.chart_area(canvas);
    let mut chart = linear_chart(&area, ctx.axis.t0..ctx.axis.t1, top * 1.08, &|v| {
        format!("{v:.0}")
    })?;
    let mut entries = Vec::new();
    for &s in shown {
        let color = ctx.color(s);
        for run in runs(ctx, s, |w| w.queue_max) {
            chart.draw_series(LineSeries::new(run, color.stroke_width(2)))?;
        }
        entries.push(LegendEntry::new(
            color,
            Swatch::Line,
            &ctx.run.metrics.services[s].name,
        ));
    }
    entries.extend(LegendEntry::more_not_shown(left_out));
    legend(canvas, &entries, b.plot_top(), b.plot_bottom())
}
