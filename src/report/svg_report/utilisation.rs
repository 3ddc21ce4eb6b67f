//! Panel 4, saturation: busy workers over all workers per service (solid), and the
//! busiest moment of each connection pool over its size per edge (dashed, from
//! `edges.csv`).

use super::frame::*;
use super::latency::runs;
use super::{Ctx, Panel, PanelBox, MAX_SERVICES};
use plotters::prelude::*;

const MAX_POOLS: usize = 4;
/// Pools get their own colours, darker than the services'.
const POOL_COLORS: [RGBColor; 4] = [
    RGBColor(0x1b, 0x3a, 0x5c),
    RGBColor(0x8c, 0x4a, 0x00),
    RGBColor(0x2f, 0x5e, 0x2a),
    RGBColor(0x5c, 0x2a, 0x52),
];

fn pool_points(ctx: &Ctx, e: usize) -> Vec<Option<f64>> {
    ctx.run.metrics.edges[e]
        .windows
        .iter()
        .map(|w| {
            w.as_ref()
                .and_then(|w| Some(w.pool_in_use_max? / w.pool_size?))
        })
        .collect()
}

fn peak(values: impl Iterator<Item = Option<f64>>) -> f64 {
    values.flatten().fold(0.0, f64::max)
}

pub(crate) fn panel<'r>(ctx: &Ctx<'r>) -> Panel<'r> {
    let m = &ctx.run.metrics;
    let (services, services_left_out) = ctx.ranked_where(MAX_SERVICES, |s| {
        peak(
            m.services[s]
                .windows
                .iter()
                .map(|w| w.as_ref().and_then(|w| w.utilization)),
        ) > 0.0
    });
    let mut pools: Vec<(usize, f64)> = (0..m.edges.len())
        .map(|e| (e, peak(pool_points(ctx, e).into_iter())))
        .filter(|(_, p)| *p > 0.0)
        .collect();
    pools.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let left_out = services_left_out + pools.len().saturating_sub(MAX_POOLS);
    pools.truncate(MAX_POOLS);
    let pools: Vec<usize> = pools.into_iter().map(|(e, _)| e).collect();
    Panel {
        title: "4 · Worker and connection-pool utilisation".into(),
        missing: (services.is_empty() && pools.is_empty())
            .then(|| "no worker was ever busy".to_string()),
        height: PANEL_HEIGHT,
        draw: Box::new(move |canvas, ctx, b| draw(canvas, ctx, b, &services, &pools, left_out)),
    }
}

fn draw(
    canvas: &Canvas,
    ctx: &Ctx,
    b: PanelBox,
    services: &[usize],
    pools: &[usize],
    left_out: usize,
) -> Drawn {
    let m = &ctx.run.metrics;
    let top = pools
        .iter()
        .map(|&e| peak(pool_points(ctx, e).into_iter()))
        .fold(1.0, f64::max);
    let area = b.chart_area(canvas);
    let mut chart = linear_chart(&area, ctx.axis.t0..ctx.axis.t1, top * 1.05, &|v| {
        format!("{:.0}%", v * 100.0)
    })?;
    let mut entries = Vec::new();
    for &s in services {
        let color = ctx.color(s);
        for run in runs(ctx, s, |w| w.utilization) {
            chart.draw_series(LineSeries::new(run, color.stroke_width(2)))?;
        }
        entries.push(LegendEntry::new(
            color,
            Swatch::Line,
            format!("{} workers", m.services[s].name),
        ));
    }
    for (i, &e) in pools.iter().enumerate() {
        let color = POOL_COLORS[i % POOL_COLORS.len()];
        let points: Vec<(f64, f64)> = pool_points(ctx, e)
            .into_iter()
            .enumerate()
            .filter_map(|(w, v)| Some((ctx.mid(w), v?)))
            .collect();
        chart.draw_series(DashedLineSeries::new(points, 6, 4, color.stroke_width(2)))?;
        entries.push(LegendEntry::new(
            color,
            Swatch::Dashed,
            format!("pool {}", m.edges[e].name),
        ));
    }
    entries.extend(LegendEntry::more_not_shown(left_out));
    legend(canvas, &entries, b.plot_top(), b.plot_bottom())
}
